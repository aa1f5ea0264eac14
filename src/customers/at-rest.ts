import type { Tx } from "../db/transact.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { tenantPii, type TenantPii } from "../pii/at-rest.ts";
import { openProfile, sealedFieldKeys, sealProfile, type PiiColumns } from "../pii/profile.ts";
import type { ServiceContext } from "../service-context.ts";

/** The custom-field definitions a write knows (null when it did not load them): which keys are PII. */
type Definitions = ReadonlyMap<string, { pii: boolean }> | null;

/** The clear profile a write computes, before it is stored. */
export interface ClearProfile {
  birthdate?: Date | null;
  addresses?: unknown;
  customFields?: unknown;
}

/**
 * What a customer write needs of PII at rest (src/pii/profile.ts), in its transaction: opening the
 * locked row to compare with, and the columns to store. Cost: nothing without a MASTER_KEY or
 * when there is nothing to seal or open; else the tenant's keys (one statement a minute per tenant).
 */
export function profileStore(tx: Tx, ctx: ServiceContext) {
  let loaded: Promise<TenantPii | null> | undefined;
  const keys = () => (loaded ??= tenantPii(ctx.db, tx, ctx.tenantId));
  return {
    open: async <C extends PiiColumns>(customer: C): Promise<C> => (customer.piiSealed ? openProfile(await keys(), customer) : customer),
    /**
     * The stored form of a customer's whole clear profile. A key is sealed when its definition is
     * PII, or (without a definition in `definitions`) when it was sealed in `previous`.
     */
    async store(customerId: string, profile: ClearProfile, definitions: Definitions, previous?: PiiColumns) {
      const isPii = piiFieldsOf(previous?.piiSealed ? await keys() : null, definitions, previous);
      const fields = (profile.customFields ?? {}) as object;
      const sensitive = profile.birthdate != null || ((profile.addresses ?? []) as unknown[]).length > 0 || Object.keys(fields).some(isPii);
      return storedProfile(sensitive || previous?.piiSealed ? await keys() : null, customerId, profile, isPii);
    },
  };
}

/**
 * Which custom fields a write seals: those whose definition is PII, and (keys without a definition
 * in `definitions`) those `previous` held sealed. Opens `previous` once.
 */
export function piiFieldsOf(pii: TenantPii | null, definitions: Definitions, previous?: PiiColumns): (key: string) => boolean {
  const held = previous?.piiSealed && pii ? sealedFieldKeys(pii, previous) : new Set<string>();
  return (key) => definitions?.get(key)?.pii ?? held.has(key);
}

/** The stored form of a customer's whole clear profile under `pii` (null: in clear); `isPii` from piiFieldsOf. */
export function storedProfile(pii: TenantPii | null, customerId: string, profile: ClearProfile, isPii: (key: string) => boolean) {
  const clear = { birthdate: profile.birthdate ?? null, addresses: profile.addresses ?? [], customFields: profile.customFields ?? {} };
  const stored = sealProfile(pii, customerId, clear, isPii);
  return {
    ...stored,
    addresses: stored.addresses as Prisma.InputJsonValue,
    customFields: stored.customFields as Prisma.InputJsonValue,
    piiIndex: stored.piiIndex as Prisma.InputJsonValue,
  };
}

/** The profile columns sealed at rest: an update touching one of them re-seals the whole set. */
export const SEALED_COLUMNS = ["birthdate", "addresses", "customFields"] as const;
