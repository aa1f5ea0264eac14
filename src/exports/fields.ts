import { Prisma } from "../generated/prisma/client.ts";
import { customFieldsSql, customFieldTokenSql, tokenSql } from "../pii/tokens.ts";

// What an export writes per customer: the shared customer record (the format import reads
// back without a mapping), built by PostgreSQL as one json_build_object per row so a page is one
// statement whatever relations are chosen (each relation is a correlated subquery on its
// (customer_id, …) index, joined on the full key, tenant included).

/** Written unless `fields` says otherwise: the profile columns and the custom fields. */
export const DEFAULT_FIELDS = [
  "uid",
  "username",
  "email",
  "emailVerified",
  "phone",
  "phoneVerified",
  "firstName",
  "middleName",
  "lastName",
  "nickname",
  "birthdate",
  "gender",
  "locale",
  "timezone",
  "company",
  "jobTitle",
  "status",
  "createdAt",
  "updatedAt",
  "lastLoginAt",
  "customFields",
] as const;

/** Lists written only when asked for (JSON text in a CSV cell). */
export const OPTIONAL_FIELDS = ["addresses", "emails", "phones", "identities", "consents", "customObjects"] as const;

export type ExportField = (typeof DEFAULT_FIELDS)[number] | (typeof OPTIONAL_FIELDS)[number];
export const ALL_FIELDS: readonly ExportField[] = [...DEFAULT_FIELDS, ...OPTIONAL_FIELDS];

// Instants in UTC with milliseconds, as Date.toISOString writes them, whatever the session's
// TimeZone (json_build_object would write the session's offset).
export const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// A contact's value: a phone sealed at rest (its normalized form is then a blind index) as a token
// that Node opens (src/pii/tokens.ts).
const contactValue = (alias: string) =>
  `CASE WHEN ${alias}.normalized LIKE 'bi:%' THEN ${tokenSql("phone", `${alias}.value`)} ELSE ${alias}.value END`;

// The primary email and phone: one LATERAL read each for value and verified together (a
// subquery per column read the contact twice: 13% of a page's statement, measured).
const PRIMARY = { EMAIL: "pe", PHONE: "pp" } as const;
const primaryJoin = (kind: keyof typeof PRIMARY) =>
  `LEFT JOIN LATERAL (SELECT ${contactValue("p")} AS value, p.verified FROM contact p WHERE p.customer_id = c.id AND p.tenant_id = c.tenant_id ` +
  `AND p.kind = '${kind}' AND p."primary" LIMIT 1) ${PRIMARY[kind]} ON true`;

/** The FROM clause the chosen fields' SQL reads: `customer c` and the primary contacts they name. */
export function customerFromSql(fields: readonly ExportField[]): string {
  const joins = (["EMAIL", "PHONE"] as const).filter((kind) =>
    kind === "EMAIL"
      ? fields.includes("email") || fields.includes("emailVerified")
      : fields.includes("phone") || fields.includes("phoneVerified"),
  );
  return ["customer c", ...joins.map(primaryJoin)].join(" ");
}

/** Primary first, then oldest first. */
const contacts = (kind: "EMAIL" | "PHONE") =>
  `(SELECT coalesce(json_agg(json_build_object('value', ${contactValue("p")}, 'primary', p."primary", 'verified', p.verified) ORDER BY p."primary" DESC, p.created_at, p.id), '[]') ` +
  `FROM contact p WHERE p.customer_id = c.id AND p.tenant_id = c.tenant_id AND p.kind = '${kind}')`;

const list = (table: string, object: string, order: string) =>
  `(SELECT coalesce(json_agg(${object} ORDER BY ${order}), '[]') FROM ${table} r WHERE r.customer_id = c.id AND r.tenant_id = c.tenant_id)`;

/** The SQL expression of each field on customerFromSql's FROM (trusted text: no input reaches it). */
export const FIELD_SQL: Record<ExportField, string> = {
  uid: "c.uid",
  username: "c.username",
  email: "pe.value",
  emailVerified: "pe.verified",
  phone: "pp.value",
  phoneVerified: "pp.verified",
  firstName: "c.first_name",
  middleName: "c.middle_name",
  lastName: "c.last_name",
  nickname: "c.nickname",
  birthdate: `CASE WHEN c.pii_sealed IS NULL THEN to_char(c.birthdate, 'YYYY-MM-DD') ELSE ${tokenSql("birthdate", "c.pii_sealed")} END`,
  gender: "c.gender",
  locale: "c.locale",
  timezone: "c.timezone",
  company: "c.company",
  jobTitle: "c.job_title",
  status: "c.status",
  createdAt: iso("c.created_at"),
  updatedAt: iso("c.updated_at"),
  lastLoginAt: iso("c.last_login_at"),
  customFields: customFieldsSql,
  addresses: `CASE WHEN c.pii_sealed IS NULL THEN c.addresses ELSE to_jsonb(${tokenSql("addresses", "c.pii_sealed")}) END`,
  emails: contacts("EMAIL"),
  phones: contacts("PHONE"),
  identities: list(
    "identity",
    `json_build_object('provider', r.provider, 'providerUserId', r.provider_user_id, 'profile', r.profile, 'linkedAt', ${iso("r.linked_at")})`,
    // Provider and its user id (unique in the tenant) break ties: identities linked together come
    // out in the same order from any copy of them, an import's included.
    "r.linked_at, r.provider, r.provider_user_id",
  ),
  consents: list(
    "consent",
    `json_build_object('purpose', r.purpose, 'version', r.version, 'source', r.source, 'grantedAt', ${iso("r.granted_at")}, 'revokedAt', ${iso("r.revoked_at")})`,
    "r.granted_at, r.id",
  ),
  customObjects: list(
    "custom_object",
    `json_build_object('name', r.name, 'data', r.data, 'createdAt', ${iso("r.created_at")})`,
    "r.created_at, r.id",
  ),
};

/** Fields whose text never needs CSV escaping (booleans, dates, instants, the status enum). */
const PLAIN_IN_CSV = new Set<ExportField>([
  "emailVerified",
  "phoneVerified",
  "birthdate",
  "status",
  "createdAt",
  "updatedAt",
  "lastLoginAt",
]);

/** One column of a page: its SQL on `customer c`, and whether its text may need CSV escaping. */
export interface PageColumn {
  sql: Prisma.Sql;
  escape: boolean;
}

/**
 * The JSON record of each customer as one text column: row_to_json over a LATERAL row of the
 * chosen fields in the order of ALL_FIELDS (so every export of the same fields has the same key
 * order). row_to_json writes compact JSON (json_build_object writes `"uid" : "x"`, 10% more bytes);
 * the LATERAL subquery has no FROM and is flattened by the planner: no per-row subquery.
 */
export function jsonRecordColumns(fields: readonly ExportField[]): { columns: PageColumn[]; lateral: Prisma.Sql } {
  const pairs = ALL_FIELDS.filter((f) => fields.includes(f)).map((f) => `${FIELD_SQL[f]} AS "${f}"`);
  return {
    columns: [{ sql: Prisma.raw("row_to_json(r)::text"), escape: false }],
    lateral: Prisma.raw(`, LATERAL (SELECT ${pairs.join(", ")}) r`),
  };
}

/**
 * The CSV columns as text: each field, the custom fields one per key (strings unquoted, other
 * JSON values as JSON text, lists and objects as PostgreSQL writes jsonb: `["a", "b"]`).
 */
export function csvColumns(fields: readonly ExportField[], customKeys: string[]): PageColumn[] {
  return fields.flatMap((f) =>
    f === "customFields"
      ? customKeys.map((key) => ({ sql: customFieldCellSql(key), escape: true }))
      : [{ sql: Prisma.raw(`(${FIELD_SQL[f]})::text`), escape: !PLAIN_IN_CSV.has(f) }],
  );
}

/** One custom field's CSV cell text: a string as it is, other values as jsonb text; a sealed one (PII) as its token. */
const customFieldCellSql = (key: string) =>
  Prisma.sql`CASE WHEN c.pii_index ? ${key}::text THEN ${customFieldTokenSql(Prisma.sql`${key}::text`)} ELSE c.custom_fields -> ${key}::text #>> '{}' END`;
