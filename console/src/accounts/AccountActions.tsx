import { useClient, useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import {
  ConsoleAccountInformationDocument,
  ConsoleDeleteSessionsDocument,
  ConsoleDisableAccountDocument,
  ConsoleEnableAccountDocument,
  type AccountInformationFormat,
  type ConsoleAccountOverviewFragment,
} from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { allows } from "../session/store-choice.ts";
import { DeleteAccount } from "./DeleteAccount.tsx";
import { saveFile } from "./download.ts";
import { outcomeOf, type Outcome } from "./outcome.ts";

interface Props {
  account: ConsoleAccountOverviewFragment;
  store: ConsoleStore;
}

/** The overview panel's actions; those the member's scopes in this store do not allow are disabled. */
export function AccountActions({ account, store }: Props) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const client = useClient();
  const [, disable] = useMutation(ConsoleDisableAccountDocument);
  const [, enable] = useMutation(ConsoleEnableAccountDocument);
  const [, deleteSessions] = useMutation(ConsoleDeleteSessionsDocument);
  const mayWrite = allows(store, "CUSTOMERS_WRITE");
  const mayRead = allows(store, "CUSTOMERS_READ");
  const disabled = account.status === "DISABLED";

  const act = async (action: () => Promise<Outcome>) => {
    setBusy(true);
    setOutcome(null);
    setOutcome(await action());
    setBusy(false);
  };
  const toggleStatus = () =>
    act(async () => outcomeOf(await (disabled ? enable : disable)({ id: account.id }), () => (disabled ? "Enabled." : "Disabled.")));
  const endSessions = () =>
    act(async () =>
      outcomeOf(await deleteSessions({ customerId: account.id }), (p: { revokedCount: number }) => `Sessions deleted: ${p.revokedCount}.`),
    );
  const download = (format: AccountInformationFormat) =>
    act(async () => {
      const result = await client.query(
        ConsoleAccountInformationDocument,
        { customerId: account.id, format },
        { requestPolicy: "network-only" },
      );
      const document = result.data?.accountInformation;
      if (!document) return { ok: false, message: result.error?.message ?? "No such account." };
      saveFile(document.content, document.contentType, document.fileName);
      return { ok: true, message: `Downloaded ${document.fileName}.` };
    });

  return (
    <section class="actions" aria-label="Actions">
      <div class="buttons">
        <button type="button" disabled={busy || !mayWrite} onClick={toggleStatus}>
          {disabled ? "Enable" : "Disable"}
        </button>
        <button type="button" disabled={busy || !mayWrite} onClick={endSessions}>
          Delete sessions
        </button>
        <button type="button" disabled={busy || !mayRead} onClick={() => download("JSON")}>
          Download account information (JSON)
        </button>
        <button type="button" disabled={busy || !mayRead} onClick={() => download("HTML")}>
          Download account information (HTML)
        </button>
      </div>
      {!mayWrite && <p class="hint">Your role in this identity store does not allow changing accounts.</p>}
      <p role="status" class={outcome?.ok === false ? "error" : "done"}>
        {outcome?.message}
      </p>
      <DeleteAccount account={account} allowed={mayWrite} />
    </section>
  );
}
