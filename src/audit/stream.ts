import type { AuditEvent } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { auditWhere, matchesAuditFilter, parseAuditFilter, parseSequence, type AuditFilter } from "./query.ts";

/** Yielded once, last, when a subscriber fell too far behind; it resumes after `resumeAfter`. */
export interface SlowConsumer {
  slowConsumer: true;
  resumeAfter: string | null;
}

export interface StreamOptions {
  filter?: AuditFilter;
  /** Resume after this cursor (a sequence number): replay what was missed, then go live. */
  after?: string | null;
  /** Live events held for a consumer that has not taken them yet; past this it is cut off. */
  maxBuffer: number;
}

const PAGE = 500;

/**
 * A tenant's audit events as they commit, optionally starting with a replay after a cursor.
 *
 * Why nothing is lost or duplicated: sequence numbers are dense and become visible in order (see
 * transact.ts), so the stream tracks one number, `position`, up to which every event has been
 * considered. It listens to the bus before reading the database; a live event at or below
 * `position` is a duplicate, one right after it is delivered, and one further ahead means the bus
 * skipped something (a message published before an earlier one, or lost in a Redis reconnect), so
 * the gap is read from the database first — it is committed, because a later one is.
 *
 * Memory is bounded: at most `maxBuffer` live events wait per subscriber. While replaying, an
 * overflow just means "read more from the database"; once live, the buffered events are handed
 * over and the stream ends with a SlowConsumer marker carrying the cursor to resume from.
 */
export async function* streamAuditEvents(ctx: ServiceContext, options: StreamOptions): AsyncGenerator<AuditEvent | SlowConsumer> {
  const filter = parseAuditFilter(options.filter);
  let queue: AuditEvent[] = [];
  let replaying = false;
  let overflowed = false;
  let mustCatchUp = false;
  let wake: (() => void) | undefined;
  const stopListening = ctx.events.listen(ctx.tenantId, (event) => {
    if (overflowed) return;
    if (queue.length < options.maxBuffer) {
      queue.push(event);
    } else if (replaying) {
      // The database has all of these; read them from there once this replay is done.
      queue = [];
      mustCatchUp = true;
    } else {
      overflowed = true;
    }
    wake?.();
  });
  const stopWatchingLoss = ctx.events.onMaybeLost(() => {
    mustCatchUp = true;
    wake?.();
  });
  let lastDelivered: string | null = options.after ?? null;

  // Delivers every matching committed event in (position, upTo] from the database.
  async function* replay(position: bigint, upTo: bigint): AsyncGenerator<AuditEvent, bigint> {
    replaying = true;
    try {
      yield* replayPages(position, upTo);
    } finally {
      replaying = false;
    }
    return upTo;
  }
  async function* replayPages(position: bigint, upTo: bigint): AsyncGenerator<AuditEvent> {
    while (position < upTo) {
      const rows = await ctx.db.auditEvent.findMany({
        where: { ...auditWhere(ctx, filter), seq: { gt: position, lte: upTo } },
        orderBy: { seq: "asc" },
        take: PAGE,
      });
      for (const row of rows) {
        lastDelivered = row.seq.toString();
        yield row;
      }
      position = rows.length === PAGE ? rows[rows.length - 1].seq : upTo;
    }
  }
  const highWater = async () =>
    (await ctx.db.tenant.findUniqueOrThrow({ where: { id: ctx.tenantId }, select: { auditSeq: true } })).auditSeq;

  try {
    let position = options.after != null ? parseSequence(options.after) : await highWater();
    position = yield* replay(position, await highWater());
    for (;;) {
      if (overflowed && queue.length === 0) {
        // Hand over what was buffered first, so the cut-off subscriber resumes as late as possible.
        yield { slowConsumer: true, resumeAfter: lastDelivered };
        return;
      }
      if (mustCatchUp) {
        mustCatchUp = false;
        position = yield* replay(position, await highWater());
        continue;
      }
      const event = queue.shift();
      if (!event) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (event.seq <= position) continue;
      if (event.seq > position + 1n) position = yield* replay(position, event.seq - 1n);
      position = event.seq;
      if (matchesAuditFilter(filter, event)) {
        lastDelivered = event.seq.toString();
        yield event;
      }
    }
  } finally {
    stopListening();
    stopWatchingLoss();
  }
}
