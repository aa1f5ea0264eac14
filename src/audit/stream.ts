import type { AuditEvent } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { auditWhere, matchesAuditFilter, parseAuditFilter, parseSequence, type AuditFilter, type ParsedAuditFilter } from "./query.ts";

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
  const sub = new Subscription(ctx, options);
  try {
    sub.position = options.after != null ? parseSequence(options.after) : await sub.highWater();
    yield* sub.catchUp();
    for (;;) {
      if (sub.overflowed && sub.queue.length === 0) {
        // Hand over what was buffered first, so the cut-off subscriber resumes as late as possible.
        yield { slowConsumer: true, resumeAfter: sub.lastDelivered };
        return;
      }
      if (sub.mustCatchUp) {
        sub.mustCatchUp = false;
        yield* sub.catchUp();
        continue;
      }
      for (let next = sub.takeHeld(); next; next = sub.takeHeld()) if (sub.advanceTo(next)) yield next;
      sub.dropStaleHeld();
      const event = sub.queue.shift();
      if (!event) yield* sub.waitOrFillGap();
      else if (sub.isNext(event) && sub.advanceTo(event)) yield event;
    }
  } finally {
    sub.stop();
  }
}

/** The state of one subscriber of streamAuditEvents: what the bus brought, and how far it got. */
class Subscription {
  /** Live events from the bus not taken yet; at most `maxBuffer`. */
  queue: AuditEvent[] = [];
  /** The buffer overflowed while live: the subscriber is cut off once the queue is handed over. */
  overflowed = false;
  /** Events may be missing from the queue (the buffer overflowed while replaying, or the bus lost some): read the database. */
  mustCatchUp = false;
  /** Every event up to here has been considered (delivered, filtered out or skipped). */
  position = 0n;
  lastDelivered: string | null;
  private replaying = false;
  private wake: (() => void) | undefined;
  // Events that arrived ahead of a gap, held briefly: across nodes (or concurrent commits on one)
  // publications overtake each other by a few milliseconds, and waiting for the missing one is far
  // cheaper than every subscriber reading it from the database.
  private readonly ahead = new Map<bigint, AuditEvent>();
  private gapSince = 0;
  private readonly ctx: ServiceContext;
  private readonly filter: ParsedAuditFilter;
  private readonly maxBuffer: number;
  private readonly stopListening: () => void;
  private readonly stopWatchingLoss: () => void;

  constructor(ctx: ServiceContext, options: StreamOptions) {
    this.ctx = ctx;
    this.filter = parseAuditFilter(options.filter);
    this.maxBuffer = options.maxBuffer;
    this.stopListening = ctx.events.listen(ctx.tenantId, (event) => this.receive(event));
    this.stopWatchingLoss = ctx.events.onMaybeLost(() => {
      this.mustCatchUp = true;
      this.wake?.();
    });
    this.lastDelivered = options.after ?? null;
  }

  stop() {
    this.stopListening();
    this.stopWatchingLoss();
  }

  private receive(event: AuditEvent) {
    if (this.overflowed) return;
    if (this.queue.length < this.maxBuffer) {
      this.queue.push(event);
    } else if (this.replaying) {
      // The database has all of these; read them from there once this replay is done.
      this.queue = [];
      this.mustCatchUp = true;
    } else {
      this.overflowed = true;
    }
    this.wake?.();
  }

  /** The tenant's latest committed sequence number. */
  async highWater(): Promise<bigint> {
    const tenant = await this.ctx.db.tenant.findUniqueOrThrow({ where: { id: this.ctx.tenantId }, select: { auditSeq: true } });
    return tenant.auditSeq;
  }

  /** Delivers from the database every matching event committed after `position`, up to now. */
  async *catchUp(): AsyncGenerator<AuditEvent> {
    const upTo = await this.highWater();
    yield* this.replay(upTo);
  }

  // Delivers every matching committed event in (position, upTo] from the database.
  private async *replay(upTo: bigint): AsyncGenerator<AuditEvent> {
    this.replaying = true;
    try {
      yield* this.replayPages(this.position, upTo);
    } finally {
      this.replaying = false;
    }
    this.position = upTo;
  }

  private async *replayPages(position: bigint, upTo: bigint): AsyncGenerator<AuditEvent> {
    while (position < upTo) {
      const rows = await this.ctx.db.auditEvent.findMany({
        where: { ...auditWhere(this.ctx, this.filter), seq: { gt: position, lte: upTo } },
        orderBy: { seq: "asc" },
        take: PAGE,
      });
      for (const row of rows) {
        this.lastDelivered = row.seq.toString();
        yield row;
      }
      position = rows.length === PAGE ? rows[rows.length - 1].seq : upTo;
    }
  }

  /** The held event right after `position`, no longer held; undefined while the gap is open. */
  takeHeld(): AuditEvent | undefined {
    const next = this.ahead.get(this.position + 1n);
    if (next) this.ahead.delete(next.seq);
    return next;
  }

  /** Forgets held events a replay has passed; the gap is closed when none are left. */
  dropStaleHeld() {
    for (const seq of this.ahead.keys()) if (seq <= this.position) this.ahead.delete(seq);
    if (this.ahead.size === 0) this.gapSince = 0;
  }

  /** Whether a live event comes right after `position`; a duplicate is dropped, one further ahead held. */
  isNext(event: AuditEvent): boolean {
    if (event.seq <= this.position || this.ahead.has(event.seq)) return false;
    if (event.seq > this.position + 1n) {
      this.ahead.set(event.seq, event);
      this.gapSince ||= Date.now();
      return false;
    }
    return true;
  }

  /** Moves `position` to the event; true when it is to be delivered (it matches the filter). */
  advanceTo(event: AuditEvent): boolean {
    this.position = event.seq;
    if (!matchesAuditFilter(this.filter, event)) return false;
    this.lastDelivered = event.seq.toString();
    return true;
  }

  /** Nothing new from the bus: sleeps until something arrives, or until a held event waited long enough. */
  async *waitOrFillGap(): AsyncGenerator<AuditEvent> {
    if (this.ahead.size === 0) {
      await this.sleep();
      return;
    }
    const waited = Date.now() - this.gapSince;
    if (waited < REORDER_WAIT_MS && this.ahead.size < this.maxBuffer) {
      await this.sleep(REORDER_WAIT_MS - waited);
      return;
    }
    // Still missing: it is committed (a later event is), so read it. Then the held ones follow.
    yield* this.replay(minKey(this.ahead) - 1n);
  }

  private sleep(ms?: number) {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (this.wake = undefined));
  }
}
