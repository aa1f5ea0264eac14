import type { AuditEvent } from "../generated/prisma/client.ts";

/** An audit event as JSON can carry it (BigInt and Date become strings). */
export type AuditWire = Omit<AuditEvent, "seq" | "occurredAt"> & { seq: string; occurredAt: string };

export const toWire = (e: AuditEvent): AuditWire => ({ ...e, seq: e.seq.toString(), occurredAt: e.occurredAt.toISOString() });

export const fromWire = (w: AuditWire): AuditEvent => ({ ...w, seq: BigInt(w.seq), occurredAt: new Date(w.occurredAt) });
