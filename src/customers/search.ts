import { Prisma, type Customer } from "../generated/prisma/client.ts";
import { ValidationError } from "../errors.ts";
import type { ServiceContext } from "../service-context.ts";
import { compileCustomerFilter, type CustomerFilter } from "./filter.ts";
import type { RelationQuery } from "./lookup.ts";
import { afterCursor, encodeCursor, orderBy, resolveSort, type CustomerOrder, type Sort } from "./sort.ts";

// Searching customers: one page of a filtered, sorted list (keyset pagination), its exact count
// and the planner's estimate. The SQL of each is exported as well: the service runs exactly that,
// and the benchmark EXPLAIN ANALYZEs it (bench/search*).

export interface CustomerPageRequest {
  filter?: CustomerFilter | null;
  first: number;
  after?: string | null;
  orderBy?: CustomerOrder | null;
  /** Where the filter sits in the caller's input, for error paths (default `filter`). */
  filterPath?: string;
}

export interface CustomerPage {
  ids: string[];
  /** The edge cursor of each id, in the same order. */
  cursors: string[];
  endCursor: string | null;
  startCursor: string | null;
  hasNextPage: boolean;
}

export interface CustomerSearch {
  page: CustomerPage;
  /** Exact number of matches: one statement that visits every match. */
  count(): Promise<number>;
  /** The planner's estimate of the matches: one EXPLAIN, no rows read. */
  estimate(): Promise<number>;
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

interface Planned {
  where: Prisma.Sql;
  sort: Sort;
}

async function plan(ctx: ServiceContext, req: Omit<CustomerPageRequest, "first">): Promise<Planned> {
  const sortKey = req.orderBy?.field === "CUSTOM_FIELD" ? req.orderBy.customField : null;
  const { where, fields } = await compileCustomerFilter(ctx, req.filter, req.filterPath ?? "filter", sortKey);
  return { where, sort: resolveSort(req.orderBy, fields) };
}

/**
 * The page statement: `first + 1` rows of (id, sort value) in sort order after the cursor. With a
 * nullable sort key and a cursor, the rows after it are two index ranges (see afterCursor): each
 * is read in order up to the page size and the union (at most 2 × (first + 1) rows) is sorted.
 */
function pageSql({ where, sort }: Planned, first: number, after: string | null | undefined): Prisma.Sql {
  const select = (extra: Prisma.Sql | null) => Prisma.sql`
    SELECT c.id, ${sort.expr} AS sort_value FROM customer c
    WHERE ${where}${extra ? Prisma.sql` AND ${extra}` : Prisma.empty}
    ORDER BY ${orderBy(sort)} LIMIT ${first + 1}`;
  const branches = after ? afterCursor(sort, after) : [null];
  if (branches.length === 1) return select(branches[0]);
  const union = Prisma.join(
    branches.map((b) => Prisma.sql`(${select(b)})`),
    " UNION ALL ",
  );
  return Prisma.sql`SELECT p.id, p.sort_value FROM (${union}) p
    ORDER BY ${orderBy(sort, { value: Prisma.sql`p.sort_value`, id: Prisma.sql`p.id` })} LIMIT ${first + 1}`;
}

const countSql = (where: Prisma.Sql) => Prisma.sql`SELECT count(*) AS n FROM customer c WHERE ${where}`;

function checkFirst(first: number) {
  if (first < 0 || first > MAX_PAGE_SIZE) throw new ValidationError([{ field: "first", message: `between 0 and ${MAX_PAGE_SIZE}` }]);
}

/**
 * The exact SQL of the page statement `searchCustomers` runs for `req` (for EXPLAIN). Validates
 * like the search. Cost: the definitions lookup when custom fields are involved.
 */
export async function customerSearchSql(ctx: ServiceContext, req: CustomerPageRequest): Promise<Prisma.Sql> {
  checkFirst(req.first);
  return pageSql(await plan(ctx, req), req.first, req.after);
}

/** The exact SQL of the count statement for `filter` (what totalCount and Segment.count run). */
export async function customerCountSql(
  ctx: ServiceContext,
  filter: CustomerFilter | null | undefined,
  filterPath = "filter",
): Promise<Prisma.Sql> {
  return countSql((await plan(ctx, { filter, filterPath })).where);
}

/**
 * One page of customers matching `filter` in the order asked for, with keyset pagination: the
 * cursor carries the last row's sort value and id, so a page costs one index range walk (two
 * with a nullable sort key) however deep, and deleting rows never breaks a cursor. Count and
 * estimate are run only when called, sharing the compiled filter.
 * Cost: the definitions lookup when custom fields are involved, then one statement.
 */
export async function searchCustomers(ctx: ServiceContext, req: CustomerPageRequest): Promise<CustomerSearch> {
  checkFirst(req.first);
  const planned = await plan(ctx, req);
  const rows = await ctx.db.$queryRaw<{ id: string; sort_value: unknown }[]>(pageSql(planned, req.first, req.after));
  const kept = rows.slice(0, req.first);
  const cursors = kept.map((r) => encodeCursor(planned.sort, r.sort_value, r.id));
  return {
    page: {
      ids: kept.map((r) => r.id),
      cursors,
      startCursor: cursors[0] ?? null,
      endCursor: cursors.at(-1) ?? null,
      hasNextPage: rows.length > req.first,
    },
    count: () => runCount(ctx, planned.where),
    estimate: () => runEstimate(ctx, planned.where),
  };
}

/** How many customers match `filter`. Cost: one statement that visits every match. */
export async function countCustomers(
  ctx: ServiceContext,
  filter: CustomerFilter | null | undefined,
  filterPath = "filter",
): Promise<number> {
  return runCount(ctx, (await plan(ctx, { filter, filterPath })).where);
}

async function runCount(ctx: ServiceContext, where: Prisma.Sql): Promise<number> {
  const [row] = await ctx.db.$queryRaw<{ n: bigint }[]>(countSql(where));
  return Number(row.n);
}

/**
 * The planner's row estimate for the matches: the Plan Rows of EXPLAIN of the statement the count
 * aggregates over (the count's own top node always estimates one row). Reads statistics only.
 */
async function runEstimate(ctx: ServiceContext, where: Prisma.Sql): Promise<number> {
  const [row] = await ctx.db.$queryRaw<{ "QUERY PLAN": unknown }[]>`EXPLAIN (FORMAT JSON) SELECT 1 FROM customer c WHERE ${where}`;
  const plan = typeof row["QUERY PLAN"] === "string" ? JSON.parse(row["QUERY PLAN"]) : row["QUERY PLAN"];
  return Math.round(Number((plan as { Plan: { "Plan Rows": number } }[])[0].Plan["Plan Rows"]));
}
