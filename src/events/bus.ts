import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { Redis } from "ioredis";
import type { AuditEvent } from "../generated/prisma/client.ts";
import { fromWire, toWire, type AuditWire } from "./wire.ts";

export type AuditListener = (event: AuditEvent) => void;

/**
 * Carries committed audit events to the subscribers of every gateway node. `publish` is called
 * only after the writing transaction committed (see db/transact.ts). Delivery is at-most-once:
 * subscribers close gaps from the database (see audit/stream.ts), so a lost message costs latency,
 * never an event.
 */
export interface EventBus {
  publish(event: AuditEvent): void;
  /** Listens to one tenant's events on this node. Returns the function that stops listening. */
  listen(tenantId: string, listener: AuditListener): () => void;
  /** Listens to every tenant's events on this node (background workers). Returns the function that stops listening. */
  listenAll(listener: AuditListener): () => void;
  /** Registers a callback for when the bus may have dropped messages (Redis reconnected). */
  onMaybeLost(callback: () => void): () => void;
  /** Registers a callback told, once per event this node receives, how many ms passed since a node published it (metrics). */
  onDelivered(callback: (lagMs: number) => void): () => void;
  /** Resolves when the bus's store answers (Redis PING on the publishing connection); at once in process. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// One channel for all tenants: each node subscribes once, at start-up, and fans out in process.
const CHANNEL = "identity-gateway:audit";

/** The wire form plus when it was published (ms since epoch, the publishing node's clock). */
type Message = AuditWire & { publishedAt?: number };

interface EventTargetLike {
  addEventListener(type: string, listener: (event: CustomEvent<Message>) => void): void;
  dispatchEvent(event: CustomEvent<Message>): boolean;
}

function busOver(target: EventTargetLike, store: Pick<EventBus, "ping" | "close">, lost = new Set<() => void>()): EventBus {
  const listeners = new Map<string, Set<AuditListener>>();
  const everyTenant = new Set<AuditListener>();
  const delivered = new Set<(lagMs: number) => void>();
  target.addEventListener(CHANNEL, (message) => {
    const { publishedAt, ...wire } = message.detail;
    const event = fromWire(wire);
    for (const listener of listeners.get(event.tenantId) ?? []) listener(event);
    for (const listener of everyTenant) listener(event);
    if (publishedAt !== undefined) for (const callback of delivered) callback(Date.now() - publishedAt);
  });
  return {
    publish(event) {
      target.dispatchEvent(new CustomEvent(CHANNEL, { detail: { ...toWire(event), publishedAt: Date.now() } }));
    },
    listen(tenantId, listener) {
      const set = listeners.get(tenantId) ?? new Set();
      listeners.set(tenantId, set.add(listener));
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(tenantId);
      };
    },
    listenAll(listener) {
      everyTenant.add(listener);
      return () => everyTenant.delete(listener);
    },
    onMaybeLost(callback) {
      lost.add(callback);
      return () => lost.delete(callback);
    },
    onDelivered(callback) {
      delivered.add(callback);
      return () => delivered.delete(callback);
    },
    ...store,
  };
}

/** In-process bus: one gateway node. Events still travel as their wire form, as over Redis. */
export function createLocalEventBus(): EventBus {
  return busOver(new EventTarget() as unknown as EventTargetLike, { ping: async () => undefined, close: async () => undefined });
}

/** Redis pub/sub bus for several gateway nodes; resolves once this node's subscription is live. */
export async function createRedisEventBus(url: string): Promise<EventBus> {
  const publishClient = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(url, { lazyConnect: true });
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  // Subscribe before anyone listens, so no event published after start-up can slip past.
  await subscribeClient.subscribe(CHANNEL);
  const lost = new Set<() => void>();
  // Registered after the first connect, so "ready" means a reconnect: ioredis re-subscribes, but
  // whatever was published in between is gone.
  subscribeClient.on("ready", () => lost.forEach((callback) => callback()));
  const target = createRedisEventTarget<CustomEvent<Message>>({ publishClient, subscribeClient });
  const store = {
    ping: async () => void (await publishClient.ping()),
    close: async () => {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
  return busOver(target as unknown as EventTargetLike, store, lost);
}
