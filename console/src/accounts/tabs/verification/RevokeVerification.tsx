import { useMutation } from "@urql/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ConsoleRevokeIdentityVerificationDocument, type ConsoleIdentityVerificationFragment } from "../../../generated/graphql.ts";
import { outcomeOf, type Outcome } from "../../outcome.ts";

interface Props {
  verification: ConsoleIdentityVerificationFragment;
  allowed: boolean;
  run: (action: () => Promise<Outcome>) => Promise<boolean>;
}

/** Revoking needs a reason (it stays in the history, with who and when): the button opens a small form asking for it. */
export function RevokeVerification({ verification, allowed, run }: Props) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [, revoke] = useMutation(ConsoleRevokeIdentityVerificationDocument);
  const input = useRef<HTMLInputElement>(null);
  // Opening the form moves the focus to the reason it asks for.
  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);
  if (!open)
    return (
      <button type="button" class="destructive" disabled={!allowed} onClick={() => setOpen(true)}>
        Revoke
      </button>
    );
  const submit = async (event: Event) => {
    event.preventDefault();
    const done = await run(async () =>
      outcomeOf(
        await revoke({ id: verification.id, reason: reason.trim() }),
        () => `Revoked the ${verification.policy.name} verification.`,
      ),
    );
    if (done) setOpen(false);
  };
  return (
    <form class="tab-form" onSubmit={submit} aria-label={`Revoke the ${verification.policy.name} verification`}>
      <label>
        <span>Reason for revoking</span>
        <input ref={input} value={reason} required onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <button type="submit" class="destructive" disabled={!allowed || reason.trim() === ""}>
        Revoke verification
      </button>
      <button type="button" class="secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
