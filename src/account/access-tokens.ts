import { errors, jwtVerify, SignJWT } from "jose";
import { SignInUnavailableError } from "../errors.ts";
import { ALGORITHM } from "../signing-keys/keys.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import { accessClaims, type AccessTokenClaims } from "../access/claims.ts";
import type { Db } from "../db/database.ts";

/** What a customer access token says. */
export interface AccessClaims {
  /** Customer row id. */
  sub: string;
  /** Tenant row id. */
  tenant: string;
  /** Session row id: checked on every request, so revoking the session ends the token. */
  sid: string;
  /** Space-separated; "customer" is all this gateway issues today. */
  scope: string;
  /** How the customer signed in (RFC 8176): ["pwd"], or ["pwd","otp"] after a second factor. Informational: nothing here checks it. */
  amr?: string[];
}

export const CUSTOMER_SCOPE = "customer";

/** An impersonation token's extras: RFC 8693's `act` (the admin credential acting) and a shorter life. */
export interface Impersonation {
  act: { sub: string };
  /** Capped at ACCESS_TOKEN_TTL_SECONDS, so a rotated signing key still verifies it until it expires. */
  ttlSeconds: number;
}

/**
 * Signs a short-lived access token (JWT, EdDSA over Ed25519, `kid` in the header). `access`: the
 * customer's roles, org_roles, permissions and groups (access/claims.ts accessClaims), never able
 * to override the claims above. Cost: one Ed25519 signature (≈ 50 µs); the signing key comes from
 * the store's cache.
 */
export async function signAccessToken(
  auth: AuthRuntime,
  claims: Omit<AccessClaims, "scope"> & { access?: AccessTokenClaims },
  impersonation?: Impersonation,
): Promise<{ token: string; expiresAt: Date }> {
  if (!auth.keys.masterKey) throw new SignInUnavailableError();
  const { kid, key } = await auth.keys.signer();
  const now = Math.floor(Date.now() / 1000);
  const exp = now + Math.min(auth.config.accessTokenTtlSeconds, impersonation?.ttlSeconds ?? Infinity);
  const token = await new SignJWT({
    ...claims.access,
    tenant: claims.tenant,
    sid: claims.sid,
    scope: CUSTOMER_SCOPE,
    ...(claims.amr ? { amr: claims.amr } : {}),
    ...(impersonation ? { act: impersonation.act } : {}),
  })
    .setProtectedHeader({ alg: ALGORITHM, kid, typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(auth.config.issuer)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(key);
  return { token, expiresAt: new Date(exp * 1000) };
}

/**
 * Issues a customer's access token with their current access claims (roles, org_roles,
 * permissions, groups): what every issuer calls (sign-in, second factor, refresh, impersonation).
 * Cost: one statement (accessClaims) and one signature.
 */
export async function issueAccessToken(
  db: Db,
  auth: AuthRuntime,
  claims: Omit<AccessClaims, "scope">,
  impersonation?: Impersonation,
): Promise<{ token: string; expiresAt: Date }> {
  const access = await accessClaims(db, claims.tenant, claims.sub);
  return signAccessToken(auth, { ...claims, access }, impersonation);
}

/**
 * Checks an access token's signature, algorithm, issuer and expiry; returns its claims or null.
 * Does NOT check the session: the caller must (see principal.ts). Cost: one Ed25519 verification.
 */
export async function verifyAccessToken(auth: AuthRuntime, token: string): Promise<AccessClaims | null> {
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = await auth.keys.verificationKey(header.kid);
        // jose reports a missing key as a failed verification, which is what we want.
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      { algorithms: [ALGORITHM], issuer: auth.config.issuer, clockTolerance: 5 },
    );
    const { sub, tenant, sid, scope } = payload as Partial<Record<keyof AccessClaims, unknown>>;
    if (typeof sub !== "string" || typeof tenant !== "string" || typeof sid !== "string" || typeof scope !== "string") return null;
    return { sub, tenant, sid, scope };
  } catch {
    return null;
  }
}
