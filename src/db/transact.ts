import type { AuditEvent, Prisma } from "../generated/prisma/client.ts";
import { sameJson } from "../json.ts";
import type { ServiceContext } from "../service-context.ts";

export type Tx = Prisma.TransactionClient;

export interface AuditInput {
  /** Dotted event type, e.g. `customer.updated`. */
  type: string;
  customerId?: string | null;
  data?: Record<string, unknown>;
}

export type AuditWriter = (input: AuditInput) => Promise<AuditEvent>;

// PGlite has one connection: transactions queue behind each other, so allow a generous wait.
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

/**
 * Runs `work` in one database transaction together with the audit events it records, then
 * publishes those events once the transaction has committed. If `work` throws, nothing is
 * written and nothing is published.
 *
 * Inside `work`, use only `tx`: on PGlite a query on the outer client would wait for this very
 * transaction to finish and never return.
 *
 * Cost: one extra UPDATE + INSERT per audit event. The UPDATE takes the tenant row lock until
 * commit, which serializes audited writes per tenant; that is what makes sequence numbers become
 * visible strictly in order, so a subscriber resuming after sequence N can never miss N+1.
 * Record audit events last in `work` to keep that lock short.
 */
export async function transact<T>(ctx: ServiceContext, work: (tx: Tx, audit: AuditWriter) => Promise<T>): Promise<T> {
  const recorded: AuditEvent[] = [];
  const result = await ctx.db.$transaction(async (tx) => {
    const audit: AuditWriter = async (input) => {
      const event = await writeAuditEvent(tx, ctx, input);
      recorded.push(event);
      return event;
    };
    return work(tx, audit);
  }, TX_OPTIONS);
  for (const event of recorded) ctx.events.publish(event);
  return result;
}

async function writeAuditEvent(tx: Tx, ctx: ServiceContext, input: AuditInput): Promise<AuditEvent> {
  const { auditSeq } = await tx.tenant.update({
    where: { id: ctx.tenantId },
    data: { auditSeq: { increment: 1 } },
    select: { auditSeq: true },
  });
  return tx.auditEvent.create({
    data: {
      tenantId: ctx.tenantId,
      seq: auditSeq,
      type: input.type,
      actorKind: ctx.actor.kind,
      actorId: ctx.actor.id,
      customerId: input.customerId ?? null,
      ip: ctx.request.ip,
      userAgent: ctx.request.userAgent,
      requestId: ctx.request.requestId,
      data: (input.data ?? {}) as Prisma.InputJsonValue,
    },
  });
}

/**
 * The fields of `after` whose values differ from `before`, as `{ field: { from, to } }`.
 * Dates and JSON compare by value (object key order does not matter).
 */
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after)) {
    const from = before[key] ?? null;
    const to = after[key] ?? null;
    if (!sameJson(from, to)) changes[key] = { from, to };
  }
  return changes;
}
