import { useQuery } from "@urql/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ConsoleDeliveriesDocument, type DeliveryStatus } from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { allows } from "../session/store-choice.ts";
import { EnumFilter } from "../shared/EnumFilter.tsx";
import { QueryError } from "../shared/OutcomeLine.tsx";
import { Pager, useCursorTrail } from "../shared/Pager.tsx";
import { usePolling } from "../shared/polling.ts";
import { DeliveryTable } from "./DeliveryTable.tsx";

const PAGE_SIZE = 20;
const STATUSES: DeliveryStatus[] = ["PENDING", "SENDING", "DELIVERED", "FAILED", "SKIPPED"];

interface Props {
  connectorId: string;
  store: ConsoleStore;
  /** A new value (an action added to the log) asks again. */
  version: number;
  onLogChanged: () => void;
}

/** An outflow connector's delivery log, newest first; asks again every second while a shown delivery is still open. */
export function DeliveryLog({ connectorId, store, version, onLogChanged }: Props) {
  const [status, setStatus] = useState<DeliveryStatus | "">("");
  const trail = useCursorTrail();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ConsoleDeliveriesDocument,
    variables: { id: connectorId, status: status || undefined, first: PAGE_SIZE, after: trail.after },
    requestPolicy: "network-only",
  });
  const seen = useRef(version);
  useEffect(() => {
    if (version === seen.current) return;
    seen.current = version;
    reexecute({ requestPolicy: "network-only" });
  }, [version, reexecute]);
  const page = data?.connector?.deliveries;
  const rows = page?.edges.map((edge) => edge.node) ?? [];
  usePolling(
    rows.some((d) => d.status === "PENDING" || d.status === "SENDING"),
    () => reexecute({ requestPolicy: "network-only" }),
  );
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Delivery log</h2>
      <div class="search">
        <EnumFilter
          label="Status"
          value={status}
          values={STATUSES}
          onChange={(next) => {
            setStatus(next);
            trail.reset();
          }}
        />
        <button type="button" onClick={() => reexecute({ requestPolicy: "network-only" })}>
          Refresh
        </button>
      </div>
      <QueryError error={error} />
      <p class="status-line" role="status">
        {fetching && !data ? "Loading…" : page && rows.length === 0 ? "No delivery yet." : ""}
      </p>
      {rows.length > 0 && <DeliveryTable rows={rows} mayReplay={allows(store, "CONNECTORS_MANAGE")} onReplayed={onLogChanged} />}
      <Pager trail={trail} pageInfo={page?.pageInfo} label="Delivery log pages" />
    </section>
  );
}
