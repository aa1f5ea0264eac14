import { Prisma, type Customer } from "../generated/prisma/client.ts";
import { fieldIndex, openProfile } from "../pii/profile.ts";
import type { Tx } from "../db/transact.ts";
import { diff } from "../db/transact.ts";
import { ValidationError } from "../errors.ts";
import { validateCustomFields, type FieldSchema } from "../custom-fields/validator.ts";
import type { RowError } from "../jobs/service.ts";
import type { KeySet } from "./key-set.ts";
import type { ImportRow } from "./rows.ts";
import type { ContactKind } from "../generated/prisma/enums.ts";
import type { TenantPii } from "../pii/at-rest.ts";
import { storedKeys } from "../customers/phones-at-rest.ts";

// What one batch will do, decided with one read per kind of key (not per row): which rows match
// an existing customer, which collide with another customer's uid, username, email, phone or
// identity (row errors), which repeat an earlier row of the file (row errors), and for upserts,
// what changes. The same plan serves a dry run, which stops here.

export type ImportMode = "INSERT" | "UPSERT";
export type MatchBy = "UID" | "EMAIL" | "FIELD";

export interface PlanOptions {
  mode: ImportMode;
  matchBy: MatchBy;
  /** MatchBy FIELD: the custom-field key holding the external id. */
  matchField: string | null;
  schema: FieldSchema;
  /** The tenant's PII keys (null without a MASTER_KEY): phones are looked up, and written, sealed. */
  pii: TenantPii | null;
}

export interface PlannedUpdate {
  row: ImportRow;
  /** The customer opened (its PII in clear), what the row merges into. */
  before: Customer;
  /** The customer as stored: which custom fields it holds sealed. */
  stored: Customer;
  /** Changed columns (camelCase) with their new values; passwordHash included. */
  next: Record<string, unknown>;
  changes: Record<string, { from: unknown; to: unknown }>;
}

export interface Plan {
  inserts: ImportRow[];
  updates: PlannedUpdate[];
  skipped: number;
  errors: RowError[];
  /** Keys this batch added to the file's `seen` set (taken back if the batch is retried). */
  added: string[];
}

/** A list parameter: one text[] however many values (the planner then probes the unique index per value). */
const list = (values: string[]) => Prisma.sql`${values}::text[]`;

/** The keys that make a row unique in the tenant (and so in the file). */
function keysOf(row: ImportRow): string[] {
  return [
    ...(row.uid ? [`uid:${row.uid}`] : []),
    ...(row.username ? [`username:${row.username}`] : []),
    ...row.contacts.map((c) => `${c.kind}:${c.normalized}`),
    ...row.identities.map((i) => `identity:${i.provider}:${i.providerUserId}`),
  ];
}

/** The value a row is matched on, or null when it has none. */
function matchValues(row: ImportRow, o: PlanOptions): string[] {
  if (o.matchBy === "UID") return row.uid ? [row.uid] : [];
  if (o.matchBy === "EMAIL") return row.contacts.filter((c) => c.kind === "EMAIL").map((c) => c.normalized);
  const value = row.customFields?.[o.matchField!];
  return value === undefined || value === null ? [] : [String(value)];
}

/** Existing customers by the match value that found them. Cost: one statement (two in upsert mode). */
async function findMatches(tx: Tx, tenantId: string, rows: ImportRow[], o: PlanOptions): Promise<Map<string, string>> {
  const values = rows.flatMap((r) => matchValues(r, o));
  if (values.length === 0) return new Map();
  const found =
    o.matchBy === "UID"
      ? await tx.$queryRaw<{ key: string; id: string }[]>`
          SELECT uid AS key, id::text FROM customer WHERE tenant_id = ${tenantId}::uuid AND uid = ANY(${list(values)})`
      : o.matchBy === "EMAIL"
        ? await tx.$queryRaw<{ key: string; id: string }[]>`
          SELECT normalized AS key, customer_id::text AS id FROM contact
          WHERE tenant_id = ${tenantId}::uuid AND kind = 'EMAIL' AND normalized = ANY(${list(values)})`
        : await tx.$queryRaw<{ key: string; id: string }[]>`
          SELECT custom_fields->>${o.matchField} AS key, id::text FROM customer
          WHERE tenant_id = ${tenantId}::uuid AND custom_fields->>${o.matchField} = ANY(${list(values)})`;
  const sealed =
    o.matchBy === "FIELD" && o.schema.definitions.get(o.matchField!)?.pii ? await sealedFieldMatches(tx, tenantId, rows, o) : [];
  return new Map([...found, ...sealed].map((f) => [f.key, f.id]));
}

/**
 * Matches on a PII custom field sealed at rest (src/pii/profile.ts): by its blind index. Cost: one
 * statement over the tenant's customers holding the field (pii_index is GIN-indexed for @>, not for a list of values).
 */
async function sealedFieldMatches(tx: Tx, tenantId: string, rows: ImportRow[], o: PlanOptions) {
  const pii = o.pii;
  if (!pii) return [];
  const key = o.matchField!;
  const valueOf = new Map(
    rows.flatMap((r) => {
      const value = r.customFields?.[key];
      return value === undefined || value === null ? [] : [[fieldIndex(pii, key, value), String(value)] as const];
    }),
  );
  const found = await tx.$queryRaw<{ index: string; id: string }[]>`
    SELECT pii_index->>${key} AS index, id::text FROM customer
    WHERE tenant_id = ${tenantId}::uuid AND pii_index->>${key} = ANY(${[...valueOf.keys()]}::text[])`;
  return found.map((f) => ({ key: valueOf.get(f.index)!, id: f.id }));
}

/** The customer one row matches (the first of its match values that finds one), or null. Cost: one statement. */
export async function matchCustomer(tx: Tx, tenantId: string, row: ImportRow, o: PlanOptions): Promise<string | null> {
  const matches = await findMatches(tx, tenantId, [row], o);
  return (
    matchValues(row, o)
      .map((v) => matches.get(v))
      .find(Boolean) ?? null
  );
}

/** The data of the `customer.updated` event of an upserted row: the diff, a new password hash only as a flag. */
export function updatedEventData(update: PlannedUpdate): Record<string, unknown> {
  const { passwordHash, ...changes } = update.changes;
  return { changes, ...(passwordHash ? { passwordChanged: true } : {}) };
}

/** The kind of key (as keysOf names it) that findMatches already looked up, all of its values. */
const MATCHED_KIND: Record<MatchBy, string | null> = { UID: "uid", EMAIL: "EMAIL", FIELD: null };

/**
 * Keys of `rows` already taken in the tenant, with the customer holding each. The kind the match
 * covers comes from `matches` (the same lookup; saves one of the batch's statements). Cost: one
 * indexed statement per other kind of key the batch has (uid, username, email, phone, identity).
 */
async function takenKeys(tx: Tx, tenantId: string, rows: ImportRow[], o: PlanOptions, matches: Map<string, string>) {
  const byKind = new Map<string, string[]>();
  for (const key of rows.flatMap(keysOf)) {
    const kind = key.slice(0, key.indexOf(":"));
    (byKind.get(kind) ?? byKind.set(kind, []).get(kind)!).push(key.slice(kind.length + 1));
  }
  const taken = new Map<string, string>();
  const matched = MATCHED_KIND[o.matchBy];
  if (matched && byKind.delete(matched)) for (const [value, id] of matches) taken.set(`${matched}:${value}`, id);
  for (const [kind, values] of byKind) {
    const found =
      kind === "uid" || kind === "username"
        ? await tx.$queryRaw<{ value: string; id: string }[]>`
            SELECT ${Prisma.raw(kind)} AS value, id::text FROM customer WHERE tenant_id = ${tenantId}::uuid AND ${Prisma.raw(kind)} = ANY(${list(values)})`
        : kind === "identity"
          ? await tx.$queryRaw<{ value: string; id: string }[]>`
            SELECT provider || ':' || provider_user_id AS value, customer_id::text AS id FROM identity
            WHERE tenant_id = ${tenantId}::uuid AND (provider, provider_user_id) IN (
              SELECT split_part(v, ':', 1), substr(v, strpos(v, ':') + 1) FROM unnest(${list(values)}) AS v)`
          : await takenContacts(tx, tenantId, kind as ContactKind, values, o.pii);
    for (const f of found) taken.set(`${kind}:${f.value}`, f.id);
  }
  return taken;
}

/** The contacts of `kind` among `values` (normalized) held in the tenant; a phone by its blind index or E.164 (customers/phones-at-rest.ts). */
async function takenContacts(tx: Tx, tenantId: string, kind: ContactKind, values: string[], pii: TenantPii | null) {
  const byStored = new Map(values.flatMap((v) => storedKeys(pii, kind, v).map((stored) => [stored, v] as const)));
  const found = await tx.$queryRaw<{ value: string; id: string }[]>`
    SELECT normalized AS value, customer_id::text AS id FROM contact
    WHERE tenant_id = ${tenantId}::uuid AND kind = ${kind}::"ContactKind" AND normalized = ANY(${list([...byStored.keys()])})`;
  return found.map((f) => ({ value: byStored.get(f.value)!, id: f.id }));
}

const describe = (key: string) => key.replace(/^(uid|username|EMAIL|PHONE|identity):/, (_m, kind: string) => `${kind.toLowerCase()} `);
const fieldOf = (key: string) =>
  ({ uid: "uid", username: "username", EMAIL: "emails", PHONE: "phones", identity: "identities" })[key.split(":")[0]!]!;

/**
 * Decides each row of a batch. `seen` holds the keys of the rows of the file accepted so far: a
 * row repeating one is a row error (in both modes: a file that names a customer twice is
 * ambiguous). Cost: the match lookup plus one statement per other kind of key the batch has (two for
 * rows of uid and email), whatever the batch size, plus CPU for custom fields.
 */
export async function planBatch(tx: Tx, tenantId: string, rows: ImportRow[], o: PlanOptions, seen: KeySet): Promise<Plan> {
  const plan: Plan = { inserts: [], updates: [], skipped: 0, errors: [], added: [] };
  const matches = await findMatches(tx, tenantId, rows, o);
  const taken = await takenKeys(tx, tenantId, rows, o, matches);
  const before = o.mode === "UPSERT" ? await loadCustomers(tx, [...new Set(matches.values())], o) : new Map<string, Loaded>();
  for (const row of rows) {
    const keys = [...keysOf(row), ...matchValues(row, o).map((v) => `match:${v}`)];
    const repeated = keys.find((k) => seen.has(k));
    if (repeated) {
      plan.errors.push({
        row: row.row,
        field: fieldOf(repeated) ?? o.matchField,
        message: `repeats an earlier row of the file (${describe(repeated)})`,
      });
      continue;
    }
    const matchedId = matchValues(row, o)
      .map((v) => matches.get(v))
      .find(Boolean);
    const outcome = matchedId ? decideMatched(row, matchedId, o, taken, before) : decideNew(row, o, taken);
    if ("errors" in outcome) {
      plan.errors.push(...outcome.errors.map((e) => ({ ...e, row: row.row })));
      continue;
    }
    for (const k of keys) seen.add(k);
    plan.added.push(...keys);
    if (outcome.kind === "insert") plan.inserts.push(outcome.row);
    else if (outcome.kind === "update") plan.updates.push(outcome.update);
    else plan.skipped++;
  }
  return plan;
}

type Outcome =
  { kind: "insert"; row: ImportRow } | { kind: "update"; update: PlannedUpdate } | { kind: "skip" } | { errors: Omit<RowError, "row">[] };

function issues(error: unknown): Omit<RowError, "row">[] {
  if (error instanceof ValidationError) return error.issues.map((i) => ({ field: i.field, message: i.message }));
  throw error;
}

function decideNew(row: ImportRow, o: PlanOptions, taken: Map<string, string>): Outcome {
  if (!row.username && row.contacts.length === 0 && row.identities.length === 0) {
    return { errors: [{ field: "email", message: "a new customer needs at least an email, a phone, a username or an identity" }] };
  }
  const clash = keysOf(row).find((k) => taken.has(k));
  if (clash) return { errors: [{ field: fieldOf(clash), message: `${describe(clash)} belongs to another customer` }] };
  try {
    row.customFields = validateCustomFields(o.schema, row.customFields ?? {}, "create");
  } catch (error) {
    return { errors: issues(error) };
  }
  return { kind: "insert", row };
}

function decideMatched(row: ImportRow, id: string, o: PlanOptions, taken: Map<string, string>, before: Map<string, Loaded>): Outcome {
  if (o.mode === "INSERT") return { kind: "skip" };
  const { opened: current, stored } = before.get(id)!;
  if (row.username && taken.has(`username:${row.username}`) && taken.get(`username:${row.username}`) !== id) {
    return { errors: [{ field: "username", message: `username ${row.username} belongs to another customer` }] };
  }
  const next: Record<string, unknown> = { ...row.profile };
  delete next.createdAt;
  if (next.birthdate instanceof Date) next.birthdate = new Date(next.birthdate.toISOString().slice(0, 10));
  if (row.passwordHash) next.passwordHash = row.passwordHash;
  if (row.customFields) {
    try {
      const patch = validateCustomFields(o.schema, row.customFields, "patch");
      const merged = { ...(current.customFields as Record<string, unknown>) };
      for (const [k, v] of Object.entries(patch))
        if (v === null) delete merged[k];
        else merged[k] = v;
      next.customFields = merged;
    } catch (error) {
      return { errors: issues(error) };
    }
  }
  const changes = diff(current as unknown as Record<string, unknown>, next);
  if (Object.keys(changes).length === 0) return { kind: "skip" };
  return { kind: "update", update: { row, before: current, stored, next, changes } };
}

interface Loaded {
  opened: Customer;
  stored: Customer;
}

async function loadCustomers(tx: Tx, ids: string[], o: PlanOptions): Promise<Map<string, Loaded>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.customer.findMany({ where: { id: { in: ids } } });
  return new Map(rows.map((c) => [c.id, { opened: openProfile(o.pii, c), stored: c }]));
}
