import type { AuditCheckpoint } from "../generated/prisma/client.ts";
import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { AUDIT_DATA } from "../graphql/policies.ts";
import { findAuditChainHead, latestCheckpoints } from "./checkpoints.ts";

// The tenant's audit hash chain as admins holding AUDIT_READ see it: the head and the newest signed
// checkpoints (README "Audit trail integrity"). Verifying walks the whole chain, so it stays in the
// CLI (`audit verify`) instead of a request.

const LATEST_CHECKPOINTS = 20;

const AuditCheckpointRef = builder.objectRef<AuditCheckpoint>("AuditCheckpoint").implement({
  authScopes: AUDIT_DATA,
  description: "A signed checkpoint of the chain head: a compact JWS anyone can verify against /.well-known/jwks.json.",
  fields: (t) => ({
    sequence: t.field({ type: "SafeInt", resolve: (c) => Number(c.seq) }),
    hash: t.exposeString("hash", { description: "The chain hash of event `sequence`, hex." }),
    keyId: t.exposeString("kid", { description: "The signing key's kid in the JWKS." }),
    signedAt: t.expose("signedAt", { type: "DateTime" }),
    jws: t.exposeString("jws", { description: "JWT (EdDSA, typ audit-checkpoint+jwt) with claims sub (tenant id), seq, hash, iat." }),
  }),
});

const AuditChainRef = builder.objectRef<{ seq: bigint; hash: string | null }>("AuditChain").implement({
  authScopes: AUDIT_DATA,
  description: "The tenant's audit hash chain: each event stores sha256(previous hash ‖ its stored content).",
  fields: (t) => ({
    headSequence: t.field({ type: "SafeInt", description: "The last event's sequence (0: no event yet).", resolve: (h) => Number(h.seq) }),
    headHash: t.exposeString("hash", { nullable: true, description: "The last event's chain hash, hex." }),
    latestCheckpoints: t.field({
      type: [AuditCheckpointRef],
      description: `The newest ${LATEST_CHECKPOINTS} signed checkpoints, newest first (every one: npm run cli -- audit checkpoints).`,
      resolve: (_h, _args, ctx) => latestCheckpoints(adminService(ctx), LATEST_CHECKPOINTS),
    }),
  }),
});

builder.queryField("auditChain", (t) =>
  t.field({
    type: AuditChainRef,
    authScopes: AUDIT_DATA,
    description: "The head of the caller's tenant's audit hash chain and its newest signed checkpoints.",
    resolve: (_root, _args, ctx) => findAuditChainHead(adminService(ctx)),
  }),
);
