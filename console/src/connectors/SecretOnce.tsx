import { useState } from "preact/hooks";

/**
 * A signing secret the gateway answered once (create, rotate): it keeps only a sealed copy, so this
 * is the only time anyone sees it. A copy button, and a warning saying so.
 */
export function SecretOnce({ secret }: { secret: string }) {
  const [copied, setCopied] = useState<string>("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("Copied.");
    } catch {
      setCopied("The browser did not allow copying: select the secret and copy it.");
    }
  };
  return (
    <section class="secret" aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret</h2>
      <p class="warning">
        <strong>Copy it now: it is shown only this once.</strong> The receiver verifies deliveries (or signs its posts) with it. If it is
        lost, rotate the secret.
      </p>
      <label>
        Secret
        <input value={secret} readOnly autocomplete="off" spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <button type="button" onClick={copy}>
        Copy secret
      </button>
      <p role="status" class="done">
        {copied}
      </p>
    </section>
  );
}
