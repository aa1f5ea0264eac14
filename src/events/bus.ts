import type { AuditEvent } from "../generated/prisma/client.ts";

export type AuditListener = (event: AuditEvent) => void;

/**
 * Carries committed audit events to whoever listens in this process. Publishing happens only
 * after the writing transaction committed (see audit/transact.ts).
 */
export interface EventBus {
  publish(event: AuditEvent): void;
  listen(listener: AuditListener): () => void;
  close(): Promise<void>;
}

export function createLocalEventBus(): EventBus {
  const listeners = new Set<AuditListener>();
  return {
    publish(event) {
      for (const listener of listeners) listener(event);
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}
