import type { Db } from "../db/database.ts";
import { tenantPii, type TenantPii } from "./at-rest.ts";
import { withRequestPii } from "./per-request.ts";
import type { Queryable } from "./keyring.ts";

// A customer's PII columns at rest (README "PII encryption and erasure"): with a MASTER_KEY the
// birthdate, the addresses and the custom fields defined as PII are sealed together into
// customer.pii_sealed (bound to the customer's id) and their clear columns stay empty; each PII
// custom field also gets a blind index in customer.pii_index, which exact-match filters search.
// Readers see the customer "opened": the same shape as a clear row. Rows written before the key
// existed stay in clear until `pii encrypt-existing`, and read the same way.

/** The columns this module reads and writes. */
export interface PiiColumns {
  id: string;
  birthdate: Date | null;
  addresses: unknown;
  customFields: unknown;
  piiSealed: string | null;
}

interface SealedProfile {
  birthdate: string | null;
  addresses: unknown[];
  customFields: Record<string, unknown>;
}

/** What a write stores: the clear columns (emptied of PII when sealed) and the two PII columns. */
export interface StoredPii {
  birthdate: Date | null;
  addresses: unknown[];
  customFields: Record<string, unknown>;
  piiSealed: string | null;
  piiIndex: Record<string, string>;
}

const scopeOf = (customerId: string) => `customer:${customerId}`;
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

/** The blind index of a PII custom field's value (normalized as the validator stores it): what pii_index holds and filters look up. */
export const fieldIndex = (pii: TenantPii, key: string, value: unknown) => pii.index(JSON.stringify(value), `field:${key}`);

/**
 * The columns to store for `profile` (clear values). `sealedKeys` names the custom fields to seal:
 * the tenant's PII definitions (PII stays PII once sealed, unless its definition says otherwise).
 * Without a key (`pii` null) everything stays in clear.
 */
export function sealProfile(
  pii: TenantPii | null,
  customerId: string,
  profile: { birthdate: Date | null; addresses: unknown; customFields: unknown },
  isPii: (key: string) => boolean,
): StoredPii {
  const addresses = (profile.addresses ?? []) as unknown[];
  const fields = (profile.customFields ?? {}) as Record<string, unknown>;
  if (!pii) return { birthdate: profile.birthdate, addresses, customFields: fields, piiSealed: null, piiIndex: {} };
  const clear: Record<string, unknown> = {};
  const sealed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) (isPii(key) ? sealed : clear)[key] = value;
  const nothing = profile.birthdate === null && addresses.length === 0 && Object.keys(sealed).length === 0;
  const content: SealedProfile = { birthdate: day(profile.birthdate), addresses, customFields: sealed };
  return {
    birthdate: null,
    addresses: [],
    customFields: clear,
    piiSealed: nothing ? null : pii.seal(content, scopeOf(customerId)),
    piiIndex: Object.fromEntries(Object.entries(sealed).map(([key, value]) => [key, fieldIndex(pii, key, value)])),
  };
}

/** The custom-field keys `customer` holds sealed (which stay PII on its next write). */
export function sealedFieldKeys(pii: TenantPii | null, customer: PiiColumns): Set<string> {
  if (!customer.piiSealed || !pii) return new Set();
  return new Set(Object.keys((pii.open(customer.piiSealed, scopeOf(customer.id)) as SealedProfile).customFields));
}

/** `customer` as a clear row: its sealed PII put back in place. Throws when a sealed row meets no key. */
export function openProfile<C extends PiiColumns>(pii: TenantPii | null, customer: C): C {
  if (!customer.piiSealed) return customer;
  if (!pii) throw new Error("a customer's PII is sealed but this gateway has no MASTER_KEY");
  const sealed = pii.open(customer.piiSealed, scopeOf(customer.id)) as SealedProfile;
  return {
    ...customer,
    birthdate: sealed.birthdate ? new Date(`${sealed.birthdate}T00:00:00.000Z`) : null,
    addresses: sealed.addresses,
    customFields: { ...(customer.customFields as Record<string, unknown>), ...sealed.customFields },
  };
}

/** Opens customers of one tenant. Cost: none when none is sealed; else the tenant's keys (cached a minute). */
export async function openProfiles<C extends PiiColumns>(db: Db, q: Queryable, tenantId: string, customers: C[]): Promise<C[]> {
  const sealed = customers.flatMap((c) => (c.piiSealed ? [c.piiSealed] : []));
  if (sealed.length === 0) return customers;
  const pii = await tenantPii(db, q, tenantId, sealed);
  return customers.map((c) => openProfile(pii, c));
}

/**
 * One customer opened for a GraphQL field: synchronously once the request holds the tenant's keys
 * (per-request.ts; the SQL read loads them before completing rows), else a promise.
 */
export function openForField<C extends PiiColumns>(request: { db: Db }, tenantId: string, customer: C): C | Promise<C> {
  if (!customer.piiSealed) return customer;
  return withRequestPii(request, tenantId, [customer.piiSealed], (pii) => openProfile(pii, customer));
}
