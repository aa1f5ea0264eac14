import { z } from "zod";
import type { Db } from "../db/database.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { AdminCredential, Prisma } from "../generated/prisma/client.ts";
import { AdminScope } from "../generated/prisma/enums.ts";
import { transact } from "../db/transact.ts";
import type { AdminPrincipal, ServiceContext } from "../service-context.ts";
import { isUuid } from "../ids.ts";
import { ALL_SCOPES, READ_ONLY_SCOPES, holdsScope, scopesBeyond } from "../security/scopes.ts";
import { parseInput } from "../validation.ts";
import { generateApiKey, secretMatches } from "../security/tokens.ts";

// Touching lastUsedAt on every request would turn every read into a write.
const LAST_USED_RESOLUTION_MS = 60_000;

/** A credential that checked out, with the hash its secret is checked against (for a cache). */
export interface VerifiedCredential {
  principal: AdminPrincipal;
  secretHash: string;
}

/**
 * Checks an API key id + secret. Returns the principal, or null for an unknown key, a wrong
 * secret or a revoked credential — the caller cannot tell which. Cost: one indexed read, plus a
 * write at most once a minute per credential.
 */
export async function authenticateApiKey(db: Db, keyId: string, secret: string): Promise<VerifiedCredential | null> {
  const credential = await db.adminCredential.findUnique({ where: { keyId } });
  const valid = secretMatches(secret, credential?.secretHash ?? null);
  if (!credential || !valid || credential.revokedAt) return null;
  const now = Date.now();
  if (!credential.lastUsedAt || now - credential.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.adminCredential.update({ where: { id: credential.id }, data: { lastUsedAt: new Date(now) } });
  }
  const principal = { tenantId: credential.tenantId, credentialId: credential.id, keyId: credential.keyId, scopes: credential.scopes };
  return { principal, secretHash: credential.secretHash };
}

const createInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(AdminScope)).min(1, "give at least one scope").optional(),
});

export interface IssuedCredential {
  credential: AdminCredential;
  /** The only time the secret exists in clear text. */
  secret: string;
}

/**
 * Issues a new admin credential for the caller's tenant; the secret is returned once. A credential
 * can hand out only scopes it holds itself (`grantable`: the caller's scopes; everything for the
 * CLI, which acts as the operator). Without `scopes` it gets the read-only scopes the caller holds
 * (least privilege). VALIDATION_FAILED on `scopes` for anything beyond `grantable`.
 */
export async function createCredential(
  ctx: ServiceContext,
  input: z.input<typeof createInput>,
  grantable: readonly AdminScope[] = ALL_SCOPES,
): Promise<IssuedCredential> {
  const parsed = parseInput(createInput, input);
  const name = parsed.name;
  const scopes = parsed.scopes ?? READ_ONLY_SCOPES.filter((s) => holdsScope(grantable, s));
  const beyond = scopesBeyond(grantable, scopes);
  if (beyond.length > 0)
    throw new ValidationError([
      { field: "scopes", message: `cannot grant scopes the granting credential does not hold: ${beyond.join(", ")}` },
    ]);
  if (scopes.length === 0) throw new ValidationError([{ field: "scopes", message: "give at least one scope" }]);
  const { keyId, secret, secretHash } = generateApiKey();
  return transact(ctx, async (tx, audit) => {
    const credential = await tx.adminCredential.create({
      data: { tenantId: ctx.tenantId, keyId, secretHash, name, scopes: [...new Set(scopes)] },
    });
    await audit({ type: "credential.created", data: { credentialId: credential.id, keyId, name, scopes: credential.scopes } });
    return { credential, secret };
  });
}

/** Revokes a credential of the caller's tenant; requests using it fail from now on. */
export async function revokeCredential(ctx: ServiceContext, credentialId: string): Promise<AdminCredential> {
  return transact(ctx, async (tx, audit) => {
    const existing = isUuid(credentialId)
      ? await tx.adminCredential.findFirst({ where: { id: credentialId, tenantId: ctx.tenantId } })
      : null;
    if (!existing) throw new NotFoundError("CREDENTIAL_NOT_FOUND");
    if (existing.revokedAt) return existing;
    const credential = await tx.adminCredential.update({ where: { id: existing.id }, data: { revokedAt: new Date() } });
    await audit({ type: "credential.revoked", data: { credentialId: credential.id, keyId: credential.keyId } });
    return credential;
  });
}

/** Revokes the tenant's credential with this public key id (the CLI names credentials by key id). */
export async function revokeCredentialByKeyId(ctx: ServiceContext, keyId: string): Promise<AdminCredential> {
  const found = await ctx.db.adminCredential.findFirst({ where: { keyId, tenantId: ctx.tenantId }, select: { id: true } });
  if (!found) throw new NotFoundError("CREDENTIAL_NOT_FOUND");
  return revokeCredential(ctx, found.id);
}

/** Which relations to load along (the shape Pothos hands its resolvers). */
type Relations<T> = { include?: T; select?: T };

/** The credential of the caller, with the relations asked for. Cost: one indexed read. */
export function findOwnCredential(
  ctx: ServiceContext & { credentialId: string },
  relations: Relations<Prisma.AdminCredentialInclude> = {},
) {
  return ctx.db.adminCredential.findUniqueOrThrow({ ...(relations as object), where: { id: ctx.credentialId } });
}

/** The caller's tenant, with the relations asked for. Cost: one indexed read. */
export function findOwnTenant(ctx: ServiceContext, relations: Relations<Prisma.TenantInclude> = {}) {
  return ctx.db.tenant.findUniqueOrThrow({ ...(relations as object), where: { id: ctx.tenantId } });
}

/**
 * One page of the tenant's credentials, oldest first, optionally with revoked ones. `page` is the
 * cursor/take Pothos computed; a cursor that is not a credential id is VALIDATION_FAILED on `after`.
 * Cost: one index range scan.
 */
export function listCredentials(
  ctx: ServiceContext,
  page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations<Prisma.AdminCredentialInclude>,
  includeRevoked: boolean,
) {
  return ctx.db.adminCredential.findMany({
    ...(page as object),
    cursor: page.cursor ? { id_tenantId: { id: cursorId(page.cursor.id), tenantId: ctx.tenantId } } : undefined,
    where: { tenantId: ctx.tenantId, ...(includeRevoked ? {} : { revokedAt: null }) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

function cursorId(id: unknown): string {
  if (typeof id === "string" && isUuid(id)) return id;
  throw new ValidationError([{ field: "after", message: "not a cursor returned by this list" }]);
}
