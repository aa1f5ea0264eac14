import { useState } from "preact/hooks";
import { CodeRequired, signIn, SignInError, type ConsoleSession } from "./api.ts";

/**
 * The sign-in form: email and password, then — for a member with an authenticator app — the
 * app's code (the password is sent again with it; nothing half-signed-in is kept on the server).
 */
export function SignIn({ onSignedIn }: { onSignedIn: (session: ConsoleSession) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // undefined: not asked for yet.
  const [code, setCode] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(email, password, code));
    } catch (failure) {
      if (failure instanceof CodeRequired) setCode("");
      else setError(failure instanceof SignInError ? failure.message : "The gateway could not be reached. Try again.");
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>Admin console</h1>
      <form onSubmit={submit} aria-describedby={error ? "sign-in-error" : undefined}>
        <label for="sign-in-email">Email</label>
        <input
          id="sign-in-email"
          type="email"
          autocomplete="username"
          required
          readOnly={code !== undefined}
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <label for="sign-in-password">Password</label>
        <input
          id="sign-in-password"
          type="password"
          autocomplete="current-password"
          required
          readOnly={code !== undefined}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {code !== undefined && <CodeField code={code} onInput={setCode} />}
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

/** The authenticator app's six digits; focused when it appears, filled by password managers (one-time-code). */
export function CodeField({ code, onInput, id = "sign-in-code" }: { code: string; onInput: (code: string) => void; id?: string }) {
  return (
    <>
      <label for={id}>Code from your authenticator app</label>
      <input
        id={id}
        inputMode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9]{6}"
        maxLength={6}
        required
        autoFocus
        value={code}
        onInput={(e) => onInput(e.currentTarget.value.trim())}
      />
    </>
  );
}
