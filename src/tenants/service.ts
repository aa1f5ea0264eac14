import { LRUCache } from "lru-cache";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { keyringOf } from "../pii/keyring.ts";
import { transact } from "../db/transact.ts";
import type { Db } from "../db/database.ts";
import { ConflictError } from "../errors.ts";
import type { AdminCredential, Tenant } from "../generated/prisma/client.ts";
import { ALL_SCOPES } from "../security/scopes.ts";
import { generateApiKey } from "../security/tokens.ts";
import type { EventBus } from "../events/bus.ts";
import { serviceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";

const createInput = z.object({
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and dashes, at most 63"),
  name: z.string().trim().min(1).max(200).optional(),
});

export interface CreatedTenant {
  tenant: Tenant;
  credential: AdminCredential;
  /** The first admin secret, shown exactly once. */
  secret: string;
}

/**
 * Creates a tenant (an identity store) with a first, all-scopes admin credential, in one
 * transaction with its audit events. Used by the CLI and by first-start bootstrap.
 */
export async function createTenant(db: Db, events: EventBus, input: z.input<typeof createInput>): Promise<CreatedTenant> {
  const { slug, name } = parseInput(createInput, input);
  const existing = await db.tenant.findUnique({ where: { slug } });
  if (existing) throw new ConflictError("TENANT_SLUG_TAKEN", "slug", `a tenant named "${slug}" exists`);
  const { keyId, secret, secretHash } = generateApiKey();
  const tenantId = randomUUID();
  const ctx = serviceContext({ db, events }, tenantId, { kind: "SYSTEM", id: null });
  const created = await transact(ctx, async (tx, audit) => {
    const tenant = await tx.tenant.create({ data: { id: tenantId, slug, name: name ?? slug } });
    const credential = await tx.adminCredential.create({
      data: { tenantId, keyId, secretHash, name: "initial admin", scopes: ALL_SCOPES },
    });
    await audit({ type: "tenant.created", data: { slug, name: tenant.name } });
    await audit({ type: "credential.created", data: { credentialId: credential.id, keyId, name: credential.name, scopes: ALL_SCOPES } });
    return { tenant, credential, secret };
  });
  // Its PII data key now rather than inside the tenant's first customer write.
  await keyringOf(db)?.ensureDataKey(db, tenantId);
  return created;
}

/** On an empty database, creates the `default` tenant; returns it (with its secret) or null. */
export async function bootstrapDefaultTenant(db: Db, events: EventBus): Promise<CreatedTenant | null> {
  if ((await db.tenant.count()) > 0) return null;
  return createTenant(db, events, { slug: "default", name: "Default" });
}

/** The id of the tenant with this slug (any case, surrounding spaces ignored), or null. Cost: one indexed read. */
export async function findTenantIdBySlug(db: Db, slug: string): Promise<string | null> {
  const tenant = await db.tenant.findUnique({ where: { slug: slug.trim().toLowerCase() }, select: { id: true } });
  return tenant?.id ?? null;
}

// Bounds memory whatever the number of tenants; one beyond it is simply read again.
const MAX_CACHED_SLUGS = 10_000;

/**
 * findTenantIdBySlug, remembered: a slug names the same tenant for ever (slugs cannot be changed and
 * tenants are never deleted — if either ever can, evict here), so every public request (sign-in,
 * password reset…) after the first for a tenant skips the read. Unknown slugs are not remembered:
 * the tenant may be created later.
 */
export function cachedTenantIdBySlug(db: Db): (slug: string) => Promise<string | null> {
  const known = new LRUCache<string, string>({ max: MAX_CACHED_SLUGS });
  return async (slug) => {
    const key = slug.trim().toLowerCase();
    const cached = known.get(key);
    if (cached) return cached;
    const id = await findTenantIdBySlug(db, key);
    if (id) known.set(key, id);
    return id;
  };
}

/** Every tenant, oldest first (the CLI's `tenant list`). Cost: one read of the tenant table. */
export function listTenants(db: Db): Promise<Tenant[]> {
  return db.tenant.findMany({ orderBy: { createdAt: "asc" } });
}
