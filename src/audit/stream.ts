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
/** How long an event that overtook another waits for it before the gap is read from the database. */
const REORDER_WAIT_MS = 100;

const minKey = (map: Map<bigint, unknown>) => [...map.keys()].reduce((a, b) => (b < a ? b : a));

/**
 * A tenant's audit events as they commit, optionally starting with a replay after a cursor.
 *
 * Why nothing is lost or duplicated: sequence numbers are dense and become visible in order (see
 * transact.ts), so the stream tracks one number, `position`, up to which every event has been
 * considered. It listens to the bus before reading the database; a live event at or below
 * `position` is a duplicate, one right after it is delivered, and one further ahead means an earlier
 * one is still on its way (publications from concurrent commits or other nodes overtake each
 * other) or was lost (a Redis reconnect): it is held for up to REORDER_WAIT_MS, and if the gap is
 * still open then, the gap is read from the database — it is committed, because a later one is.
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

  // Events that arrived ahead of a gap, held briefly: across nodes (or concurrent commits on one)
  // publications overtake each other by a few milliseconds, and waiting for the missing one is far
  // cheaper than every subscriber reading it from the database.
  const ahead = new Map<bigint, AuditEvent>();
  let gapSince = 0;
  const sleep = (ms?: number) =>
    new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (wake = undefined));

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
      for (let next = ahead.get(position + 1n); next; next = ahead.get(position + 1n)) {
        ahead.delete(next.seq);
        position = next.seq;
        if (matchesAuditFilter(filter, next)) {
          lastDelivered = next.seq.toString();
          yield next;
        }
      }
      for (const seq of ahead.keys()) if (seq <= position) ahead.delete(seq);
      if (ahead.size === 0) gapSince = 0;
      const event = queue.shift();
      if (!event) {
        if (ahead.size === 0) {
          await sleep();
          continue;
        }
        const waited = Date.now() - gapSince;
        if (waited < REORDER_WAIT_MS && ahead.size < options.maxBuffer) {
          await sleep(REORDER_WAIT_MS - waited);
          continue;
        }
        // Still missing: it is committed (a later event is), so read it. Then the held ones follow.
        position = yield* replay(position, minKey(ahead) - 1n);
        continue;
      }
      if (event.seq <= position || ahead.has(event.seq)) continue;
      if (event.seq > position + 1n) {
        ahead.set(event.seq, event);
        gapSince ||= Date.now();
        continue;
      }
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
