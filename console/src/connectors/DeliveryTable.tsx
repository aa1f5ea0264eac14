import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { formatDate } from "../accounts/labels.tsx";
import { outcomeOf, type Outcome } from "../accounts/outcome.ts";
import { ConsoleReplayDeliveryDocument, type ConsoleDeliveryFragment } from "../generated/graphql.ts";
import { OutcomeLine } from "../shared/OutcomeLine.tsx";
import { rowIdOf } from "./paths.ts";
import { DeliveryStatusLabel } from "./StateLabel.tsx";

interface Props {
  rows: ConsoleDeliveryFragment[];
  /** CONNECTORS_MANAGE: replay buttons are shown disabled without it. */
  mayReplay: boolean;
  onReplayed: () => void;
}

/** Deliveries as a table: status, attempts, last response, next attempt, webhook-id, each attempt's timing, and Replay. */
export function DeliveryTable({ rows, mayReplay, onReplayed }: Props) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ fetching }, replay] = useMutation(ConsoleReplayDeliveryDocument);
  const replayOne = async (id: string) => {
    setOutcome(null);
    setOutcome(outcomeOf(await replay({ id }), () => "Queued again: same body, same webhook-id."));
    onReplayed();
  };
  return (
    <>
      <OutcomeLine outcome={outcome} />
      <table class="events deliveries">
        <caption>Deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Response</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Webhook-id</th>
            <th scope="col">Timings</th>
            <th scope="col">Replay</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id} data-webhook-id={rowIdOf(d.id)}>
              <td>{formatDate(d.createdAt)}</td>
              <td>
                <code>{d.eventType}</code> {d.test && <span class="label">Test</span>}
              </td>
              <td>
                <DeliveryStatusLabel status={d.status} />
              </td>
              <td>{d.attempts}</td>
              <td>{d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? "—")}</td>
              <td>{d.status === "PENDING" ? formatDate(d.nextAttemptAt) : "—"}</td>
              <td>
                <code>{rowIdOf(d.id)}</code>
              </td>
              <td>
                <Timings delivery={d} />
              </td>
              <td>
                <ReplayButton delivery={d} disabled={!mayReplay || fetching} onReplay={replayOne} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Each attempt: when, how long, what came back; and when the delivery was done. */
function Timings({ delivery }: { delivery: ConsoleDeliveryFragment }) {
  if (delivery.attemptLog.length === 0) return <>—</>;
  return (
    <ol class="plain">
      {delivery.attemptLog.map((a) => (
        <li key={`${a.number}-${a.startedAt}`}>
          #{a.number} {formatDate(a.startedAt)}, {a.durationMs} ms: {a.statusCode ? `HTTP ${a.statusCode}` : (a.error ?? "no answer")}
        </li>
      ))}
      {delivery.deliveredAt && <li>Delivered {formatDate(delivery.deliveredAt)}</li>}
    </ol>
  );
}

/** Only a FAILED or DELIVERED delivery can be sent again; named by its webhook-id for screen readers. */
function ReplayButton({
  delivery,
  disabled,
  onReplay,
}: {
  delivery: ConsoleDeliveryFragment;
  disabled: boolean;
  onReplay: (id: string) => void;
}) {
  if (delivery.status !== "FAILED" && delivery.status !== "DELIVERED") return null;
  return (
    <button type="button" disabled={disabled} onClick={() => onReplay(delivery.id)} aria-label={`Replay ${rowIdOf(delivery.id)}`}>
      Replay
    </button>
  );
}
