import { useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { formatDate } from "../accounts/labels.tsx";
import { ConsoleConnectorsDocument, type ConnectorDirection, type ConsoleConnectorsQuery } from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { allows } from "../session/store-choice.ts";
import { QueryError } from "../shared/OutcomeLine.tsx";
import { Pager, useCursorTrail } from "../shared/Pager.tsx";
import { connectorPath } from "./paths.ts";
import { ActiveLabel, DeliveryStatusLabel, directionName } from "./StateLabel.tsx";

const PAGE_SIZE = 25;

interface Filters {
  active: "" | "true" | "false";
  direction: ConnectorDirection | "";
}

/** The store's connectors, newest first, with their state and latest delivery; filtered by state and direction. */
export function ConnectorList({ store }: { store: ConsoleStore }) {
  const [filters, setFilters] = useState<Filters>({ active: "", direction: "" });
  const trail = useCursorTrail();
  const [{ data, fetching, error }] = useQuery({
    query: ConsoleConnectorsDocument,
    variables: {
      active: filters.active === "" ? undefined : filters.active === "true",
      direction: filters.direction || undefined,
      first: PAGE_SIZE,
      after: trail.after,
    },
    requestPolicy: "cache-and-network",
  });
  const change = (next: Partial<Filters>) => {
    setFilters({ ...filters, ...next });
    trail.reset();
  };
  const page = data?.connectors;
  return (
    <section aria-labelledby="connectors-title">
      <h1 id="connectors-title">Connectors</h1>
      <div class="search">
        <label>
          State
          <select value={filters.active} onChange={(e) => change({ active: e.currentTarget.value as Filters["active"] })}>
            <option value="">Any</option>
            <option value="true">Active</option>
            <option value="false">Inactive</option>
          </select>
        </label>
        <label>
          Direction
          <select value={filters.direction} onChange={(e) => change({ direction: e.currentTarget.value as Filters["direction"] })}>
            <option value="">Any</option>
            <option value="OUTFLOW">Outflow (sends events)</option>
            <option value="INFLOW">Inflow (receives records)</option>
          </select>
        </label>
        {allows(store, "CONNECTORS_MANAGE") ? (
          <Link href="/new" class="button-link">
            New connector
          </Link>
        ) : (
          <button type="button" disabled>
            New connector
          </button>
        )}
      </div>
      <QueryError error={error} />
      <p class="status-line" role="status">
        {fetching ? "Loading…" : page && page.edges.length === 0 ? "No connector matches." : ""}
      </p>
      {page && page.edges.length > 0 && <ConnectorTable rows={page.edges.map((edge) => edge.node)} />}
      <Pager trail={trail} pageInfo={page?.pageInfo} label="Connector pages" />
    </section>
  );
}

type Row = ConsoleConnectorsQuery["connectors"]["edges"][number]["node"];

function ConnectorTable({ rows }: { rows: Row[] }) {
  return (
    <table class="accounts connectors">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Direction</th>
          <th scope="col">State</th>
          <th scope="col">Failures in a row</th>
          <th scope="col">Last delivery</th>
          <th scope="col">Target</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((connector) => {
          const last = connector.deliveries.edges[0]?.node;
          return (
            <tr key={connector.id}>
              <td>
                <Link href={connectorPath(connector.id)}>{connector.name}</Link>
              </td>
              <td>{directionName(connector.direction)}</td>
              <td>
                <ActiveLabel connector={connector} />
              </td>
              <td>{connector.consecutiveFailures}</td>
              <td>
                {last ? (
                  <>
                    <DeliveryStatusLabel status={last.status} /> {formatDate(last.deliveredAt ?? last.createdAt)}
                  </>
                ) : (
                  "—"
                )}
              </td>
              <td>{connector.url ? <code>{connector.url}</code> : "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
