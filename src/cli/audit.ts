import { verifyAuditChain, type ChainReport } from "../audit/chain.ts";
import { listCheckpoints, loadCheckpointKeys } from "../audit/checkpoints.ts";
import { listTenants } from "../tenants/service.ts";
import type { CliContext } from "./context.ts";
import { tenantService } from "./credentials.ts";

// `audit verify [--tenant <slug>]`: walks each tenant's audit hash chain (src/audit/chain.ts) and its
// signed checkpoints; exit 1 when any is broken. `audit checkpoints --tenant <slug>`: the tenant's
// signed checkpoints as JSON lines, to keep outside the database.

export async function runAuditCommand(command: string | undefined, ctx: CliContext): Promise<number> {
  const db = ctx.database.prisma;
  if (command === "verify") {
    const tenants = ctx.options.tenant ? [{ id: (await tenantService(ctx)).tenantId, slug: ctx.options.tenant }] : await listTenants(db);
    const keys = await loadCheckpointKeys(db);
    let broken = 0;
    for (const tenant of tenants) {
      const report = await verifyAuditChain(db, tenant.id, keys);
      if (report.problem) broken++;
      ctx.print(`${tenant.slug}: ${describe(report)}`);
    }
    return broken === 0 ? 0 : 1;
  }
  if (command === "checkpoints") {
    const { tenantId } = await tenantService(ctx);
    for await (const c of listCheckpoints(db, tenantId)) {
      ctx.print(JSON.stringify({ tenant: c.tenantId, seq: c.seq.toString(), hash: c.hash, kid: c.kid, signedAt: c.signedAt, jws: c.jws }));
    }
    return 0;
  }
  ctx.print(`Unknown audit command "${command ?? ""}": use tail, verify or checkpoints.`);
  return 2;
}

function describe(report: ChainReport): string {
  const { problem } = report;
  if (problem) return `BROKEN at seq ${problem.seq}${problem.id ? ` (event ${problem.id})` : ""}: ${problem.reason}`;
  const head = report.headHash ? `, head seq ${report.headSeq} ${report.headHash}` : "";
  return `intact: ${report.events} events${head}, ${report.checkpoints} signed checkpoints verified`;
}
