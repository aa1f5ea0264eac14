import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { outcomeOf, type Outcome } from "../accounts/outcome.ts";
import {
  ConsoleActivateConnectorDocument,
  ConsoleDeactivateConnectorDocument,
  ConsoleRotateConnectorSecretDocument,
  ConsoleTestConnectorDocument,
  type ConsoleConnectorFragment,
  type ConsoleDeliveryFragment,
  type ConsoleIssuedSecretFragment,
} from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { allows } from "../session/store-choice.ts";
import { OutcomeLine } from "../shared/OutcomeLine.tsx";
import { SecretOnce } from "./SecretOnce.tsx";

interface Props {
  connector: ConsoleConnectorFragment;
  store: ConsoleStore;
  /** An action added to the delivery log (a test event). */
  onLogChanged: () => void;
}

/** Send a test event, activate or deactivate, rotate the secret: CONNECTORS_MANAGE, shown disabled without it. */
export function ConnectorActions({ connector, store, onLogChanged }: Props) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [, test] = useMutation(ConsoleTestConnectorDocument);
  const [, activate] = useMutation(ConsoleActivateConnectorDocument);
  const [, deactivate] = useMutation(ConsoleDeactivateConnectorDocument);
  const [, rotate] = useMutation(ConsoleRotateConnectorSecretDocument);
  const mayManage = allows(store, "CONNECTORS_MANAGE");
  const id = connector.id;

  const act = async (action: () => Promise<Outcome>) => {
    setBusy(true);
    setOutcome(null);
    setOutcome(await action());
    setBusy(false);
  };
  const sendTest = () =>
    act(async () => {
      const result = outcomeOf(await test({ id }), ({ delivery }: { delivery: ConsoleDeliveryFragment }) => testMessage(delivery));
      onLogChanged();
      return result;
    });
  const toggle = () =>
    act(async () =>
      connector.active
        ? outcomeOf(await deactivate({ id }), () => "Deactivated: no deliveries are queued.")
        : outcomeOf(await activate({ id }), () => "Activated, with the failure count reset."),
    );
  const rotateSecret = () =>
    act(async () =>
      outcomeOf(await rotate({ id }), ({ issued }: { issued: ConsoleIssuedSecretFragment }) => {
        setSecret(issued.secret);
        return "A new secret was issued; the previous one stays valid for a day.";
      }),
    );

  return (
    <section class="actions" aria-label="Actions">
      <div class="buttons">
        {connector.direction === "OUTFLOW" && (
          <button type="button" disabled={busy || !mayManage} onClick={sendTest}>
            Send test event
          </button>
        )}
        <button type="button" disabled={busy || !mayManage} onClick={toggle}>
          {connector.active ? "Deactivate" : "Activate"}
        </button>
        <button type="button" disabled={busy || !mayManage} onClick={rotateSecret}>
          Rotate secret
        </button>
      </div>
      {!mayManage && <p class="hint">Your role in this identity store does not allow changing connectors (CONNECTORS_MANAGE).</p>}
      <OutcomeLine outcome={outcome} />
      {secret && <SecretOnce secret={secret} />}
    </section>
  );
}

function testMessage(delivery: ConsoleDeliveryFragment): string {
  const response = delivery.lastStatusCode ? ` (HTTP ${delivery.lastStatusCode})` : delivery.lastError ? ` (${delivery.lastError})` : "";
  return `Test event: ${delivery.status.toLowerCase()}${response}.`;
}
