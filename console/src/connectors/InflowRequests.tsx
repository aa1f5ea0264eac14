import { useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { formatDate } from "../accounts/labels.tsx";
import { accountPath } from "../accounts/paths.ts";
import { ConsoleInflowRequestsDocument, type ConsoleInflowRequestsQuery, type InflowOutcome } from "../generated/graphql.ts";
import { EnumFilter } from "../shared/EnumFilter.tsx";
import { QueryError } from "../shared/OutcomeLine.tsx";
import { Pager, useCursorTrail } from "../shared/Pager.tsx";

const PAGE_SIZE = 20;
const OUTCOME_CLASS: Record<InflowOutcome, string> = { APPLIED: "label label-good", DUPLICATE: "label", REJECTED: "label label-bad" };
const OUTCOMES = Object.keys(OUTCOME_CLASS) as InflowOutcome[];

/** The posts an inflow connector received, newest first: outcome, answer, webhook-id, the customer, why refused. */
export function InflowRequests({ connectorId }: { connectorId: string }) {
  const [outcome, setOutcome] = useState<InflowOutcome | "">("");
  const trail = useCursorTrail();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ConsoleInflowRequestsDocument,
    variables: { connectorId, outcome: outcome || undefined, first: PAGE_SIZE, after: trail.after },
    requestPolicy: "network-only",
  });
  const page = data?.inflowRequests;
  return (
    <section aria-labelledby="inflow-title">
      <h2 id="inflow-title">Received requests</h2>
      <div class="search">
        <EnumFilter
          label="Outcome"
          value={outcome}
          values={OUTCOMES}
          onChange={(next) => {
            setOutcome(next);
            trail.reset();
          }}
        />
        <button type="button" onClick={() => reexecute({ requestPolicy: "network-only" })}>
          Refresh
        </button>
      </div>
      <QueryError error={error} />
      <p class="status-line" role="status">
        {fetching && !data ? "Loading…" : page && page.edges.length === 0 ? "No request received yet." : ""}
      </p>
      {page && page.edges.length > 0 && <InflowTable rows={page.edges.map((edge) => edge.node)} />}
      <Pager trail={trail} pageInfo={page?.pageInfo} label="Request pages" />
    </section>
  );
}

type Row = ConsoleInflowRequestsQuery["inflowRequests"]["edges"][number]["node"];

function InflowTable({ rows }: { rows: Row[] }) {
  return (
    <table class="events">
      <caption>Requests, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Received</th>
          <th scope="col">Outcome</th>
          <th scope="col">Answer</th>
          <th scope="col">Webhook-id</th>
          <th scope="col">Customer</th>
          <th scope="col">Duration</th>
          <th scope="col">Why refused</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <td>{formatDate(r.receivedAt)}</td>
            <td>
              <span class={OUTCOME_CLASS[r.outcome]}>{r.outcome.charAt(0) + r.outcome.slice(1).toLowerCase()}</span>
            </td>
            <td>HTTP {r.statusCode}</td>
            <td>{r.webhookId ? <code>{r.webhookId}</code> : "—"}</td>
            <td>
              {/* "~": the account page is outside this screen's nested router. */}
              {r.customerId ? <Link href={`~/console${accountPath(r.customerId)}`}>{r.created ? "Created" : "Updated"}</Link> : "—"}
            </td>
            <td>{r.durationMs} ms</td>
            <td>
              {r.error ?? "—"}
              {r.fieldErrors.length > 0 && (
                <ul class="plain">
                  {r.fieldErrors.map((f) => (
                    <li key={f.path}>
                      <code>{f.path}</code>: {f.message}
                    </li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
