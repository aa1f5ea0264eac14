import type pg from "pg";
import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, TAGS } from "./words.ts";

// bench:search's bulk load: set-based SQL (INSERT … SELECT over generate_series), one statement
// per table, no per-row round trip. Every value derives from the row number i through hashint8,
// so a seed is reproducible and the bench can compute what a query must answer. Rows respect the
// schema's invariants (unique uid and (tenant, kind, normalized), the (customer_id, tenant_id)
// foreign keys are checked as usual); no audit events are written (they are not searched).

/** A pseudo-random 0 … 2³²−1 for row i, stream k (k < 32). */
const r = (k: number) => `(hashint8(i * 32 + ${k})::bigint + 2147483648)`;
const pick = (array: string, k: number) => `(${array})[1 + ${r(k)} % cardinality(${array})]`;

/** Every seeded customer's id: md5 of salt and row number, so other tables can derive it. */
export const customerIdSql = (salt: string, i: string) => `md5(${salt}::text || ':' || ${i})::uuid`;
/** Row i's primary email (normalized): first.last<i>@domain, unique through i. */
const EMAIL = `lower(first_name || '.' || last_name || i || '@' || ${pick(EMAIL_DOMAINS, 5)})`;

/**
 * The rows, in a temporary table the per-table inserts read: $1 salt, $2 count.
 * Statuses 95 % active, 3 % blocked, 2 % disabled; created over five years; 80 % have signed in;
 * custom fields: plan (1 % gold, 9 % silver), seats 1–500, score 0–99.99, signup date, tags.
 */
const ROWS = `
CREATE TEMP TABLE seed_rows ON COMMIT DROP AS
SELECT i, ${customerIdSql("$1", "i")} AS id, first_name, last_name, ${EMAIL} AS email, created_at, r0, r1, r2, r3, r4
FROM (
  SELECT i, ${pick(FIRST_NAMES, 0)} AS first_name, ${pick(LAST_NAMES, 1)} AS last_name,
         now() - (${r(2)} % 157680000) * interval '1 second' - (${r(3)} % 1000) * interval '1 millisecond' AS created_at,
         ${r(4)} % 1000 AS r0, ${r(6)} % 1000 AS r1, ${r(7)} % 1000 AS r2, ${r(8)} % 10000 AS r3, ${r(9)} AS r4
  FROM generate_series(0, $2::int - 1) i
) g`;

/** `primaryEmail`: the customer table has lane filter's primary_email sort key (kept by a trigger on contact). */
const customers = (primaryEmail: boolean) => `
INSERT INTO customer (id, tenant_id, uid, first_name, last_name, name_search, status, block_reason, custom_fields,
                      created_at, updated_at, last_login_at${primaryEmail ? ", primary_email" : ""})
SELECT id, $1::uuid, md5('uid:' || $2::text || ':' || i), first_name, last_name, lower(first_name || ' ' || last_name),
       (CASE WHEN r1 < 950 THEN 'ACTIVE' WHEN r1 < 980 THEN 'BLOCKED' ELSE 'DISABLED' END)::"CustomerStatus",
       CASE WHEN r1 >= 950 AND r1 < 980 THEN 'bench' END,
       jsonb_build_object(
         'plan', CASE WHEN r0 < 10 THEN 'gold' WHEN r0 < 100 THEN 'silver' ELSE 'free' END,
         'seats', 1 + r4 % 500,
         'score', round((r3 / 100.0)::numeric, 2),
         'signup', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
         'tags', to_jsonb(ARRAY(SELECT t FROM unnest(${TAGS}) WITH ORDINALITY u(t, k) WHERE (r4 >> (k::int * 3)) % 5 = 0))),
       created_at, created_at,
       CASE WHEN r2 < 800 THEN created_at + (now() - created_at) * ((r4 % 1000) / 1000.0) END${primaryEmail ? ", email" : ""}
FROM seed_rows`;

// Emails: one each, primary, 60 % verified; 10 % have a second (not primary) one. Phones: every
// other customer, primary, a third of them verified. Stored value keeps the case the user typed.
const CONTACTS = `
INSERT INTO contact (id, tenant_id, customer_id, kind, value, normalized, "primary", verified, verified_at, created_at)
SELECT gen_random_uuid(), $1::uuid, id, 'EMAIL'::"ContactKind", initcap(email), email, true, r2 < 600, CASE WHEN r2 < 600 THEN created_at END, created_at
FROM seed_rows
UNION ALL
SELECT gen_random_uuid(), $1::uuid, id, 'EMAIL'::"ContactKind", 'alt' || i || '@mail.example', 'alt' || i || '@mail.example', false, false, NULL, created_at
FROM seed_rows WHERE r0 % 10 = 3
UNION ALL
SELECT gen_random_uuid(), $1::uuid, id, 'PHONE'::"ContactKind", p, p, true, r1 % 3 = 0, CASE WHEN r1 % 3 = 0 THEN created_at END, created_at
FROM (SELECT *, '+1555' || lpad(i::text, 7, '0') AS p FROM seed_rows WHERE i % 2 = 0) x`;

// Identities: 30 % google, 10 % apple, 5 % facebook, and 2 % also github.
const IDENTITIES = `
INSERT INTO identity (id, tenant_id, customer_id, provider, provider_user_id, linked_at)
SELECT gen_random_uuid(), $1::uuid, id, provider, md5(provider || $2::text || i), created_at FROM (
  SELECT *, CASE WHEN r2 % 100 < 30 THEN 'google' WHEN r2 % 100 < 40 THEN 'apple' WHEN r2 % 100 < 45 THEN 'facebook' END AS provider FROM seed_rows
  UNION ALL SELECT *, 'github' FROM seed_rows WHERE r3 % 50 = 0
) x WHERE provider IS NOT NULL`;

// Consents: half granted marketing v2024-01 (a tenth of those revoked since), a fifth analytics v2025-03.
const CONSENTS = `
INSERT INTO consent (id, tenant_id, customer_id, purpose, version, source, granted_at, revoked_at, revoke_source)
SELECT gen_random_uuid(), $1::uuid, id, 'marketing', '2024-01', 'signup', created_at,
       CASE WHEN r3 % 20 = 0 THEN now() END, CASE WHEN r3 % 20 = 0 THEN 'preferences' END
FROM seed_rows WHERE r3 % 2 = 0
UNION ALL
SELECT gen_random_uuid(), $1::uuid, id, 'analytics', '2025-03', 'banner', created_at, NULL, NULL FROM seed_rows WHERE r3 % 5 = 1`;

// Custom objects: 5 % have an order, 1 % a subscription.
const CUSTOM_OBJECTS = `
INSERT INTO custom_object (id, tenant_id, customer_id, name, data, created_at, updated_at)
SELECT gen_random_uuid(), $1::uuid, id, 'order',
       jsonb_build_object('total', r4 % 50000 / 100.0, 'status', CASE WHEN r1 % 10 = 0 THEN 'refunded' ELSE 'paid' END), created_at, created_at
FROM seed_rows WHERE r0 % 20 = 7
UNION ALL
SELECT gen_random_uuid(), $1::uuid, id, 'subscription', jsonb_build_object('tier', CASE WHEN r1 % 2 = 0 THEN 'pro' ELSE 'team' END),
       created_at, created_at
FROM seed_rows WHERE r0 % 100 = 42`;

export const TABLES = ["customer", "contact", "identity", "consent", "custom_object"];

/**
 * Row triggers the load turns off, each with the statement that verifies the load already wrote
 * what it maintains (a per-row trigger costs a million round trips through plpgsql and leaves a
 * dead copy of every customer row). An unknown trigger stops the seed: teach this file about it.
 */
const PRIMARY_EMAIL_HOLDS = {
  table: "contact",
  holds: `SELECT count(*)::int AS n FROM customer c LEFT JOIN contact k ON k.customer_id = c.id AND k.kind = 'EMAIL' AND k."primary"
          WHERE c.primary_email IS DISTINCT FROM k.normalized`,
};
// customer.primary_email: one trigger per contact event since migration 20261129070000.
const TRIGGERS: Record<string, { table: string; holds: string }> = {
  contact_primary_email_insert: PRIMARY_EMAIL_HOLDS,
  contact_primary_email_update: PRIMARY_EMAIL_HOLDS,
  contact_primary_email_delete: PRIMARY_EMAIL_HOLDS,
};

/** Loads `count` customers with their rows into `tenantId`, in one transaction; returns seconds per step. */
export async function bulkLoad(client: pg.Client, tenantId: string, salt: string, count: number): Promise<Record<string, number>> {
  const { rows: triggers } = await client.query<{ name: string }>(
    `SELECT t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relname = ANY($1)`,
    [TABLES],
  );
  const unknown = triggers.filter((t) => !TRIGGERS[t.name]);
  if (unknown.length) throw new Error(`bench:search does not know the triggers ${unknown.map((t) => t.name)}: see bench/search/bulk.ts`);
  const primaryEmail = triggers.some((t) => t.name === "contact_primary_email_insert");
  const steps = {
    rows: ROWS,
    customer: customers(primaryEmail),
    contact: CONTACTS,
    identity: IDENTITIES,
    consent: CONSENTS,
    custom_object: CUSTOM_OBJECTS,
  };
  const seconds: Record<string, number> = {};
  await client.query("BEGIN");
  try {
    for (const { name } of triggers) await client.query(`ALTER TABLE ${TRIGGERS[name].table} DISABLE TRIGGER ${name}`);
    for (const [step, sql] of Object.entries(steps)) {
      const started = performance.now();
      // Only the placeholders a statement uses may be passed (PostgreSQL infers their types).
      const all = step === "rows" ? [salt, count] : [tenantId, salt];
      const params = all.slice(0, Math.max(...[...sql.matchAll(/\$(\d)/g)].map((m) => Number(m[1]))));
      await client.query(sql, params);
      seconds[step] = (performance.now() - started) / 1000;
    }
    for (const { name } of triggers) await client.query(`ALTER TABLE ${TRIGGERS[name].table} ENABLE TRIGGER ${name}`);
    // Each check once, however many triggers maintain the same thing.
    for (const holds of new Set(triggers.map((t) => TRIGGERS[t.name].holds))) {
      const [{ n }] = (await client.query<{ n: number }>(holds)).rows;
      if (n !== 0) throw new Error(`${n} rows differ from what the triggers ${triggers.map((t) => t.name)} would have written`);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
  return seconds;
}

/**
 * The non-unique secondary indexes of the seeded tables (btree and GIN, the custom fields' partial
 * ones included): dropped before a bulk load and rebuilt after it from their exact definitions —
 * one sorted build each instead of a million GIN insertions. Unique indexes stay (they enforce the
 * invariants and back the foreign keys).
 */
export async function secondaryIndexes(client: pg.Client): Promise<{ name: string; definition: string }[]> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace AND NOT x.indisunique AND NOT x.indisprimary
     ORDER BY 1`,
    [TABLES],
  );
  return rows;
}
