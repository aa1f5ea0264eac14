import { isUniqueViolation } from "../db/unique.ts";
import { diff, transact, type Tx } from "../db/transact.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { Prisma, type CustomFieldDefinition } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import { sameJson } from "../json.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import {
  checkDefinition,
  defineInput,
  flatten,
  updateInput,
  type DefinitionData,
  type DefinitionInput,
  type DefinitionUpdate,
} from "./definition-input.ts";
import { lockDefinitions } from "./access.ts";
import { indexesOutOfDate, syncIndexes } from "./indexes.ts";
import { assertValuesFit } from "./values.ts";

// Admins define the tenant's custom fields. Each change is one transaction with its audit event;
// a searchable field's indexes are built (or dropped) right after it commits, and the mutation
// waits for that (see indexes.ts): simple and deterministic — the answer says READY or FAILED —
// at the price of a request that lasts as long as the build on a big tenant (seconds per
// million customers on PostgreSQL).

/** The tenant's definitions, oldest first; retired ones too when asked. Cost: one statement. */
export function listDefinitions(ctx: ServiceContext, includeRetired: boolean): Promise<CustomFieldDefinition[]> {
  return ctx.db.customFieldDefinition.findMany({
    where: { tenantId: ctx.tenantId, ...(includeRetired ? {} : { retiredAt: null }) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

async function requireDefinition(tx: Tx, ctx: ServiceContext, id: string): Promise<CustomFieldDefinition> {
  const found = isUuid(id) ? await tx.customFieldDefinition.findUnique({ where: { id_tenantId: { id, tenantId: ctx.tenantId } } }) : null;
  if (!found) throw new NotFoundError("CUSTOM_FIELD_NOT_FOUND");
  return found;
}

/**
 * Checking every value held under a key grows with the tenant (seconds at a million customers):
 * those transactions get minutes instead of the usual 20 s. They hold the definitions lock
 * (access.ts) meanwhile, so the tenant's customFields writes wait for them.
 */
const VALUE_CHECK = { timeoutMs: 10 * 60_000 };

const columns = (d: DefinitionData) => ({
  type: d.type,
  description: d.description,
  required: d.required,
  // SQL NULL, not JSON null, when there is no default.
  defaultValue: d.defaultValue === null ? Prisma.DbNull : (d.defaultValue as Prisma.InputJsonValue),
  enumValues: d.enumValues,
  rules: d.rules as Prisma.InputJsonValue,
  searchable: d.searchable,
  pii: d.pii,
  access: d.access,
});

/** What an audit event says about a definition (values as stored). */
const summary = (d: DefinitionData) => ({ ...columns(d), defaultValue: d.defaultValue });

/**
 * Defines a field. The key must be new to the tenant (a retired one is restored instead:
 * CUSTOM_FIELD_KEY_TAKEN); customers already holding values under it must fit the definition
 * (CUSTOM_FIELD_VALUES_INCOMPATIBLE). Records `custom_field.defined`. Cost: the value check
 * (see values.ts), two statements, then the index build when searchable.
 */
export async function defineCustomField(ctx: ServiceContext, input: DefinitionInput): Promise<CustomFieldDefinition> {
  const { key, ...fields } = parseInput(defineInput, input);
  const def = checkDefinition({ key, ...fields });
  try {
    const created = await transact(
      ctx,
      async (tx, audit) => {
        await lockDefinitions(tx, ctx.tenantId, "exclusive");
        const taken = await tx.customFieldDefinition.findUnique({ where: { tenantId_key: { tenantId: ctx.tenantId, key } } });
        if (taken) throw keyTaken(taken);
        await assertValuesFit(tx, ctx, def);
        const row = await tx.customFieldDefinition.create({
          data: { ...columns(def), key, tenantId: ctx.tenantId, indexState: def.searchable ? "BUILDING" : "NONE" },
        });
        await audit({ type: "custom_field.defined", data: { id: row.id, key, ...summary(def) } });
        return row;
      },
      VALUE_CHECK,
    );
    return indexesOutOfDate(created) ? await syncIndexes(ctx.db, created) : created;
  } catch (error) {
    if (isUniqueViolation(error, "key")) throw keyTaken(null);
    throw error;
  }
}

function keyTaken(existing: CustomFieldDefinition | null) {
  const retired = existing?.retiredAt ? " (retired: restore it with restoreCustomField)" : "";
  return new ConflictError("CUSTOM_FIELD_KEY_TAKEN", "key", `the tenant already has a field with this key${retired}`);
}

/** Whether a change makes values that fit before possibly not fit now. */
const narrows = (before: DefinitionData, after: DefinitionData) =>
  before.type !== after.type ||
  (after.searchable && !before.searchable) ||
  !sameJson(before.rules, after.rules) ||
  before.enumValues.some((v) => !after.enumValues.includes(v));

/**
 * Changes a field's type, rules, default, flags or access (the key never changes). A type or rule
 * change checks the values customers hold first (CUSTOM_FIELD_VALUES_INCOMPATIBLE). Records
 * `custom_field.updated` with a before/after diff; a change that changes nothing records nothing.
 * Turning searchable on or off builds or drops the indexes after commit.
 */
export async function updateCustomField(ctx: ServiceContext, id: string, input: DefinitionUpdate): Promise<CustomFieldDefinition> {
  const patch = parseInput(updateInput, input);
  const updated = await transact(
    ctx,
    async (tx, audit) => {
      await lockDefinitions(tx, ctx.tenantId, "exclusive");
      const before = await requireDefinition(tx, ctx, id);
      const overlay = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const current = flatten(before as unknown as DefinitionData);
      const def = checkDefinition({ ...current, ...overlay } as typeof current);
      const changes = diff(summary(before as unknown as DefinitionData), summary(def));
      if (Object.keys(changes).length === 0) return before;
      if (!before.retiredAt && narrows(before as unknown as DefinitionData, def)) await assertValuesFit(tx, ctx, def);
      const indexState = def.searchable && !before.retiredAt ? (before.indexState === "READY" ? "READY" : "BUILDING") : before.indexState;
      const row = await tx.customFieldDefinition.update({ where: { id: before.id }, data: { ...columns(def), indexState } });
      await audit({ type: "custom_field.updated", data: { id: row.id, key: row.key, changes } });
      return row;
    },
    VALUE_CHECK,
  );
  return indexesOutOfDate(updated) ? syncIndexes(ctx.db, updated) : updated;
}

/**
 * Retires a field: writes no longer accept its key, filters no longer offer it, its indexes are
 * dropped; the values customers hold stay. Restoring (`retire: false`) checks those values against
 * the definition first and rebuilds the indexes of a searchable field. Records
 * `custom_field.retired` or `custom_field.restored`; a no-op records nothing.
 */
export async function setCustomFieldRetired(ctx: ServiceContext, id: string, retire: boolean): Promise<CustomFieldDefinition> {
  const changed = await transact(
    ctx,
    async (tx, audit) => {
      await lockDefinitions(tx, ctx.tenantId, "exclusive");
      const before = await requireDefinition(tx, ctx, id);
      if ((before.retiredAt !== null) === retire) return before;
      if (!retire) await assertValuesFit(tx, ctx, before);
      const row = await tx.customFieldDefinition.update({
        where: { id: before.id },
        data: { retiredAt: retire ? new Date() : null, indexState: !retire && before.searchable ? "BUILDING" : before.indexState },
      });
      await audit({ type: retire ? "custom_field.retired" : "custom_field.restored", data: { id: row.id, key: row.key } });
      return row;
    },
    VALUE_CHECK,
  );
  return indexesOutOfDate(changed) ? syncIndexes(ctx.db, changed) : changed;
}

/** Whether the tenant accepts keys without a definition. Cost: one statement. */
export async function allowsUndefinedFields(ctx: ServiceContext): Promise<boolean> {
  const tenant = await ctx.db.tenant.findUniqueOrThrow({ where: { id: ctx.tenantId }, select: { allowUndefinedCustomFields: true } });
  return tenant.allowUndefinedCustomFields;
}

/**
 * Sets whether customFields may hold keys without a definition once the tenant has definitions
 * (with none, every key is accepted anyway). Records `tenant.updated` with the change.
 */
export async function setAllowUndefinedFields(ctx: ServiceContext, allow: boolean): Promise<boolean> {
  return transact(ctx, async (tx, audit) => {
    const before = await tx.tenant.findUniqueOrThrow({ where: { id: ctx.tenantId }, select: { allowUndefinedCustomFields: true } });
    if (before.allowUndefinedCustomFields === allow) return allow;
    await tx.tenant.update({ where: { id: ctx.tenantId }, data: { allowUndefinedCustomFields: allow } });
    await audit({ type: "tenant.updated", data: { changes: { allowUndefinedCustomFields: { from: !allow, to: allow } } } });
    return allow;
  });
}
