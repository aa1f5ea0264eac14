import { randomBytes, randomUUID } from "node:crypto";
import type { Tx } from "../db/transact.ts";
import { piiFieldsOf, storedProfile, type ClearProfile } from "../customers/at-rest.ts";
import { nameSearch } from "../customers/input.ts";
import { storedContact } from "../customers/phones-at-rest.ts";
import type { TenantPii } from "../pii/at-rest.ts";
import type { PiiColumns } from "../pii/profile.ts";
import type { PlannedUpdate, PlanOptions } from "./plan.ts";
import type { ImportRow } from "./rows.ts";

// The writes of one batch: one INSERT … SELECT FROM jsonb_to_recordset(<one JSON parameter>) per
// table, whatever the number of rows, and one UPDATE … FROM for the upserted ones. One JSON
// parameter rather than an array per column: the same statement text for any batch size, no
// 65,535-parameter limit, and PostgreSQL parses the JSON faster than the driver would bind
// thousands of parameters. Cost per batch: up to six statements.

const date = (d: Date | undefined | null) => (d ? d.toISOString().slice(0, 10) : null);

/** What a batch writes PII with: the tenant's keys (null: in clear) and which custom fields are PII. */
export type AtRest = Pick<PlanOptions, "pii" | "schema">;

/** Customer columns of a row, as the recordset below declares them: its PII sealed first (when a MASTER_KEY is set). */
function customerColumns(id: string, p: Record<string, unknown>, o: AtRest, previous?: PiiColumns) {
  const stored = storedProfile(o.pii, id, p as ClearProfile, piiFieldsOf(o.pii, o.schema.definitions, previous));
  return {
    username: p.username ?? null,
    first_name: p.firstName ?? null,
    middle_name: p.middleName ?? null,
    last_name: p.lastName ?? null,
    nickname: p.nickname ?? null,
    name_search: nameSearch(p as Parameters<typeof nameSearch>[0]),
    birthdate: date(stored.birthdate),
    gender: p.gender ?? null,
    locale: p.locale ?? null,
    timezone: p.timezone ?? null,
    company: p.company ?? null,
    job_title: p.jobTitle ?? null,
    addresses: stored.addresses,
    status: p.status ?? "ACTIVE",
    custom_fields: stored.customFields,
    pii_sealed: stored.piiSealed,
    pii_index: stored.piiIndex,
    password_hash: p.passwordHash ?? null,
  };
}

const PROFILE_COLUMNS = `username text, first_name text, middle_name text, last_name text, nickname text, name_search text, birthdate date,
  gender text, locale text, timezone text, company text, job_title text, addresses jsonb, status text, custom_fields jsonb, pii_sealed text, pii_index jsonb, password_hash text`;

export interface Inserted {
  id: string;
  row: ImportRow;
}

/** Inserts new customers with everything they own. Returns their ids, in the rows' order. */
export async function insertCustomers(tx: Tx, tenantId: string, rows: ImportRow[], o: AtRest): Promise<Inserted[]> {
  if (rows.length === 0) return [];
  const inserted = rows.map((row) => ({ id: randomUUID(), row }));
  const customers = inserted.map(({ id, row }) => {
    row.uid ??= randomBytes(16).toString("hex");
    return {
      id,
      uid: row.uid,
      created_at: row.profile.createdAt ?? null,
      // Set here, the contact trigger that keeps it finds nothing to change: no second version of each customer row.
      primary_email: row.contacts.find((c) => c.kind === "EMAIL" && c.primary)?.normalized ?? null,
      ...customerColumns(id, { ...row.profile, customFields: row.customFields, passwordHash: row.passwordHash }, o),
    };
  });
  await tx.$executeRawUnsafe(
    `INSERT INTO customer (id, tenant_id, uid, username, first_name, middle_name, last_name, nickname, name_search, birthdate, gender,
       locale, timezone, company, job_title, addresses, status, custom_fields, pii_sealed, pii_index, password_hash, password_changed_at,
       created_at, updated_at, primary_email)
     SELECT r.id, $1::uuid, r.uid, r.username, r.first_name, r.middle_name, r.last_name, r.nickname, r.name_search, r.birthdate, r.gender,
       r.locale, r.timezone, r.company, r.job_title, r.addresses, r.status::"CustomerStatus", r.custom_fields, r.pii_sealed, r.pii_index,
       r.password_hash, CASE WHEN r.password_hash IS NULL THEN NULL ELSE now() END, coalesce(r.created_at, now()), now(), r.primary_email
     FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, uid text, created_at timestamptz, primary_email text, ${PROFILE_COLUMNS})`,
    tenantId,
    JSON.stringify(customers),
  );
  await insertOwned(tx, tenantId, inserted, o.pii);
  return inserted;
}

async function insertOwned(tx: Tx, tenantId: string, inserted: Inserted[], pii: TenantPii | null): Promise<void> {
  // Phones sealed and indexed (customers/phones-at-rest.ts); row.contacts stay clear for the audit events.
  const contacts = inserted.flatMap(({ id, row }) => row.contacts.map((c) => ({ customer_id: id, ...storedContact(pii, c) })));
  const identities = inserted.flatMap(({ id, row }) => row.identities.map((i) => ({ customer_id: id, ...i })));
  const consents = inserted.flatMap(({ id, row }) => row.consents.map((c) => ({ customer_id: id, ...c })));
  const objects = inserted.flatMap(({ id, row }) => row.customObjects.map((o) => ({ customer_id: id, ...o })));
  const run = (rows: unknown[], sql: string) => (rows.length > 0 ? tx.$executeRawUnsafe(sql, tenantId, JSON.stringify(rows)) : null);
  await run(
    contacts,
    `INSERT INTO contact (id, tenant_id, customer_id, kind, value, normalized, "primary", verified, verified_at, created_at)
     SELECT gen_random_uuid(), $1::uuid, r.customer_id, r.kind::"ContactKind", r.value, r.normalized, r."primary", r.verified,
       CASE WHEN r.verified THEN now() END, now()
     FROM jsonb_to_recordset($2::jsonb) AS r(customer_id uuid, kind text, value text, normalized text, "primary" boolean, verified boolean)`,
  );
  await run(
    identities,
    `INSERT INTO identity (id, tenant_id, customer_id, provider, provider_user_id, profile, linked_at)
     SELECT gen_random_uuid(), $1::uuid, r.customer_id, r.provider, r."providerUserId", r.profile, coalesce(r."linkedAt", now())
     FROM jsonb_to_recordset($2::jsonb) AS r(customer_id uuid, provider text, "providerUserId" text, profile jsonb, "linkedAt" timestamptz)`,
  );
  await run(
    consents,
    `INSERT INTO consent (id, tenant_id, customer_id, purpose, version, source, granted_at, revoked_at, revoke_source)
     SELECT gen_random_uuid(), $1::uuid, r.customer_id, r.purpose, r.version, r.source, coalesce(r."grantedAt", now()), r."revokedAt",
       CASE WHEN r."revokedAt" IS NOT NULL THEN r.source END
     FROM jsonb_to_recordset($2::jsonb) AS r(customer_id uuid, purpose text, version text, source text, "grantedAt" timestamptz, "revokedAt" timestamptz)`,
  );
  await run(
    objects,
    `INSERT INTO custom_object (id, tenant_id, customer_id, name, data, created_at, updated_at)
     SELECT gen_random_uuid(), $1::uuid, r.customer_id, r.name, r.data, coalesce(r."createdAt", now()), now()
     FROM jsonb_to_recordset($2::jsonb) AS r(customer_id uuid, name text, data jsonb, "createdAt" timestamptz)`,
  );
}

/** Writes the merged profiles of upserted customers; a new password hash restarts its clock. */
export async function updateCustomers(tx: Tx, tenantId: string, updates: PlannedUpdate[], o: AtRest): Promise<void> {
  if (updates.length === 0) return;
  const rows = updates.map(({ before, next, stored }) => ({
    id: before.id,
    ...customerColumns(before.id, { ...before, ...next }, o, stored),
  }));
  await tx.$executeRawUnsafe(
    `UPDATE customer c SET username = r.username, first_name = r.first_name, middle_name = r.middle_name, last_name = r.last_name,
       nickname = r.nickname, name_search = r.name_search, birthdate = r.birthdate, gender = r.gender, locale = r.locale,
       timezone = r.timezone, company = r.company, job_title = r.job_title, addresses = r.addresses, status = r.status::"CustomerStatus",
       custom_fields = r.custom_fields, pii_sealed = r.pii_sealed, pii_index = r.pii_index, password_hash = r.password_hash,
       password_changed_at = CASE WHEN r.password_hash IS DISTINCT FROM c.password_hash THEN now() ELSE c.password_changed_at END,
       updated_at = now()
     FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, ${PROFILE_COLUMNS})
     WHERE c.id = r.id AND c.tenant_id = $1::uuid`,
    tenantId,
    JSON.stringify(rows),
  );
}
