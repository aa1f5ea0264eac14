import type { EventBus } from "../events/bus.ts";
import type { AuditEvent } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";

/** How long an event that overtook another waits for it before the gap is read from the database. */
export const REORDER_WAIT_MS = 100;
/** Held events past which a gap is read at once instead of waiting out REORDER_WAIT_MS. */
const MAX_AHEAD = 1000;
const PAGE = 500;

/** A subscriber of a tenant's feed: gets every event once, in sequence order, synchronously. */
export interface FeedMember {
  receive(event: AuditEvent): void;
}

export interface Joined {
  /** Every event up to here was emitted before the member joined; every later one reaches it. */
  position: bigint;
  leave(): void;
}

// One feed per tenant with subscribers on this node (per bus: tests run several nodes in one process).
const feeds = new WeakMap<EventBus, Map<string, TenantFeed>>();

/**
 * Joins the tenant's live feed on this node, starting it for the first member (one read of the
 * tenant's high-water mark). The member receives every event after the returned position.
 */
export async function joinFeed(ctx: ServiceContext, member: FeedMember): Promise<Joined> {
  let byTenant = feeds.get(ctx.events);
  if (!byTenant) feeds.set(ctx.events, (byTenant = new Map()));
  const tenants = byTenant;
  let feed = tenants.get(ctx.tenantId);
  if (!feed) {
    feed = new TenantFeed(ctx, () => tenants.delete(ctx.tenantId));
    tenants.set(ctx.tenantId, feed);
  }
  const joined = feed;
  joined.members.add(member);
  const leave = () => joined.leave(member);
  try {
    await joined.ready;
  } catch (error) {
    leave();
    throw error;
  }
  return { position: joined.position, leave };
}

/**
 * A tenant's audit events on this node, in sequence order, each once: what every live subscriber
 * of the tenant shares. Sequence numbers are dense and become visible in order (see transact.ts),
 * so the feed tracks one number, `position`, up to which every event was emitted. A bus event
 * right after it is emitted; one further ahead means an earlier one is still on its way
 * (publications from concurrent commits or other nodes overtake each other) or was lost: it is
 * held for up to REORDER_WAIT_MS, then the gap is read from the database — it is committed,
 * because a later one is. When the bus may have lost messages (Redis reconnected), the feed reads
 * up to the tenant's high-water mark. Each of these reads happens once per node, not once per
 * subscriber, and every subscriber receives the same event objects, so the GraphQL layer can
 * execute and serialize each event once per class of subscribers.
 */
class TenantFeed {
  readonly members = new Set<FeedMember>();
  position = 0n;
  readonly ready: Promise<void>;
  private readonly ahead = new Map<bigint, AuditEvent>();
  /** A database read is under way: everything from the bus waits in `ahead` meanwhile. */
  private reading = true;
  private gapDue = false;
  private lost = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly stopListening: () => void;
  private readonly stopWatchingLoss: () => void;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly forget: () => void,
  ) {
    // Listening starts before the high-water read: nothing published meanwhile slips past.
    this.stopListening = ctx.events.listen(ctx.tenantId, (event) => this.arrive(event));
    this.stopWatchingLoss = ctx.events.onMaybeLost(() => {
      this.lost = true;
      void this.pump();
    });
    this.ready = this.start();
  }

  leave(member: FeedMember) {
    this.members.delete(member);
    if (this.members.size > 0 || this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.stopListening();
    this.stopWatchingLoss();
    this.forget();
  }

  private async start() {
    try {
      this.position = await this.highWater();
    } catch (error) {
      for (const member of [...this.members]) this.leave(member);
      throw error;
    } finally {
      this.reading = false;
    }
    this.drain();
    if (this.lost) void this.pump();
  }

  private async highWater(): Promise<bigint> {
    const tenant = await this.ctx.db.tenant.findUniqueOrThrow({ where: { id: this.ctx.tenantId }, select: { auditSeq: true } });
    return tenant.auditSeq;
  }

  private arrive(event: AuditEvent) {
    if (event.seq <= this.position) return;
    this.ahead.set(event.seq, event);
    if (!this.reading) this.drain();
  }

  private emit(event: AuditEvent) {
    this.position = event.seq;
    for (const member of this.members) member.receive(event);
  }

  /** Emits the held events that follow `position`; arms the gap timer while others still wait. */
  private drain() {
    for (let next = this.ahead.get(this.position + 1n); next; next = this.ahead.get(this.position + 1n)) {
      this.ahead.delete(next.seq);
      this.emit(next);
    }
    for (const seq of this.ahead.keys()) if (seq <= this.position) this.ahead.delete(seq);
    if (this.ahead.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.ahead.size >= MAX_AHEAD) {
      this.gapDue = true;
      void this.pump();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.gapDue = true;
        void this.pump();
      }, REORDER_WAIT_MS);
    }
  }

  /** Reads from the database what the bus did not bring (a gap that stayed open, or a loss). */
  private async pump() {
    if (this.reading || this.closed) return;
    this.reading = true;
    try {
      for (;;) {
        let upTo: bigint | undefined;
        if (this.lost) {
          this.lost = false;
          upTo = await this.highWater();
        } else if (this.gapDue) {
          this.gapDue = false;
          if (this.ahead.size > 0) upTo = [...this.ahead.keys()].reduce((a, b) => (b < a ? b : a)) - 1n;
        }
        if (upTo === undefined) break;
        await this.readUpTo(upTo);
      }
    } catch {
      // The database is unreachable: try again later; the subscribers just wait.
      this.lost = true;
      setTimeout(() => void this.pump(), REORDER_WAIT_MS).unref();
    } finally {
      this.reading = false;
    }
    if (!this.closed) this.drain();
  }

  private async readUpTo(upTo: bigint) {
    while (this.position < upTo && !this.closed) {
      const rows = await this.ctx.db.auditEvent.findMany({
        where: { tenantId: this.ctx.tenantId, seq: { gt: this.position, lte: upTo } },
        orderBy: { seq: "asc" },
        take: PAGE,
      });
      for (const row of rows) this.emit(row);
      if (rows.length < PAGE) this.position = upTo;
    }
  }
}
