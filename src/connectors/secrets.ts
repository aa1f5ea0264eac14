import { randomBytes } from "node:crypto";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { decrypt, encrypt } from "../signing-keys/encryption.ts";

// Connector secrets and Standard Webhooks signatures (https://www.standardwebhooks.com): the
// `standardwebhooks` package signs and verifies, so receivers can check us with the same code.
// A secret is `whsec_` + base64 of 32 random bytes, shown once, stored sealed under the master key
// with the connector id bound in (a sealed secret copied onto another connector does not open).
// After a rotation the previous secret stays valid for an overlap window: outflow requests carry a
// signature under each live secret (the spec's space-separated list), inflow accepts either.

export const SECRET_PREFIX = "whsec_";

export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

export const sealSecret = (masterKey: Buffer, connectorId: string, secret: string): string =>
  encrypt(masterKey, Buffer.from(secret, "utf8"), `connector-secret:${connectorId}`);

export const openSecret = (masterKey: Buffer, connectorId: string, sealed: string): string =>
  decrypt(masterKey, sealed, `connector-secret:${connectorId}`).toString("utf8");

/** The secrets a connector signs with and accepts now: the current one, and the previous one during its overlap. */
export function liveSecrets(
  masterKey: Buffer,
  connector: { id: string; secretSealed: string; previousSecretSealed: string | null; previousSecretExpiresAt: Date | null },
  now = new Date(),
): string[] {
  const secrets = [openSecret(masterKey, connector.id, connector.secretSealed)];
  if (connector.previousSecretSealed && connector.previousSecretExpiresAt && connector.previousSecretExpiresAt > now) {
    secrets.push(openSecret(masterKey, connector.id, connector.previousSecretSealed));
  }
  return secrets;
}

/** Standard Webhooks headers for `body`, signed with every secret in `secrets`. */
export function signatureHeaders(secrets: string[], webhookId: string, timestamp: Date, body: string): Record<string, string> {
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(webhookId, timestamp, body)).join(" "),
  };
}

/**
 * Whether `body` with these headers is signed by one of `secrets` within the spec's 5-minute
 * timestamp tolerance. Returns the reason when it is not.
 */
export function verifySignature(
  secrets: string[],
  body: string,
  headers: Record<string, string>,
): { ok: true } | { ok: false; reason: string } {
  let reason = "no secret";
  for (const secret of secrets) {
    try {
      // Not parsed here (its JSON.parse would throw a SyntaxError for a signed body that is not JSON): the caller parses.
      new Webhook(secret).verify(body, headers, { jsonParse: false });
      return { ok: true };
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      reason = err.message;
    }
  }
  return { ok: false, reason };
}
