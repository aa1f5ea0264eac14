import { errors, jwtVerify, SignJWT } from "jose";
import { SignInUnavailableError } from "../errors.ts";
import { ALGORITHM } from "../signing-keys/keys.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";

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
}

export const CUSTOMER_SCOPE = "customer";

/** An impersonation token's extras: RFC 8693's `act` (the admin credential acting) and a shorter life. */
export interface Impersonation {
  act: { sub: string };
  /** Capped at ACCESS_TOKEN_TTL_SECONDS, so a rotated signing key still verifies it until it expires. */
  ttlSeconds: number;
}

/**
 * Signs a short-lived access token (JWT, EdDSA over Ed25519, `kid` in the header). Cost: one
 * Ed25519 signature (≈ 50 µs); the signing key comes from the store's cache.
 */
export async function signAccessToken(
  auth: AuthRuntime,
  claims: Omit<AccessClaims, "scope">,
  impersonation?: Impersonation,
): Promise<{ token: string; expiresAt: Date }> {
  if (!auth.keys.masterKey) throw new SignInUnavailableError();
  const { kid, key } = await auth.keys.signer();
  const now = Math.floor(Date.now() / 1000);
  const exp = now + Math.min(auth.config.accessTokenTtlSeconds, impersonation?.ttlSeconds ?? Infinity);
  const act = impersonation ? { act: impersonation.act } : {};
  const token = await new SignJWT({ tenant: claims.tenant, sid: claims.sid, scope: CUSTOMER_SCOPE, ...act })
    .setProtectedHeader({ alg: ALGORITHM, kid, typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(auth.config.issuer)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(key);
  return { token, expiresAt: new Date(exp * 1000) };
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
