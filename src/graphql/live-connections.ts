import type { AdminPrincipal } from "../service-context.ts";

// What websocket.ts and revocable-streams.ts need to end live connections of a revoked credential.
// Implemented by admin-auth/live-connections.ts; declared here, where it is used, so graphql/ needs
// no domain.
export type Transport = "websocket" | "sse";

/**
 * Every live connection opened with an admin credential on this node, by credential. Revoking a
 * credential (the `credential.revoked` audit event, on any node) closes its connections here.
 */
export interface LiveConnections {
  /** Registers a live connection; `close` ends it. Returns the function that unregisters it. */
  track(admin: AdminPrincipal, transport: Transport, close: () => void): () => void;
  /**
   * Whether the credential is still unrevoked, as known at most REVOCATION_BOUND_MS ago; when it is
   * not, its connections on this node are closed right after. Cost: none for a credential with
   * open connections (the periodic re-check keeps it fresh), else one indexed read.
   */
  stillValid(admin: AdminPrincipal): Promise<boolean>;
  /** Open connections on this node by transport (metrics). Cost: one pass over them. */
  counts(): Record<Transport, number>;
  /** Stops the periodic re-check and the bus listeners (shutdown). */
  close(): void;
}
