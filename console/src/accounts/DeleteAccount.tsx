import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { useLocation } from "wouter-preact";
import { ConsoleDeleteAccountDocument, type ConsoleAccountOverviewFragment } from "../generated/graphql.ts";
import { outcomeOf } from "./outcome.ts";

/** Irreversible, so it asks for the account's email (its uid when it has none) typed out first. */
export function DeleteAccount({ account, allowed }: { account: ConsoleAccountOverviewFragment; allowed: boolean }) {
  const confirmation = account.emails.find((email) => email.primary)?.address ?? account.uid;
  const [typed, setTyped] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const [{ fetching }, deleteAccount] = useMutation(ConsoleDeleteAccountDocument);
  const [, navigate] = useLocation();

  const submit = async (event: Event) => {
    event.preventDefault();
    const outcome = outcomeOf(await deleteAccount({ id: account.id }, { additionalTypenames: ["Customer"] }), () => "Deleted.");
    if (outcome.ok) navigate("/");
    else setFailure(outcome.message);
  };
  return (
    <form class="danger" onSubmit={submit}>
      <h2>Delete account</h2>
      <p>Deletes the account with its identities, sessions, consents and custom objects. This cannot be undone.</p>
      <label>
        <span>
          Type <strong>{confirmation}</strong> to confirm
        </span>
        <input value={typed} disabled={!allowed} autocomplete="off" onInput={(e) => setTyped(e.currentTarget.value)} />
      </label>
      <button type="submit" class="destructive" disabled={!allowed || fetching || typed.trim() !== confirmation}>
        Delete account
      </button>
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
    </form>
  );
}
