import type { AuditEvent } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { joinFeed, type FeedMember } from "./feed.ts";
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

/**
 * A tenant's audit events as they commit, optionally starting with a replay after a cursor.
 *
 * Why nothing is lost or duplicated: the tenant's feed on this node (feed.ts) emits every event
 * once, in sequence order, to each member. The stream joins it before reading the database, so
 * every event after the feed's position at joining reaches its queue; the ones before are read
 * from the database. The stream tracks one number, `position`, up to which every event has been
 * considered: a queued event at or below it is a duplicate of the replay.
 *
 * Memory is bounded: at most `maxBuffer` live events wait per subscriber. While replaying, an
 * overflow just means "read more from the database"; once live, the buffered events are handed
 * over and the stream ends with a SlowConsumer marker carrying the cursor to resume from.
 */
export async function* streamAuditEvents(ctx: ServiceContext, options: StreamOptions): AsyncGenerator<AuditEvent | SlowConsumer> {
  const sub = new Subscription(ctx, options);
  const start = options.after != null ? parseSequence(options.after) : null;
  const joined = await joinFeed(ctx, sub);
  try {
    sub.position = start ?? joined.position;
    yield* sub.catchUp(joined.position);
    for (;;) {
      if (sub.overflowed && sub.queue.length === 0) {
        // Hand over what was buffered first, so the cut-off subscriber resumes as late as possible.
        yield { slowConsumer: true, resumeAfter: sub.lastDelivered };
        return;
      }
      if (sub.mustCatchUp) {
        sub.mustCatchUp = false;
        yield* sub.catchUp(sub.feedPosition);
        continue;
      }
      const event = sub.queue.shift();
      if (!event) await sub.sleep();
      else if (sub.advanceTo(event)) yield event;
    }
  } finally {
    joined.leave();
  }
}

/** The state of one subscriber of streamAuditEvents: what the feed brought, and how far it got. */
class Subscription implements FeedMember {
  /** Live events from the feed not taken yet; at most `maxBuffer`. */
  queue: AuditEvent[] = [];
  /** The buffer overflowed while live: the subscriber is cut off once the queue is handed over. */
  overflowed = false;
  /** Events are missing from the queue (the buffer overflowed while replaying): read the database. */
  mustCatchUp = false;
  /** Every event up to here has been considered (delivered, filtered out or skipped). */
  position = 0n;
  /** The last event the feed emitted (to this subscriber's queue or before it joined). */
  feedPosition = 0n;
  lastDelivered: string | null;
  private replaying = false;
  private wake: (() => void) | undefined;
  private readonly ctx: ServiceContext;
  private readonly filter: ParsedAuditFilter;
  private readonly maxBuffer: number;

  constructor(ctx: ServiceContext, options: StreamOptions) {
    this.ctx = ctx;
    this.filter = parseAuditFilter(options.filter);
    this.maxBuffer = options.maxBuffer;
    this.lastDelivered = options.after ?? null;
  }

  receive(event: AuditEvent) {
    this.feedPosition = event.seq;
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

  /** Delivers from the database every matching event in (position, upTo]: committed, since the feed emitted them. */
  async *catchUp(upTo: bigint): AsyncGenerator<AuditEvent> {
    if (upTo > this.feedPosition) this.feedPosition = upTo;
    this.replaying = true;
    try {
      let position = this.position;
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
    } finally {
      this.replaying = false;
    }
    if (upTo > this.position) this.position = upTo;
  }

  /** Moves `position` to a live event; true when it is to be delivered (new, and it matches the filter). */
  advanceTo(event: AuditEvent): boolean {
    if (event.seq <= this.position) return false;
    this.position = event.seq;
    if (!matchesAuditFilter(this.filter, event)) return false;
    this.lastDelivered = event.seq.toString();
    return true;
  }

  /** Sleeps until the feed brings something. */
  sleep() {
    return new Promise<void>((resolve) => (this.wake = resolve)).finally(() => (this.wake = undefined));
  }
}
