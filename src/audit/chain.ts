import { createHash } from "node:crypto";
import type { Db } from "../db/database.ts";
import { checkCheckpoint, loadCheckpointKeys, type CheckpointKeys } from "./checkpoints.ts";

// Verifying a tenant's audit hash chain (the chain itself is written by the audit_event_chain
// trigger, prisma/migrations/20261130003000_audit_chain). Each event stores
// hash = sha256(prev_hash || audit_event_content(row)) and prev_hash = the hash of event seq - 1
// (32 zero bytes for seq 1). The content is read from PostgreSQL as it is stored (jsonb's own text of
// `data`, never a decrypted form) and hashed here, so verification needs no key. Walks the chain in
// keyset pages of PAGE_SIZE events: memory stays bounded whatever the trail's length.

const PAGE_SIZE = 1000;
export const GENESIS_HASH = "00".repeat(32);

export interface ChainProblem {
  /** The first sequence number that fails: altered, missing, or out of line with a checkpoint. */
  seq: bigint;
  /** The event stored at that seq (null when it is missing). */
  id: string | null;
  reason: string;
}

export interface ChainReport {
  tenantId: string;
  /** Events checked. */
  events: number;
  /** The tenant's head when the walk began (later events are left for the next run). */
  headSeq: bigint;
  headHash: string | null;
  /** Signed checkpoints whose signature and (seq, hash) were checked. */
  checkpoints: number;
  problem: ChainProblem | null;
}

interface ChainRow {
  id: string;
  seq: bigint;
  prev: string | null;
  hash: string | null;
  content: string;
}

interface Link {
  seq: bigint;
  hash: string;
}

/** The hash an event must have: sha256 of the previous hash's bytes then its content's UTF-8. */
export function chainHash(prevHex: string, content: string): string {
  return createHash("sha256").update(Buffer.from(prevHex, "hex")).update(content, "utf8").digest("hex");
}

/** What is wrong with `row` following `previous`, or null. */
function checkEvent(row: ChainRow, previous: Link): ChainProblem | null {
  if (row.seq !== previous.seq + 1n) {
    return {
      seq: previous.seq + 1n,
      id: null,
      reason: `missing: the chain jumps from seq ${previous.seq} to seq ${row.seq} (event ${row.id})`,
    };
  }
  const problem = (reason: string) => ({ seq: row.seq, id: row.id, reason });
  if (row.hash === null || row.prev === null) return problem("not chained: the event has no hash (written around the chain trigger)");
  if (chainHash(row.prev, row.content) !== row.hash) return problem("altered: its content no longer matches its hash");
  if (row.prev !== previous.hash) {
    return problem(`broken link: its prev_hash is not the hash of seq ${previous.seq} (an event was rewritten, inserted or removed)`);
  }
  return null;
}

/**
 * Walks the tenant's chain up to its current head and reports the first problem: a gap in seq (a
 * deleted event), an event whose hash does not match its content (altered), a prev_hash that does
 * not match the event before (rewritten or inserted), a missing tail, or a signed checkpoint that
 * does not verify or that the chain no longer passes through. Cost: one statement per page of
 * events plus one for the checkpoints in its range; sha256 per event.
 */
export async function verifyAuditChain(db: Db, tenantId: string, keys?: CheckpointKeys): Promise<ChainReport> {
  const verifyingKeys = keys ?? (await loadCheckpointKeys(db));
  const { auditSeq: headSeq } = await db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { auditSeq: true } });
  const report: ChainReport = { tenantId, events: 0, headSeq, headHash: null, checkpoints: 0, problem: null };
  let previous: Link = { seq: 0n, hash: GENESIS_HASH };
  const hashes = new Map<bigint, { id: string; hash: string }>();
  for (;;) {
    const rows = await db.$queryRaw<ChainRow[]>`
      SELECT id::text, seq, encode(prev_hash, 'hex') AS prev, encode(hash, 'hex') AS hash, audit_event_content(e) AS content
      FROM audit_event e WHERE tenant_id = ${tenantId}::uuid AND seq > ${previous.seq} AND seq <= ${headSeq}
      ORDER BY seq LIMIT ${PAGE_SIZE}`;
    if (rows.length === 0) break;
    hashes.clear();
    for (const row of rows) {
      report.problem = checkEvent(row, previous);
      if (report.problem) return report;
      hashes.set(row.seq, { id: row.id, hash: row.hash! });
      previous = { seq: row.seq, hash: row.hash! };
      report.events++;
    }
    report.problem = await checkCheckpointsIn(db, verifyingKeys, report, rows[0].seq, previous.seq, hashes);
    if (report.problem) return report;
  }
  if (previous.seq < headSeq) {
    report.problem = {
      seq: previous.seq + 1n,
      id: null,
      reason: `missing: the chain ends at seq ${previous.seq}, the tenant's head is ${headSeq}`,
    };
    return report;
  }
  report.headHash = previous.seq === 0n ? null : previous.hash;
  report.problem = await checkCheckpointsBeyond(db, tenantId, previous.seq);
  return report;
}

/** The checkpoints with seq in [from, to]: signed by a known key, for this tenant, on this chain. */
async function checkCheckpointsIn(
  db: Db,
  keys: CheckpointKeys,
  report: ChainReport,
  from: bigint,
  to: bigint,
  hashes: Map<bigint, { id: string; hash: string }>,
): Promise<ChainProblem | null> {
  const checkpoints = await db.auditCheckpoint.findMany({
    where: { tenantId: report.tenantId, seq: { gte: from, lte: to } },
    orderBy: { seq: "asc" },
  });
  for (const checkpoint of checkpoints) {
    const event = hashes.get(checkpoint.seq);
    const failure = await checkCheckpoint(keys, report.tenantId, checkpoint, event?.hash);
    if (failure)
      return { seq: checkpoint.seq, id: event?.id ?? null, reason: `checkpoint signed ${checkpoint.signedAt.toISOString()}: ${failure}` };
    report.checkpoints++;
  }
  return null;
}

/** A checkpoint past the chain's end means events it covered were removed (and the head moved back). */
async function checkCheckpointsBeyond(db: Db, tenantId: string, lastSeq: bigint): Promise<ChainProblem | null> {
  const { auditSeq } = await db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { auditSeq: true } });
  const beyond = await db.auditCheckpoint.findFirst({ where: { tenantId, seq: { gt: auditSeq > lastSeq ? auditSeq : lastSeq } } });
  if (!beyond) return null;
  return { seq: lastSeq + 1n, id: null, reason: `missing: a checkpoint signed ${beyond.signedAt.toISOString()} covers seq ${beyond.seq}` };
}
