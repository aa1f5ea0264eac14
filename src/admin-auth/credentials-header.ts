import type { Db } from "../db/database.ts";
import { unauthenticated } from "../graphql/auth-errors.ts";
import type { AuthFailureReport } from "../security/events.ts";
import { secretMatches } from "../security/tokens.ts";
import type { AuthenticateApiKey } from "./credential-cache.ts";
import { type AdminPrincipal } from "../service-context.ts";

/**
 * Reads the admin credential of a request: `X-API-Key` + `X-API-Secret` headers (connection
 * params use the same names). No credential at all yields null — public fields still work and
 * admin fields answer UNAUTHENTICATED. A credential that is present but wrong fails the whole
 * request with 401, so a typo never looks like an empty result, and is reported as
 * `admin_auth_failed` (to the key's tenant when the key exists; never the secret).
 */
export async function adminFromHeaders(
  db: Db,
  authenticate: AuthenticateApiKey,
  get: (name: string) => string | null | undefined,
  report: AuthFailureReport,
): Promise<AdminPrincipal | null> {
  const keyId = get("x-api-key");
  const secret = get("x-api-secret");
  if (!keyId && !secret) return null;
  const principal = keyId && secret ? await authenticate(keyId, secret) : null;
  if (!principal) {
    await reportFailure(db, keyId ?? null, secret ?? null, report);
    throw unauthenticated();
  }
  return principal;
}

/**
 * Logs a refused admin credential. Only on this failure path, one more indexed read finds the
 * key's tenant (and tells a revoked key from a wrong secret) for the admin-visible audit event.
 */
async function reportFailure(db: Db, keyId: string | null, secret: string | null, { security, request }: AuthFailureReport): Promise<void> {
  const select = { id: true, tenantId: true, revokedAt: true, secretHash: true };
  const key = keyId && keyId.length <= 100 ? await db.adminCredential.findUnique({ where: { keyId }, select }) : null;
  const cause = !keyId
    ? "missing_key"
    : !key
      ? "unknown_key"
      : !secret
        ? "missing_secret"
        : !secretMatches(secret, key.secretHash)
          ? "wrong_secret"
          : "revoked";
  security.record({
    kind: "admin_auth_failed",
    tenantId: key?.tenantId ?? null,
    // One audit event per window per key (or per IP for keys that exist nowhere).
    subject: key ? `key:${key.id}` : `ip:${request.ip ?? "-"}`,
    request,
    // The key id only when it exists: an unknown "key" may be a secret pasted into the wrong header.
    data: { scheme: "api_key", reason: cause, ...(key ? { credentialId: key.id, keyId } : {}) },
  });
}
