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
  close(): Promise<void>;
}

// One channel for all tenants: each node subscribes once, at start-up, and fans out in process.
const CHANNEL = "identity-gateway:audit";

interface EventTargetLike {
  addEventListener(type: string, listener: (event: CustomEvent<AuditWire>) => void): void;
  dispatchEvent(event: CustomEvent<AuditWire>): boolean;
}

function busOver(target: EventTargetLike, close: () => Promise<void>, lost = new Set<() => void>()): EventBus {
  const listeners = new Map<string, Set<AuditListener>>();
  const everyTenant = new Set<AuditListener>();
  target.addEventListener(CHANNEL, (message) => {
    const event = fromWire(message.detail);
    for (const listener of listeners.get(event.tenantId) ?? []) listener(event);
    for (const listener of everyTenant) listener(event);
  });
  return {
    publish(event) {
      target.dispatchEvent(new CustomEvent(CHANNEL, { detail: toWire(event) }));
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
    close,
  };
}

/** In-process bus: one gateway node. Events still travel as their wire form, as over Redis. */
export function createLocalEventBus(): EventBus {
  return busOver(new EventTarget() as unknown as EventTargetLike, async () => undefined);
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
  const target = createRedisEventTarget<CustomEvent<AuditWire>>({ publishClient, subscribeClient });
  return busOver(
    target as unknown as EventTargetLike,
    async () => {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
    lost,
  );
}
