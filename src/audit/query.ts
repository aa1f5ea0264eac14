import { z } from "zod";
import type { AuditEvent, Prisma } from "../generated/prisma/client.ts";
import { ActorKind } from "../generated/prisma/enums.ts";
import { ValidationError } from "../errors.ts";
import { isUuid, NIL_UUID } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";

export const MAX_AUDIT_PAGE = 200;

const filterInput = z.object({
  types: z.array(z.string().min(1).max(100)).max(50).nullish(),
  /** `customer.*` style prefixes match every type below them. */
  customerId: z.string().nullish(),
  actorKind: z.enum(ActorKind).nullish(),
  actorId: z.string().max(100).nullish(),
  /** Only console actions (the team audit log); teamMemberId: only this member's. */
  teamActions: z.boolean().nullish(),
  teamMemberId: z.string().max(100).nullish(),
  from: z.date().nullish(),
  to: z.date().nullish(),
});

export type AuditFilter = z.input<typeof filterInput>;
export type ParsedAuditFilter = z.output<typeof filterInput>;

export const parseAuditFilter = (filter: AuditFilter = {}) => parseInput(filterInput, filter, "filter");

/** The same test as `auditWhere`, for events that arrive live instead of from the database. */
export function matchesAuditFilter(f: ParsedAuditFilter, e: AuditEvent): boolean {
  if (f.types?.length && !f.types.some((t) => (t.endsWith(".*") ? e.type.startsWith(t.slice(0, -1)) : e.type === t))) return false;
  if (f.customerId != null && e.customerId !== f.customerId) return false;
  if (f.actorKind && e.actorKind !== f.actorKind) return false;
  if (f.actorId && e.actorId !== f.actorId) return false;
  if (f.teamActions && !e.teamMemberId) return false;
  if (f.teamMemberId && e.teamMemberId !== f.teamMemberId) return false;
  if (f.from && e.occurredAt < f.from) return false;
  if (f.to && e.occurredAt >= f.to) return false;
  return true;
}

export interface AuditPage {
  events: AuditEvent[];
  hasNextPage: boolean;
}

/** The largest sequence number PostgreSQL's bigint holds; a larger cursor would fail in SQL. */
const MAX_SEQUENCE = 9_223_372_036_854_775_807n;

/** Parses an audit cursor: the decimal sequence number of an event. */
export function parseSequence(cursor: string, field = "after"): bigint {
  if (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > MAX_SEQUENCE) {
    throw new ValidationError([{ field, message: "not an audit cursor (a sequence number)" }]);
  }
  return BigInt(cursor);
}

/** The Prisma filter for a tenant's events; shared by listing and the live stream. */
export function auditWhere(ctx: ServiceContext, f: ParsedAuditFilter): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput = { tenantId: ctx.tenantId };
  if (f.types?.length) {
    where.OR = f.types.map((t) => (t.endsWith(".*") ? { type: { startsWith: t.slice(0, -1) } } : { type: t }));
  }
  if (f.customerId != null) where.customerId = isUuid(f.customerId) ? f.customerId : NIL_UUID;
  if (f.actorKind) where.actorKind = f.actorKind;
  if (f.actorId) where.actorId = f.actorId;
  if (f.teamMemberId) where.teamMemberId = isUuid(f.teamMemberId) ? f.teamMemberId : NIL_UUID;
  else if (f.teamActions) where.teamMemberId = { not: null };
  if (f.from || f.to) where.occurredAt = { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) };
  return where;
}

/**
 * One page of the tenant's audit trail in sequence order (newest first by default), keyset-
 * paginated on the (tenant, sequence) unique index. Cost: one SQL statement.
 */
export async function listAuditEvents(
  ctx: ServiceContext,
  req: { filter?: AuditFilter; first: number; after?: string | null; direction: "ASC" | "DESC" },
): Promise<AuditPage> {
  if (req.first < 0 || req.first > MAX_AUDIT_PAGE) {
    throw new ValidationError([{ field: "first", message: `between 0 and ${MAX_AUDIT_PAGE}` }]);
  }
  const where = auditWhere(ctx, parseAuditFilter(req.filter));
  if (req.after) where.seq = req.direction === "ASC" ? { gt: parseSequence(req.after) } : { lt: parseSequence(req.after) };
  const rows = await ctx.db.auditEvent.findMany({
    where,
    orderBy: { seq: req.direction === "ASC" ? "asc" : "desc" },
    take: req.first + 1,
  });
  return { events: rows.slice(0, req.first), hasNextPage: rows.length > req.first };
}
