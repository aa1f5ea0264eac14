import { useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { ConsoleConnectorDocument } from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { allows } from "../session/store-choice.ts";
import { QueryError } from "../shared/OutcomeLine.tsx";
import { ConnectorActions } from "./ConnectorActions.tsx";
import { ConnectorSettings } from "./ConnectorSettings.tsx";
import { DeliveryLog } from "./DeliveryLog.tsx";
import { InflowRequests } from "./InflowRequests.tsx";
import { connectorPath } from "./paths.ts";
import { ActiveLabel, directionName } from "./StateLabel.tsx";

/** One connector: its state and settings, its actions, and its delivery log (outflow) or received requests (inflow). */
export function ConnectorPage({ id, store }: { id: string; store: ConsoleStore }) {
  const [{ data, fetching, error }] = useQuery({ query: ConsoleConnectorDocument, variables: { id } });
  // Bumped by an action that adds to the log (a test event, a replay): the log asks again.
  const [logVersion, setLogVersion] = useState(0);
  const connector = data?.connector;
  return (
    <section aria-labelledby="connector-title">
      <p>
        <Link href="/">← Connectors</Link>
      </p>
      <QueryError error={error} />
      {!connector && !fetching && !error && <p>No such connector in this identity store.</p>}
      {connector && (
        <>
          <h1 id="connector-title">{connector.name}</h1>
          <p>
            {directionName(connector.direction)} connector <ActiveLabel connector={connector} />{" "}
            {allows(store, "CONNECTORS_MANAGE") && <Link href={`${connectorPath(connector.id)}/edit`}>Edit settings</Link>}
          </p>
          <ConnectorSettings connector={connector} />
          <ConnectorActions connector={connector} store={store} onLogChanged={() => setLogVersion(logVersion + 1)} />
          {connector.direction === "OUTFLOW" ? (
            <DeliveryLog connectorId={connector.id} store={store} version={logVersion} onLogChanged={() => setLogVersion(logVersion + 1)} />
          ) : (
            <InflowRequests connectorId={connector.id} />
          )}
        </>
      )}
    </section>
  );
}
