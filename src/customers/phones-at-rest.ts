import type { Db } from "../db/database.ts";
import type { Contact } from "../generated/prisma/client.ts";
import type { ContactKind } from "../generated/prisma/enums.ts";
import { withRequestPii } from "../pii/per-request.ts";
import { BLIND_INDEX_PREFIX, PHONE_SCOPE, tenantPii, type TenantPii } from "../pii/at-rest.ts";
import type { Queryable } from "../pii/keyring.ts";
import type { ServiceContext } from "../service-context.ts";

// Phone numbers are sealed at rest when the gateway has a MASTER_KEY (README "PII encryption"):
// contact.value holds pii.seal(e164, "phone") and contact.normalized its blind index ("bi:…"), so
// the unique key (tenant, kind, normalized) still refuses a number held twice and an exact lookup
// stays one index probe. Rows written before (or without a MASTER_KEY) hold the E.164 in both
// columns: a row is sealed iff its normalized starts with "bi:", and lookups ask for both forms
// until `pii encrypt-existing` (seal-existing.ts) has converted the tenant. Emails stay in clear.

export const isSealed = (normalized: string) => normalized.startsWith(BLIND_INDEX_PREFIX);

/** The tenant's keys for phones (null: store them in clear); inside a transaction pass its `tx`. */
export const phonePii = (ctx: ServiceContext, q: Queryable = ctx.db) => tenantPii(ctx.db, q, ctx.tenantId);

/** A contact as its row stores it: a phone sealed and indexed when there are keys, anything else unchanged. */
export function storedContact<T extends { kind: ContactKind; value: string; normalized: string }>(pii: TenantPii | null, c: T): T {
  if (!pii || c.kind !== "PHONE") return c;
  return { ...c, value: pii.seal(c.normalized, PHONE_SCOPE), normalized: pii.index(c.normalized, PHONE_SCOPE) };
}

/** The `normalized` values a contact may be stored under: a phone's blind index and (rows from before) its E.164. */
export function storedKeys(pii: TenantPii | null, kind: ContactKind, normalized: string): string[] {
  return pii && kind === "PHONE" ? [pii.index(normalized, PHONE_SCOPE), normalized] : [normalized];
}

/**
 * The clear text of a stored contact row (lower-cased email, E.164 phone). Throws when a sealed
 * value does not open under `pii` (another tenant's row, or bytes changed): an internal error.
 */
export function contactText(pii: TenantPii | null, row: { normalized: string; value: string }): string {
  if (!isSealed(row.normalized)) return row.normalized;
  if (!pii) throw new Error("a sealed phone number, but this gateway has no MASTER_KEY");
  return String(pii.open(row.value, PHONE_SCOPE));
}

/**
 * contactText for a GraphQL field: synchronous for a row in clear and once the request holds the
 * tenant's keys (pii/per-request.ts), so the SQL read still serves documents that read phones.
 */
export function contactTextFor(request: { db: Db }, row: Pick<Contact, "tenantId" | "normalized" | "value">): string | Promise<string> {
  if (!isSealed(row.normalized)) return row.normalized;
  return withRequestPii(request, row.tenantId, [row.value], (pii) => contactText(pii, row));
}

/**
 * The rows with their sealed phones opened (value and normalized both the E.164, as rows in clear
 * are), for whatever shows a customer whole. Cost: the tenant's keys when a row is sealed.
 */
export async function openContacts<T extends Pick<Contact, "normalized" | "value">>(
  ctx: ServiceContext,
  q: Queryable,
  rows: T[],
): Promise<T[]> {
  const sealed = rows.filter((r) => isSealed(r.normalized));
  if (sealed.length === 0) return rows;
  const pii = await tenantPii(
    ctx.db,
    q,
    ctx.tenantId,
    sealed.map((r) => r.value),
  );
  return rows.map((r) => {
    if (!isSealed(r.normalized)) return r;
    const text = contactText(pii, r);
    return { ...r, value: text, normalized: text };
  });
}
