import { useState } from "preact/hooks";
import { AccountError, changePassword } from "../session/account-api.ts";
import { PasswordField } from "./PasswordField.tsx";

/** The member changes their password: the current one, the new one twice. Other sessions end. */
export function ChangePassword({ csrfToken }: { csrfToken: string }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setMessage(null);
    if (next !== again) return setMessage({ ok: false, text: "The two new passwords differ." });
    setBusy(true);
    try {
      const { sessionsEnded } = await changePassword(csrfToken, current, next);
      setMessage({ ok: true, text: `Password changed.${sessionsEnded > 0 ? ` ${sessionsEnded} other session(s) signed out.` : ""}` });
      setCurrent("");
      setNext("");
      setAgain("");
    } catch (error) {
      setMessage({ ok: false, text: error instanceof AccountError ? error.message : "The gateway could not be reached. Try again." });
    }
    setBusy(false);
  };

  return (
    <form class="stacked" onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <PasswordField id="current-password" label="Current password" value={current} onInput={setCurrent} />
      <PasswordField
        id="new-password"
        label="New password (12 characters or more)"
        value={next}
        onInput={setNext}
        autocomplete="new-password"
        minLength={12}
      />
      <PasswordField id="new-password-again" label="New password again" value={again} onInput={setAgain} autocomplete="new-password" />
      {message && (
        <p class={message.ok ? "done" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Change password
      </button>
    </form>
  );
}
