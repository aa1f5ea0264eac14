import { Prisma, type Customer } from "../generated/prisma/client.ts";
import type { CustomerStatus } from "../generated/prisma/enums.ts";
import { ValidationError } from "../errors.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import type { RelationQuery } from "./lookup.ts";

export interface StringMatch {
  equals?: string | null;
  startsWith?: string | null;
  contains?: string | null;
}

export interface TimeRange {
  /** Inclusive. */
  from?: Date | null;
  /** Exclusive. */
  to?: Date | null;
}

export interface CustomerFilter {
  status?: CustomerStatus[] | null;
  email?: StringMatch | null;
  phone?: StringMatch | null;
  username?: StringMatch | null;
  name?: StringMatch | null;
  createdAt?: TimeRange | null;
  lastLoginAt?: TimeRange | null;
  /** Every key must be present with an equal (JSON) value. */
  customFields?: Record<string, unknown> | null;
}

export interface CustomerPageRequest {
  filter?: CustomerFilter | null;
  first: number;
  after?: string | null;
  direction: "ASC" | "DESC";
}

export interface CustomerPage {
  ids: string[];
  endCursor: string | null;
  startCursor: string | null;
  hasNextPage: boolean;
}

export const MAX_PAGE_SIZE = 100;

/**
 * The customers of a page, in the page's order, with the relations asked for. Rows deleted since
 * the ids were read are left out. Cost: one statement (plus one per relation Prisma loads).
 */
export async function loadCustomers(ctx: ServiceContext, ids: string[], relations: RelationQuery = {}): Promise<Customer[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.db.customer.findMany({ ...relations, where: { id: { in: ids }, tenantId: ctx.tenantId } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((c) => c !== undefined);
}

/**
 * One page of customer ids matching `filter`, ordered by (createdAt, id) with keyset pagination:
 * the cursor carries the last row's (createdAt, id), so a page costs one index range scan no
 * matter how deep, and deleting rows never breaks a cursor. Filters combine with AND; each one is
 * served by an index (trigram for prefix/contains, jsonb_path_ops for custom fields).
 * Cost: one SQL statement.
 */
export async function searchCustomerIds(ctx: ServiceContext, req: CustomerPageRequest): Promise<CustomerPage> {
  if (req.first < 0 || req.first > MAX_PAGE_SIZE) {
    throw new ValidationError([{ field: "first", message: `between 0 and ${MAX_PAGE_SIZE}` }]);
  }
  const where = [...filterConditions(ctx, req.filter ?? {})];
  if (req.after) {
    const [createdAt, id] = decodeCursor(req.after);
    where.push(
      req.direction === "DESC"
        ? Prisma.sql`(c.created_at, c.id) < (${createdAt}::timestamptz, ${id}::uuid)`
        : Prisma.sql`(c.created_at, c.id) > (${createdAt}::timestamptz, ${id}::uuid)`,
    );
  }
  const order = req.direction === "DESC" ? Prisma.sql`c.created_at DESC, c.id DESC` : Prisma.sql`c.created_at ASC, c.id ASC`;
  const rows = await ctx.db.$queryRaw<{ id: string; created_at: Date }[]>`
    SELECT c.id, c.created_at FROM customer c
    WHERE ${Prisma.join(where, " AND ")}
    ORDER BY ${order} LIMIT ${req.first + 1}`;
  const page = rows.slice(0, req.first);
  return {
    ids: page.map((r) => r.id),
    startCursor: page.length ? encodeCursor(page[0]) : null,
    endCursor: page.length ? encodeCursor(page[page.length - 1]) : null,
    hasNextPage: rows.length > req.first,
  };
}

/** How many customers match `filter`. Cost: one SQL statement that visits every match. */
export async function countCustomers(ctx: ServiceContext, filter: CustomerFilter): Promise<number> {
  const [row] = await ctx.db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM customer c WHERE ${Prisma.join(filterConditions(ctx, filter), " AND ")}`;
  return Number(row.n);
}

export const cursorOf = (c: { id: string; createdAt: Date }) => encodeCursor({ id: c.id, created_at: c.createdAt });

function encodeCursor(row: { id: string; created_at: Date }): string {
  return Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id])).toString("base64url");
}

const isIsoInstant = (s: string) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s;

function decodeCursor(cursor: string): [string, string] {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    // Exactly what encodeCursor writes: anything else (a "date" PostgreSQL would refuse, 36
    // dashes for a uuid) is forged and must not reach the SQL.
    if (typeof createdAt === "string" && isIsoInstant(createdAt) && typeof id === "string" && isUuid(id)) return [createdAt, id];
  } catch {
    // fall through
  }
  throw new ValidationError([{ field: "after", message: "not a cursor returned by this query" }]);
}

function filterConditions(ctx: ServiceContext, f: CustomerFilter): Prisma.Sql[] {
  const conditions = [Prisma.sql`c.tenant_id = ${ctx.tenantId}::uuid`];
  if (f.status?.length) {
    // A block whose end has passed counts as ACTIVE (see status.ts effectiveStatus).
    const parts: Prisma.Sql[] = [];
    if (f.status.includes("ACTIVE")) parts.push(Prisma.sql`c.status = 'ACTIVE' OR (c.status = 'BLOCKED' AND c.blocked_until <= now())`);
    if (f.status.includes("BLOCKED"))
      parts.push(Prisma.sql`(c.status = 'BLOCKED' AND (c.blocked_until IS NULL OR c.blocked_until > now()))`);
    if (f.status.includes("DISABLED")) parts.push(Prisma.sql`c.status = 'DISABLED'`);
    conditions.push(Prisma.sql`(${Prisma.join(parts, " OR ")})`);
  }
  const contact = (kind: "EMAIL" | "PHONE", m: StringMatch, field: string) =>
    Prisma.sql`EXISTS (SELECT 1 FROM contact k WHERE k.customer_id = c.id AND k.kind = ${kind}::"ContactKind" AND ${match(Prisma.sql`k.normalized`, m, field)})`;
  if (f.email) conditions.push(contact("EMAIL", lower(f.email), "filter.email"));
  if (f.phone) conditions.push(contact("PHONE", f.phone, "filter.phone"));
  if (f.username) conditions.push(match(Prisma.sql`c.username`, lower(f.username), "filter.username"));
  if (f.name) conditions.push(match(Prisma.sql`c.name_search`, lower(f.name), "filter.name"));
  if (f.createdAt) conditions.push(...range(Prisma.sql`c.created_at`, f.createdAt));
  if (f.lastLoginAt) conditions.push(...range(Prisma.sql`c.last_login_at`, f.lastLoginAt));
  if (f.customFields && Object.keys(f.customFields).length > 0) {
    conditions.push(Prisma.sql`c.custom_fields @> ${JSON.stringify(f.customFields)}::jsonb`);
  }
  return conditions;
}

const lower = (m: StringMatch): StringMatch => ({
  equals: m.equals?.toLowerCase(),
  startsWith: m.startsWith?.toLowerCase(),
  contains: m.contains?.toLowerCase(),
});

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

function match(column: Prisma.Sql, m: StringMatch, field: string): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (m.equals != null) parts.push(Prisma.sql`${column} = ${m.equals}`);
  if (m.startsWith != null) parts.push(Prisma.sql`${column} LIKE ${escapeLike(m.startsWith) + "%"}`);
  if (m.contains != null) parts.push(Prisma.sql`${column} LIKE ${"%" + escapeLike(m.contains) + "%"}`);
  if (parts.length === 0) throw new ValidationError([{ field, message: "give equals, startsWith or contains" }]);
  return Prisma.join(parts, " AND ");
}

function range(column: Prisma.Sql, r: TimeRange): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [];
  if (r.from) parts.push(Prisma.sql`${column} >= ${r.from}`);
  if (r.to) parts.push(Prisma.sql`${column} < ${r.to}`);
  return parts;
}
