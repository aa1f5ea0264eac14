import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import { serialized } from "../background.ts";
import type { Db } from "../db/database.ts";
import type { AuditCheckpoint } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import type { ServiceContext } from "../service-context.ts";

// Signed checkpoints of the audit chains: every AUDIT_CHECKPOINT_INTERVAL_MS a node signs each
// tenant's chain head (tenant id, seq, hash, time) as a compact JWS (a JWT, EdDSA) with the
// gateway's token-signing key, whose public half is in /.well-known/jwks.json, and stores it in
// audit_checkpoint, only when the head moved since the last one. Several nodes may sign the same
// head: the unique (tenant_id, seq) keeps the first insert and drops the others (ON CONFLICT DO
// NOTHING), so no lease is needed and the cost of a lost race is one signature.

export const CHECKPOINT_TYPE = "audit-checkpoint+jwt";

/** kid → public key, for every signing key the gateway ever had (retired ones too). */
export type CheckpointKeys = Map<string, KeyObject>;

interface Head {
  tenant_id: string;
  seq: bigint;
  hash: string;
}

/**
 * Signs and stores a checkpoint for each tenant whose head moved since its last checkpoint.
 * Answers how many were stored. Cost: one statement for the heads, one signature and one INSERT
 * per moved head.
 */
export async function signCheckpoints(db: Db, signer: () => Promise<{ kid: string; key: KeyObject }>, now = new Date()): Promise<number> {
  const heads = await db.$queryRaw<Head[]>`
    SELECT t.id::text AS tenant_id, t.audit_seq AS seq, encode(e.hash, 'hex') AS hash
    FROM tenant t JOIN audit_event e ON e.tenant_id = t.id AND e.seq = t.audit_seq
    WHERE e.hash IS NOT NULL
      AND t.audit_seq > COALESCE((SELECT max(c.seq) FROM audit_checkpoint c WHERE c.tenant_id = t.id), 0)`;
  if (heads.length === 0) return 0;
  const { kid, key } = await signer();
  const rows = await Promise.all(
    heads.map(async (head) => ({
      tenantId: head.tenant_id,
      seq: head.seq,
      hash: head.hash,
      kid,
      signedAt: now,
      jws: await new SignJWT({ seq: Number(head.seq), hash: head.hash })
        .setProtectedHeader({ alg: "EdDSA", kid, typ: CHECKPOINT_TYPE })
        .setSubject(head.tenant_id)
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .sign(key),
    })),
  );
  return (await db.auditCheckpoint.createMany({ data: rows, skipDuplicates: true })).count;
}

/** The public keys checkpoints may be signed with (every stored signing key). Cost: one SELECT. */
export async function loadCheckpointKeys(db: Db): Promise<CheckpointKeys> {
  const rows = await db.signingKey.findMany({ select: { kid: true, publicJwk: true } });
  return new Map(rows.map((r) => [r.kid, createPublicKey({ key: r.publicJwk as JsonWebKey, format: "jwk" })]));
}

/**
 * Why a checkpoint does not hold, or null: its signature must verify with the key its kid names,
 * and its claims must name this tenant and the (seq, hash) of the event the chain has at that seq.
 */
export async function checkCheckpoint(
  keys: CheckpointKeys,
  tenantId: string,
  checkpoint: Pick<AuditCheckpoint, "seq" | "jws">,
  chainHash: string | undefined,
): Promise<string | null> {
  const { kid } = decodeProtectedHeader(checkpoint.jws);
  const key = kid ? keys.get(kid) : undefined;
  if (!key) return `signed with an unknown key (${kid ?? "no kid"})`;
  const verified = await jwtVerify(checkpoint.jws, key, { algorithms: ["EdDSA"], typ: CHECKPOINT_TYPE, subject: tenantId }).catch(
    (error: Error) => error,
  );
  if (verified instanceof Error) return `signature does not verify (${verified.message})`;
  const { seq, hash } = verified.payload as { seq?: number; hash?: string };
  if (seq === undefined || BigInt(seq) !== checkpoint.seq) return `its signed seq ${seq} is not its stored seq ${checkpoint.seq}`;
  if (hash !== chainHash) return `the chain no longer passes through its signed hash at seq ${seq}`;
  return null;
}

/** Every checkpoint of the tenant, oldest first, `pageSize` rows in memory at a time. */
export async function* listCheckpoints(db: Db, tenantId: string, pageSize = 1000): AsyncGenerator<AuditCheckpoint> {
  let after = 0n;
  for (;;) {
    const page = await db.auditCheckpoint.findMany({ where: { tenantId, seq: { gt: after } }, orderBy: { seq: "asc" }, take: pageSize });
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].seq;
  }
}

/** Signs checkpoints every `intervalMs` on this node (one run at a time); stop() waits for a run in flight. */
export function startCheckpointSigner(deps: {
  db: Db;
  signer: () => Promise<{ kid: string; key: KeyObject }>;
  intervalMs: number;
  logger: Logger;
}) {
  const signing = serialized(
    async () => void (await signCheckpoints(deps.db, deps.signer)),
    (err) => deps.logger.error({ err }, "signing audit checkpoints failed"),
  );
  const tick = setInterval(signing.run, deps.intervalMs);
  tick.unref();
  return {
    async stop() {
      clearInterval(tick);
      await signing.idle();
    },
  };
}

/** The caller's tenant's chain head: its last seq and that event's hash (null before any event). Cost: one indexed read. */
export async function findAuditChainHead(ctx: ServiceContext): Promise<{ seq: bigint; hash: string | null }> {
  const [head] = await ctx.db.$queryRaw<{ seq: bigint; hash: string | null }[]>`
    SELECT t.audit_seq AS seq, encode(e.hash, 'hex') AS hash
    FROM tenant t LEFT JOIN audit_event e ON e.tenant_id = t.id AND e.seq = t.audit_seq WHERE t.id = ${ctx.tenantId}::uuid`;
  return head;
}

/** The caller's tenant's newest `take` checkpoints, newest first (all of them: `audit checkpoints` in the CLI). */
export function latestCheckpoints(ctx: ServiceContext, take: number): Promise<AuditCheckpoint[]> {
  return ctx.db.auditCheckpoint.findMany({ where: { tenantId: ctx.tenantId }, orderBy: { seq: "desc" }, take });
}
