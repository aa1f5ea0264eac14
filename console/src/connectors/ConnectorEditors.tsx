import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { outcomeOf, type Outcome } from "../accounts/outcome.ts";
import {
  ConsoleAuditEventTypesDocument,
  ConsoleConnectorDocument,
  ConsoleCreateConnectorDocument,
  ConsoleUpdateConnectorDocument,
  type ConsoleIssuedSecretFragment,
} from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { allows } from "../session/store-choice.ts";
import { OutcomeLine, QueryError } from "../shared/OutcomeLine.tsx";
import { ConnectorForm } from "./ConnectorForm.tsx";
import { inputOf, NEW_CONNECTOR, patchOf, valuesOf, type ConnectorFormValues } from "./form-values.ts";
import { connectorPath } from "./paths.ts";
import { SecretOnce } from "./SecretOnce.tsx";

/** /connectors/new: the form, then the new connector's secret (shown this once) and a link to its page. */
export function CreateConnector({ store }: { store: ConsoleStore }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [issued, setIssued] = useState<ConsoleIssuedSecretFragment | null>(null);
  const [, create] = useMutation(ConsoleCreateConnectorDocument);
  const submit = async (values: ConnectorFormValues) => {
    setOutcome(null);
    const result = await create({ input: inputOf(values) }, { additionalTypenames: ["Connector"] });
    setOutcome(
      outcomeOf(result, (payload: { issued: ConsoleIssuedSecretFragment }) => {
        setIssued(payload.issued);
        return `Created ${payload.issued.connector.name}.`;
      }),
    );
  };
  return (
    <section aria-labelledby="new-connector-title">
      <p>
        <Link href="/">← Connectors</Link>
      </p>
      <h1 id="new-connector-title">New connector</h1>
      {issued ? (
        <>
          <OutcomeLine outcome={outcome} />
          <SecretOnce secret={issued.secret} />
          <p>
            <Link href={connectorPath(issued.connector.id)}>Open {issued.connector.name}</Link>
          </p>
        </>
      ) : (
        <>
          <ConnectorForm
            initial={NEW_CONNECTOR}
            creating
            submitLabel="Create connector"
            allowed={allows(store, "CONNECTORS_MANAGE")}
            onSubmit={submit}
          />
          <OutcomeLine outcome={outcome} />
        </>
      )}
    </section>
  );
}

/** /connectors/:id/edit: the connector's settings; saved, it returns to the connector's page. */
export function EditConnector({ id, store }: { id: string; store: ConsoleStore }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ data, fetching, error }] = useQuery({ query: ConsoleConnectorDocument, variables: { id } });
  // The form splits the connector's events into known types and wildcards, so it waits for the types.
  const [types] = useQuery({ query: ConsoleAuditEventTypesDocument });
  const [, update] = useMutation(ConsoleUpdateConnectorDocument);
  const [, navigate] = useLocation();
  const connector = data?.connector;
  const submit = async (values: ConnectorFormValues) => {
    setOutcome(null);
    const result = outcomeOf(await update({ id, input: patchOf(values) }), () => "Saved.");
    if (result.ok) navigate(connectorPath(id));
    else setOutcome(result);
  };
  const known = types.data && new Set(types.data.auditEventTypes.map((t) => t.name));
  return (
    <section aria-labelledby="edit-connector-title">
      <p>
        <Link href={connectorPath(id)}>← Back to the connector</Link>
      </p>
      <QueryError error={error ?? types.error} />
      {!connector && !fetching && !error && <p>No such connector in this identity store.</p>}
      {connector && known && (
        <>
          <h1 id="edit-connector-title">Edit {connector.name}</h1>
          <ConnectorForm
            initial={valuesOf(connector, known)}
            creating={false}
            submitLabel="Save settings"
            allowed={allows(store, "CONNECTORS_MANAGE")}
            onSubmit={submit}
          />
          <OutcomeLine outcome={outcome} />
        </>
      )}
    </section>
  );
}
