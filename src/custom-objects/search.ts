import { Prisma, type CustomObject } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";

export interface CustomObjectCriteria {
  /** Objects of this name only. */
  name: string;
  /** jsonb containment: every key/value given must be present in the object's data. */
  filter?: Record<string, unknown> | null;
}

/**
 * One page as Pothos's prismaConnection asks for it: `take` rows (negative: the rows before the
 * cursor), after the `cursor` row which is itself skipped, plus the relations to load along.
 */
export interface PageQuery {
  take: number;
  skip: number;
  cursor?: { id: string };
  include?: Prisma.CustomObjectInclude;
  select?: Prisma.CustomObjectSelect;
}

const ORDER = [{ createdAt: "desc" }, { id: "desc" }] satisfies Prisma.CustomObjectOrderByWithRelationInput[];

/**
 * A page of the tenant's objects named `name`, newest first, optionally only those whose data
 * contains `filter`. Without a filter: one statement over the (tenant_id, name) index. With one,
 * Prisma cannot say `data @> filter` on an object (its array_contains also demands a JSON
 * array), so a raw statement picks the page's ids through the GIN index custom_object_data_idx
 * and a second one loads those rows with their relations.
 */
/** One custom object of the caller's tenant by id, with the relations asked for; null when there is none. */
export async function findCustomObject(
  ctx: ServiceContext,
  id: string,
  relations: { include?: Prisma.CustomObjectInclude; select?: Prisma.CustomObjectSelect } = {},
): Promise<CustomObject | null> {
  return isUuid(id) ? ctx.db.customObject.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : null;
}

export async function findCustomObjects(ctx: ServiceContext, criteria: CustomObjectCriteria, page: PageQuery): Promise<CustomObject[]> {
  const { take, skip, cursor, ...relations } = page;
  const where = { tenantId: ctx.tenantId, name: criteria.name };
  if (!criteria.filter || Object.keys(criteria.filter).length === 0) {
    if (cursor && !isUuid(cursor.id)) return [];
    return ctx.db.customObject.findMany({
      ...relations,
      where,
      orderBy: ORDER,
      take,
      skip,
      cursor: cursor && { id_tenantId: { id: cursor.id, tenantId: ctx.tenantId } },
    });
  }
  const ids = await pageIds(ctx, criteria.name, criteria.filter, take, cursor);
  if (ids.length === 0) return [];
  const rows = await ctx.db.customObject.findMany({ ...relations, where: { ...where, id: { in: ids } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r) => r !== undefined);
}

/** The ids of one page in connection order; the cursor row is excluded, as `skip: 1` asks. */
async function pageIds(ctx: ServiceContext, name: string, filter: Record<string, unknown>, take: number, cursor?: { id: string }) {
  if (cursor && !isUuid(cursor.id)) return [];
  const backward = take < 0;
  const conditions = [
    Prisma.sql`o.tenant_id = ${ctx.tenantId}::uuid`,
    Prisma.sql`o.name = ${name}`,
    Prisma.sql`o.data @> ${JSON.stringify(filter)}::jsonb`,
  ];
  if (cursor) {
    const at = Prisma.sql`(SELECT c.created_at, c.id FROM custom_object c WHERE c.id = ${cursor.id}::uuid AND c.tenant_id = ${ctx.tenantId}::uuid)`;
    conditions.push(backward ? Prisma.sql`(o.created_at, o.id) > ${at}` : Prisma.sql`(o.created_at, o.id) < ${at}`);
  }
  const order = backward ? Prisma.sql`o.created_at ASC, o.id ASC` : Prisma.sql`o.created_at DESC, o.id DESC`;
  const rows = await ctx.db.$queryRaw<{ id: string }[]>`
    SELECT o.id FROM custom_object o WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY ${order} LIMIT ${Math.abs(take)}`;
  const ids = rows.map((r) => r.id);
  return backward ? ids.reverse() : ids;
}
