import { useState } from "preact/hooks";
import type { Outcome } from "../../outcome.ts";
import { ApplicationChoice, resetLinkHint, type Application } from "../notify/ApplicationChoice.tsx";
import { useSendPasswordReset } from "../notify/password-reset.ts";

interface Props {
  customerId: string;
  allowed: boolean;
  run: (action: () => Promise<Outcome>) => Promise<boolean>;
}

/**
 * The messages the API sends on request alone. Every other `notify` argument in the schema tells
 * the customer about the change its mutation makes (profile, contacts, password, authenticators),
 * so those go out from where the change is made.
 */
const MESSAGES = [{ id: "PASSWORD_RESET", name: "Password reset link" }] as const;

export function NotifyForm({ customerId, allowed, run }: Props) {
  const [application, setApplication] = useState<Application | null>(null);
  const [message, setMessage] = useState<(typeof MESSAGES)[number]["id"]>("PASSWORD_RESET");
  const sendReset = useSendPasswordReset();
  const hint = message === "PASSWORD_RESET" ? resetLinkHint(application) : null;
  const submit = (event: Event) => {
    event.preventDefault();
    if (application) run(() => sendReset(customerId, application));
  };
  return (
    <form class="tab-form" onSubmit={submit} aria-label="Notify the customer">
      <ApplicationChoice label="Application" value={application} onChange={setApplication} disabled={!allowed} />
      <label>
        <span>Message</span>
        <select value={message} disabled={!allowed} onChange={(e) => setMessage(e.currentTarget.value as typeof message)}>
          {MESSAGES.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!allowed || !application}>
        Send
      </button>
      {hint && <p class="hint">{hint}</p>}
    </form>
  );
}
