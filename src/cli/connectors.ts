import { listDeliveries, replayDelivery } from "../connectors/deliveries.ts";
import { listConnectors } from "../connectors/service.ts";
import { ValidationError } from "../errors.ts";
import { DeliveryStatus } from "../generated/prisma/enums.ts";
import { tenantService } from "./credentials.ts";
import { rowIdFrom, type CliContext } from "./context.ts";

// `connectors list|deliveries <connectorId> [--status …]|replay <deliveryId> --tenant <slug>`: the
// admin services of src/connectors/ from a terminal (acting as SYSTEM). Ids are row ids or the
// global IDs the API shows.

export async function runConnectorsCommand(command: string | undefined, ctx: CliContext): Promise<number> {
  const service = await tenantService(ctx);
  if (command === "list") {
    for (const c of await listConnectors(service, { take: 1000 })) {
      const target = c.direction === "OUTFLOW" ? `${c.url} on ${c.events.join(",")}` : `matched by ${c.matchBy}`;
      const state = c.active ? "active" : `inactive${c.deactivatedReason ? ` (${c.deactivatedReason})` : ""}`;
      ctx.print(`${c.id}  ${c.direction}  ${state}  "${c.name}"  ${target}  ${c.consecutiveFailures} failures in a row`);
    }
    return 0;
  }
  if (command === "deliveries") {
    const status = ctx.options.status?.toUpperCase();
    if (status !== undefined && !(status in DeliveryStatus)) {
      throw new ValidationError([{ field: "status", message: `one of ${Object.keys(DeliveryStatus).join(", ")}` }]);
    }
    const deliveries = await listDeliveries(service, rowIdFrom(ctx.args[0] ?? "", "Connector"), { status: status as DeliveryStatus });
    for (const d of deliveries) {
      const last = d.lastStatusCode ?? d.lastError ?? "-";
      const next = d.status === "PENDING" ? `  next ${d.nextAttemptAt.toISOString()}` : "";
      ctx.print(`${d.id}  ${d.createdAt.toISOString()}  ${d.status}  ${d.eventType}  ${d.attempts} attempts  last: ${last}${next}`);
    }
    return 0;
  }
  if (command === "replay") {
    const delivery = await replayDelivery(service, rowIdFrom(ctx.args[0] ?? "", "ConnectorDelivery"));
    ctx.print(`Delivery ${delivery.id} is PENDING again (same body, same webhook-id).`);
    return 0;
  }
  ctx.print(`Unknown connectors command "${command ?? ""}": use list, deliveries <connectorId> or replay <deliveryId>.`);
  return 2;
}
