import type { Db } from "../db/database.ts";
import { unauthenticated } from "../graphql/auth-errors.ts";
import { authenticateApiKey, type AdminPrincipal } from "./service.ts";

/**
 * Reads the admin credential of a request: `X-API-Key` + `X-API-Secret` headers (connection
 * params use the same names). No credential at all yields null — public fields still work and
 * admin fields answer UNAUTHENTICATED. A credential that is present but wrong fails the whole
 * request with 401, so a typo never looks like an empty result.
 */
export async function adminFromHeaders(db: Db, get: (name: string) => string | null | undefined): Promise<AdminPrincipal | null> {
  const keyId = get("x-api-key");
  const secret = get("x-api-secret");
  if (!keyId && !secret) return null;
  if (!keyId || !secret) throw unauthenticated();
  const principal = await authenticateApiKey(db, keyId, secret);
  if (!principal) throw unauthenticated();
  return principal;
}
