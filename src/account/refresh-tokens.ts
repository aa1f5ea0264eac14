import type { Tx } from "../db/transact.ts";
import { newOpaqueToken } from "../security/tokens.ts";
import type { ServiceContext } from "../service-context.ts";

/** Stores a new refresh token for a session (only its hash); returns the token itself. One INSERT. */
export async function issueRefreshToken(tx: Tx, ctx: ServiceContext, sessionId: string): Promise<string> {
  const { token, hash } = newOpaqueToken();
  await tx.refreshToken.create({ data: { tenantId: ctx.tenantId, sessionId, tokenHash: hash } });
  return token;
}
