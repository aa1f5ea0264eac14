import { transact } from "../db/transact.ts";
import type { Db } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";
import type { Logger } from "../logger.ts";
import type { Actor, RequestInfo } from "../service-context.ts";
import { consume, type LimiterFactory } from "./limiters.ts";

/** Attacks and refusals a SIEM wants to see. Audit event types are `security.<kind>`. */
export type SecurityEventKind = "admin_auth_failed" | "forbidden" | "rate_limited" | "credential_revoked" | "connection_closed";

export interface SecurityEvent {
  kind: SecurityEventKind;
  /** The tenant it concerns; null when unknown (e.g. an API key that exists nowhere): log only. */
  tenantId: string | null;
  /** What repeats of "the same" event share, e.g. the limiter and key, or the credential id. */
  subject: string;
  actor?: Actor;
  request: RequestInfo;
  /** Details for the log line and the audit event. Never secrets. */
  data: Record<string, unknown>;
}

export interface SecurityLog {
  /**
   * Writes one structured log line (always) and, at most once per `SUMMARY_WINDOW_SECONDS` for
   * the same tenant, kind and subject, an audit event `security.<kind>` — so a flood of failures
   * writes a handful of rows, not one per attempt. Never throws and never delays the caller
   * beyond the log line: the audit write runs in the background.
   */
  record(event: SecurityEvent): void;
  /** Resolves once every audit write started so far has finished (tests, shutdown). */
  settled(): Promise<void>;
}

/** Where a refused credential or token is reported: the security log, and the request it came with. */
export interface AuthFailureReport {
  security: SecurityLog;
  request: RequestInfo;
}

export const SUMMARY_WINDOW_SECONDS = 60;

export function createSecurityLog(deps: { db: Db; events: EventBus; logger: Logger; limiters: LimiterFactory }): SecurityLog {
  const summaries = deps.limiters.create({ name: "security-audit", points: 1, duration: SUMMARY_WINDOW_SECONDS });
  const pending = new Set<Promise<void>>();
  const write = async (event: SecurityEvent) => {
    if (!event.tenantId) return;
    if ((await consume(summaries, `${event.tenantId}:${event.kind}:${event.subject}`)) !== null) return;
    const ctx = {
      db: deps.db,
      events: deps.events,
      tenantId: event.tenantId,
      actor: event.actor ?? { kind: "SYSTEM" as const, id: null },
      request: event.request,
    };
    await transact(ctx, (_tx, audit) =>
      audit({ type: `security.${event.kind}`, data: { ...event.data, summaryWindowSeconds: SUMMARY_WINDOW_SECONDS } }),
    );
  };
  return {
    record(event) {
      deps.logger.warn(
        {
          security: event.kind,
          tenantId: event.tenantId,
          actor: event.actor,
          ip: event.request.ip,
          requestId: event.request.requestId,
          ...event.data,
        },
        `security: ${event.kind}`,
      );
      const job = write(event).catch((error: unknown) =>
        deps.logger.error({ err: error, security: event.kind }, "could not record a security audit event"),
      );
      pending.add(job);
      void job.finally(() => pending.delete(job));
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
