import { encodeGlobalID } from "@pothos/plugin-relay";
import { expect } from "vitest";
import { CreateApplicationDocument, CustomerNotificationsDocument, type ApplicationInput } from "../generated/graphql.ts";
import type { TestGateway } from "./gateway.ts";

/** Creates an application as tenant A's (or B's) admin; throws unless it succeeds. */
export async function createApp(gw: TestGateway, input: ApplicationInput, as: "A" | "B" = "A") {
  const res = await gw.gql(CreateApplicationDocument, { input }, as);
  const payload = res.data?.createApplication;
  if (payload?.__typename !== "CreateApplicationPayload") throw new Error(JSON.stringify(res));
  return payload.application;
}

export const globalOrg = (id: string) => encodeGlobalID("Organization", id);

/** The customer's notifications once `count` of them are SENT or FAILED (the worker runs on its own). */
export async function notificationsSettled(gw: TestGateway, customerId: string, count: number, as: "A" | "B" = "A", timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await gw.gql(CustomerNotificationsDocument, { id: customerId }, as);
    const nodes = res.data?.customer?.notifications.edges.map((e) => e.node) ?? [];
    if (nodes.length >= count && nodes.every((n) => n.status === "SENT" || n.status === "FAILED")) return nodes;
    if (Date.now() > deadline) expect.fail(`notifications did not settle: ${JSON.stringify(nodes)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
