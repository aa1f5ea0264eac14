import { Prisma } from "../generated/prisma/client.ts";
import type { CustomerStatus } from "../generated/prisma/enums.ts";
import { ValidationError } from "../errors.ts";
import type { ServiceContext } from "../service-context.ts";
import { tenantPii } from "../pii/at-rest.ts";
import {
  customFieldCondition,
  issue,
  likePattern,
  loadFieldDefinitions,
  MAX_IN_VALUES,
  type Compilation,
  type CustomFieldCondition,
  type FieldDefinitions,
  type Json,
} from "./filter-fields.ts";
import { membership, role, type MembershipFilter, type RoleFilter } from "./filter-access.ts";
import { labelConditions, type LabelFilter } from "./filter-labels.ts";
import { sealedPhoneMatch } from "./filter-phones.ts";

// The one filter language over customers: a tree of and/or/not over per-field conditions, compiled
// to one parameterized SQL condition on `customer c`. Search, segments and (later) bulk actions and
// exports all run it. Values only ever travel as parameters; custom-field keys are written as
// literals only after they matched a definition (see filter-fields.ts). Every condition is one an
// index serves at a million customers: trigram on contact.normalized / username / name_search,
// the contact unique key for exact emails and phones (sealed phones: exact only, filter-phones.ts), EXISTS over identity(tenant_id, provider),
// consent(tenant_id, purpose) and custom_object's GIN, the custom-field indexes.

export interface StringFilter {
  equals?: string | null;
  in?: string[] | null;
  startsWith?: string | null;
  contains?: string | null;
  /** true: has a value; false: has none. */
  exists?: boolean | null;
}

export interface ContactFilter extends StringFilter {
  verified?: boolean | null;
  primary?: boolean | null;
}

/** Dates arrive as Date from GraphQL and as ISO strings from a stored segment. */
type Instant = Date | string;

export interface DateTimeFilter {
  gt?: Instant | null;
  gte?: Instant | null;
  lt?: Instant | null;
  lte?: Instant | null;
  exists?: boolean | null;
}

export interface IdentityFilter {
  provider?: StringFilter | null;
  exists?: boolean | null;
}

export interface ConsentFilter {
  purpose: string;
  granted?: boolean | null;
  version?: StringFilter | null;
}

export interface CustomObjectFilter {
  name: string;
  data?: { [key: string]: Json } | null;
}

export interface CustomerFilter extends LabelFilter {
  and?: CustomerFilter[] | null;
  or?: CustomerFilter[] | null;
  not?: CustomerFilter | null;
  status?: CustomerStatus[] | null;
  email?: ContactFilter | null;
  phone?: ContactFilter | null;
  username?: StringFilter | null;
  name?: StringFilter | null;
  createdAt?: DateTimeFilter | null;
  lastLoginAt?: DateTimeFilter | null;
  identity?: IdentityFilter | null;
  consent?: ConsentFilter | null;
  customFields?: CustomFieldCondition[] | null;
  customObject?: CustomObjectFilter | null;
  group?: MembershipFilter | null;
  organization?: MembershipFilter | null;
  role?: RoleFilter | null;
}

/** Deeper trees are refused: they are never what a person meant, and each level costs planning time. */
export const MAX_FILTER_DEPTH = 8;
/** Leaf conditions in one filter, across all levels. */
export const MAX_FILTER_CONDITIONS = 100;
const TRUE = Prisma.sql`TRUE`;
const FALSE = Prisma.sql`FALSE`;

/**
 * The SQL condition (on `customer c`) of `filter` for the caller's tenant, the tenant included.
 * Throws a ValidationError listing every problem, each with its path under `path`
 * (`filter.and.0.customFields.1.gt`). Cost: one indexed statement for the tenant's custom-field
 * definitions when the filter names custom fields (or `sortField` does), none otherwise; the
 * tenant's PII keys (cached a minute) when it has a phone condition.
 */
export async function compileCustomerFilter(
  ctx: ServiceContext,
  filter: CustomerFilter | null | undefined,
  path = "filter",
  sortField?: string | null,
): Promise<{ where: Prisma.Sql; fields: FieldDefinitions }> {
  const nodes = filterNodes(filter);
  const named = nodes.flatMap((n) => (n.customFields ?? []).map((k) => k?.key)).filter((k): k is string => typeof k === "string");
  const keys = [...named, ...(sortField ? [sortField] : [])];
  const fields = await loadFieldDefinitions(ctx, keys);
  const usesPii = keys.some((k) => fields.active.get(k)?.pii);
  const pii = usesPii || nodes.some((n) => n.phone != null) ? await tenantPii(ctx.db, ctx.db, ctx.tenantId) : null;
  const c: Compilation = { tenantId: ctx.tenantId, pii, fields, issues: [], conditions: 0 };
  const condition = filter ? compileNode(c, filter, path, 1) : TRUE;
  if (c.conditions > MAX_FILTER_CONDITIONS) issue(c, path, `more than ${MAX_FILTER_CONDITIONS} conditions`);
  if (c.issues.length) throw new ValidationError(c.issues);
  return { where: Prisma.sql`c.tenant_id = ${ctx.tenantId}::uuid AND (${condition})`, fields };
}

/** Every node of a filter tree down to MAX_FILTER_DEPTH (deeper ones are the compiler's to report). */
function filterNodes(f: CustomerFilter | null | undefined, depth = 0): CustomerFilter[] {
  if (depth > MAX_FILTER_DEPTH || typeof f !== "object" || f === null) return [];
  const nested = [...(f.and ?? []), ...(f.or ?? []), ...(f.not ? [f.not] : [])];
  return [f, ...nested.flatMap((n) => filterNodes(n, depth + 1))];
}

function compileNode(c: Compilation, f: CustomerFilter, path: string, depth: number): Prisma.Sql {
  if (depth > MAX_FILTER_DEPTH) return issue(c, path, `nested deeper than ${MAX_FILTER_DEPTH} levels`);
  const parts: Prisma.Sql[] = [];
  const list = (items: CustomerFilter[], name: "and" | "or") => {
    if (items.length === 0) return parts.push(issue(c, `${path}.${name}`, "give at least one filter"));
    const compiled = items.map((item, i) => compileNode(c, item, `${path}.${name}.${i}`, depth + 1));
    parts.push(Prisma.sql`(${Prisma.join(compiled, name === "and" ? " AND " : " OR ")})`);
  };
  if (f.and) list(f.and, "and");
  if (f.or) list(f.or, "or");
  // IS NOT TRUE, not NOT: a condition on a missing value (lastLoginAt of a customer who never
  // signed in) is NULL in SQL, and "not after X" must include those customers.
  if (f.not) parts.push(Prisma.sql`(${compileNode(c, f.not, `${path}.not`, depth + 1)}) IS NOT TRUE`);
  const leaf = (sql: Prisma.Sql) => {
    c.conditions++;
    parts.push(sql);
  };
  if (f.status) leaf(status(c, f.status, `${path}.status`));
  if (f.email) leaf(contact(c, "EMAIL", f.email, `${path}.email`));
  if (f.phone) leaf(contact(c, "PHONE", f.phone, `${path}.phone`));
  if (f.username) leaf(text(c, Prisma.sql`c.username`, f.username, `${path}.username`, true));
  if (f.name) leaf(text(c, Prisma.sql`c.name_search`, f.name, `${path}.name`, true, Prisma.sql`c.name_search <> ''`));
  if (f.createdAt) leaf(instant(c, Prisma.sql`c.created_at`, f.createdAt, `${path}.createdAt`));
  if (f.lastLoginAt) leaf(instant(c, Prisma.sql`c.last_login_at`, f.lastLoginAt, `${path}.lastLoginAt`));
  if (f.identity) leaf(identity(c, f.identity, `${path}.identity`));
  if (f.consent) leaf(consent(c, f.consent, `${path}.consent`));
  f.customFields?.forEach((k, i) => leaf(customFieldCondition(c, k, `${path}.customFields.${i}`)));
  if (f.customObject) leaf(customObject(c, f.customObject, `${path}.customObject`));
  if (f.group) leaf(membership(c, "Group", f.group, `${path}.group`));
  if (f.organization) leaf(membership(c, "Organization", f.organization, `${path}.organization`));
  if (f.role) leaf(role(c, f.role, `${path}.role`));
  labelConditions(c.tenantId, f).forEach(leaf);
  return parts.length ? Prisma.join(parts, " AND ") : TRUE;
}

function status(c: Compilation, statuses: CustomerStatus[], path: string): Prisma.Sql {
  if (statuses.length === 0) return issue(c, path, "give at least one status");
  // A block whose end has passed counts as ACTIVE (see status.ts effectiveStatus).
  const parts: Prisma.Sql[] = [];
  if (statuses.includes("ACTIVE")) parts.push(Prisma.sql`c.status = 'ACTIVE' OR (c.status = 'BLOCKED' AND c.blocked_until <= now())`);
  if (statuses.includes("BLOCKED")) parts.push(Prisma.sql`(c.status = 'BLOCKED' AND (c.blocked_until IS NULL OR c.blocked_until > now()))`);
  if (statuses.includes("DISABLED")) parts.push(Prisma.sql`c.status = 'DISABLED'`);
  return Prisma.sql`(${Prisma.join(parts, " OR ")})`;
}

/**
 * A StringFilter on `column` (operators combine with AND). `lower`: the column holds lower-cased
 * text, so the value is lower-cased too (case-insensitive matching that the indexes serve).
 * `present`: what "has a value" means for this column (default IS NOT NULL).
 */
function text(c: Compilation, column: Prisma.Sql, m: StringFilter, path: string, lower: boolean, present?: Prisma.Sql): Prisma.Sql {
  const v = (s: string) => (lower ? s.toLowerCase() : s);
  const parts: Prisma.Sql[] = [];
  if (m.equals != null) parts.push(Prisma.sql`${column} = ${v(m.equals)}`);
  if (m.in != null) {
    if (m.in.length === 0 || m.in.length > MAX_IN_VALUES) parts.push(issue(c, `${path}.in`, `give 1 to ${MAX_IN_VALUES} values`));
    else parts.push(Prisma.sql`${column} IN (${Prisma.join(m.in.map(v))})`);
  }
  if (m.startsWith != null) parts.push(Prisma.sql`${column} LIKE ${likePattern("startsWith", v(m.startsWith))}`);
  if (m.contains != null) parts.push(Prisma.sql`${column} LIKE ${likePattern("contains", v(m.contains))}`);
  if (m.exists != null) {
    const has = present ?? Prisma.sql`${column} IS NOT NULL`;
    parts.push(m.exists ? has : Prisma.sql`NOT (${has})`);
  }
  if (parts.length === 0) return issue(c, path, "give at least one of equals, in, startsWith, contains, exists");
  return Prisma.join(parts, " AND ");
}

/** One contact of the kind meets every operator given; `exists: false` turns it into "none does". */
function contact(c: Compilation, kind: "EMAIL" | "PHONE", m: ContactFilter, path: string): Prisma.Sql {
  const { exists, verified, primary, ...match } = m;
  const parts = [Prisma.sql`k.tenant_id = ${c.tenantId}::uuid AND k.kind = ${kind}::"ContactKind"`];
  if (Object.values(match).some((x) => x != null)) {
    const sealed = kind === "PHONE" ? c.pii : null;
    parts.push(sealed ? sealedPhoneMatch(c, sealed, match, path) : text(c, Prisma.sql`k.normalized`, match, path, kind === "EMAIL"));
  }
  if (verified != null) parts.push(Prisma.sql`k.verified = ${verified}`);
  if (primary != null) parts.push(Prisma.sql`k."primary" = ${primary}`);
  if (parts.length === 1 && exists == null) return issue(c, path, "give at least one operator");
  // An exact address (equals, in) names at most one contact per value through the unique key
  // (tenant, kind, normalized): the customers are fetched first and looked up by primary key, which
  // an `or` of such conditions turns into one BitmapOr. As EXISTS, the planner walks the page's
  // sort index testing every customer: 120 ms instead of 3 ms for an email-or-phone at a million.
  // Not correlated with c, or the subquery would run once per customer walked.
  if (exists !== false && (match.equals != null || match.in != null)) {
    return Prisma.sql`c.id = ANY (ARRAY (SELECT k.customer_id FROM contact k WHERE ${Prisma.join(parts, " AND ")}))`;
  }
  const any = Prisma.sql`EXISTS (SELECT 1 FROM contact k WHERE k.customer_id = c.id AND ${Prisma.join(parts, " AND ")})`;
  return exists === false ? Prisma.sql`NOT ${any}` : any;
}

function toDate(c: Compilation, value: Instant, path: string): Date | null {
  const d = value instanceof Date ? value : typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) {
    issue(c, path, "not a date-time");
    return null;
  }
  return d;
}

function instant(c: Compilation, column: Prisma.Sql, r: DateTimeFilter, path: string): Prisma.Sql {
  const ops = { gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;
  const parts: Prisma.Sql[] = [];
  for (const [op, sign] of Object.entries(ops) as [keyof typeof ops, string][]) {
    const value = r[op];
    if (value == null) continue;
    const at = toDate(c, value, `${path}.${op}`);
    parts.push(at ? Prisma.sql`${column} ${Prisma.raw(sign)} ${at}` : FALSE);
  }
  if (r.exists != null) parts.push(r.exists ? Prisma.sql`${column} IS NOT NULL` : Prisma.sql`${column} IS NULL`);
  if (parts.length === 0) return issue(c, path, "give at least one of gt, gte, lt, lte, exists");
  return Prisma.join(parts, " AND ");
}

function identity(c: Compilation, f: IdentityFilter, path: string): Prisma.Sql {
  const parts = [Prisma.sql`i.tenant_id = ${c.tenantId}::uuid AND i.customer_id = c.id`];
  if (f.provider) parts.push(text(c, Prisma.sql`i.provider`, f.provider, `${path}.provider`, false));
  if (!f.provider && f.exists == null) return issue(c, path, "give provider or exists");
  const any = Prisma.sql`EXISTS (SELECT 1 FROM identity i WHERE ${Prisma.join(parts, " AND ")})`;
  return f.exists === false ? Prisma.sql`NOT ${any}` : any;
}

/**
 * granted true: a consent to the purpose is in force; false: the customer revoked it and has not
 * granted it again (never asked matches neither); absent: any answer, in force or revoked.
 * `version` applies to that consent.
 */
function consent(c: Compilation, f: ConsentFilter, path: string): Prisma.Sql {
  const of = (state: Prisma.Sql | null, version: StringFilter | null | undefined) => {
    const parts = [Prisma.sql`r.tenant_id = ${c.tenantId}::uuid AND r.customer_id = c.id AND r.purpose = ${f.purpose}`];
    if (state) parts.push(state);
    if (version) parts.push(text(c, Prisma.sql`r.version`, version, `${path}.version`, false));
    return Prisma.sql`EXISTS (SELECT 1 FROM consent r WHERE ${Prisma.join(parts, " AND ")})`;
  };
  if (typeof f.purpose !== "string" || f.purpose === "") return issue(c, `${path}.purpose`, "give the purpose");
  if (f.granted === true) return of(Prisma.sql`r.revoked_at IS NULL`, f.version);
  if (f.granted === false)
    return Prisma.sql`${of(Prisma.sql`r.revoked_at IS NOT NULL`, f.version)} AND NOT ${of(Prisma.sql`r.revoked_at IS NULL`, null)}`;
  return of(null, f.version);
}

function customObject(c: Compilation, f: CustomObjectFilter, path: string): Prisma.Sql {
  if (typeof f.name !== "string" || f.name === "") return issue(c, `${path}.name`, "give the object name");
  const parts = [Prisma.sql`o.tenant_id = ${c.tenantId}::uuid AND o.customer_id = c.id AND o.name = ${f.name}`];
  if (f.data != null) {
    if (typeof f.data !== "object" || Array.isArray(f.data)) return issue(c, `${path}.data`, "a JSON object");
    parts.push(Prisma.sql`o.data @> ${JSON.stringify(f.data)}::jsonb`);
  }
  return Prisma.sql`EXISTS (SELECT 1 FROM custom_object o WHERE ${Prisma.join(parts, " AND ")})`;
}
