import { Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import { GraphQLError, print } from "graphql";
import { CreateCustomerDocument, LatestAuditCursorDocument } from "./generated/graphql.ts";
import { subscribeAudit } from "./helpers/subscriber.ts";
import { streamAuditEvents, type SlowConsumer } from "../src/audit/stream.ts";
import { SlowConsumerError } from "../src/errors.ts";
import type { AuditEvent } from "../src/generated/prisma/client.ts";
import { exposeExpectedErrors } from "../src/graphql/mask-errors.ts";

const REDIS_URL = process.env.REDIS_URL;

// Two gateway nodes share one database and fan events out through Redis. CI sets REDIS_URL (and
// .ci/run refuses to start without it), so this never skips there.
describe.skipIf(!REDIS_URL)("audit events across gateway nodes via Redis", () => {
  const gw = useTestGateway({ redisUrl: REDIS_URL, listen: true });
  let urlB: string;
  beforeAll(async () => {
    urlB = await (await gw.addNode()).start();
  });

  const latestCursor = async () => (await gw.gql(LatestAuditCursorDocument, {})).data!.auditEvents.edges[0].cursor;

  async function createOn(url: string, email: string) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...gw.tenants.A.headers },
      body: JSON.stringify({ query: print(CreateCustomerDocument), variables: { input: { emails: [{ address: email }] } } }),
    });
    const body = await response.json();
    expect(body.data.createCustomer.__typename).toBe("CreateCustomerPayload");
    return body.data.createCustomer.customer.id as string;
  }

  it("delivers to a subscriber on node A the events committed on node B", async () => {
    const after = await latestCursor();
    const sub = subscribeAudit(gw.url, gw.tenants.A.headers, { after });
    const ids = [await createOn(urlB, "node-b-1@example.com"), await createOn(urlB, "node-b-2@example.com")];
    await sub.waitFor(2);
    expect(sub.events.map((e) => e.customerId)).toEqual(ids);
    expect(sub.events.map((e) => e.sequence)).toEqual([Number(after) + 1, Number(after) + 2]);
    await sub.close();
  });

  it("publishes one Redis message per event, however many subscribers the nodes have", async () => {
    const listener = new Redis(REDIS_URL!);
    const messages: string[] = [];
    listener.on("message", (_channel, message) => messages.push(message));
    await listener.subscribe("identity-gateway:audit");
    const after = await latestCursor();
    const subs = [gw.url, urlB, gw.url, urlB, gw.url, urlB].map((url) => subscribeAudit(url, gw.tenants.A.headers, { after }));
    const ids = [await createOn(gw.url, "one-message-a@example.com"), await createOn(urlB, "one-message-b@example.com")];
    await Promise.all(subs.map((s) => s.waitFor(2)));
    for (const sub of subs) expect(sub.events.map((e) => e.customerId)).toEqual(ids);
    // Other test files' gateways share this Redis: only this tenant's messages count.
    const ours = messages.map((m) => JSON.parse(m)).filter((m) => m.tenantId === gw.tenants.A.id);
    expect(ours.map((m) => m.seq)).toEqual([String(Number(after) + 1), String(Number(after) + 2)]);
    await Promise.all(subs.map((s) => s.close()));
    listener.disconnect();
  });

  it("resumes on node B from a cursor seen on node A, without loss, while both nodes write", async () => {
    const first = subscribeAudit(gw.url, gw.tenants.A.headers, { after: await latestCursor() });
    await createOn(gw.url, "resume-a@example.com");
    await first.waitFor(1);
    await first.close();
    const lastSeen = Number(first.events[0].cursor);
    await createOn(gw.url, "gap-a@example.com");
    await createOn(urlB, "gap-b@example.com");
    const second = subscribeAudit(urlB, gw.tenants.A.headers, { after: String(lastSeen) });
    const writes = [];
    for (let i = 0; i < 6; i++) writes.push(createOn(i % 2 ? gw.url : urlB, `mixed-${i}@example.com`));
    await Promise.all(writes);
    await second.waitFor(8);
    expect(second.events.map((e) => e.sequence)).toEqual(Array.from({ length: 8 }, (_, i) => lastSeen + 1 + i));
    await second.close();
  });
});

describe("slow consumers", () => {
  const gw = useTestGateway({ streamBuffer: 3 });

  const create = (i: number) => gw.gql(CreateCustomerDocument, { input: { emails: [{ address: `slow-${i}@example.com` }] } });

  // The stream is driven directly here, because it is the consumer's pace that matters: the
  // transports (graphql-ws awaits each socket write) pull from it only as fast as they can send.
  it("cuts off a live subscriber that stops taking events, with SLOW_CONSUMER and a cursor to resume from without loss", async () => {
    const start = Number((await gw.gql(LatestAuditCursorDocument, {})).data!.auditEvents.edges[0].cursor);
    const stream = streamAuditEvents(gw.serviceContext(), { after: String(start), maxBuffer: 3 });
    const first = stream.next();
    await create(0);
    expect(((await first).value as AuditEvent).seq).toBe(BigInt(start + 1)); // live now
    for (let i = 1; i <= 20; i++) await create(i); // …while the consumer takes nothing
    const taken: number[] = [start + 1];
    let marker: SlowConsumer | undefined;
    for await (const item of stream) {
      if ("slowConsumer" in item) marker = item;
      else taken.push(Number(item.seq));
    }
    expect(taken).toEqual([start + 1, start + 2, start + 3, start + 4]); // the buffer held 3
    expect(marker).toEqual({ slowConsumer: true, resumeAfter: String(start + 4) });

    const subscriber = subscribeAudit(await gw.listen(), gw.tenants.A.headers, { after: marker!.resumeAfter });
    await subscriber.waitFor(17);
    expect([...taken, ...subscriber.events.map((e) => e.sequence)]).toEqual(Array.from({ length: 21 }, (_, i) => start + 1 + i));
    await subscriber.close();
  });

  it("reports SLOW_CONSUMER to GraphQL clients as an error carrying resumeAfter", async () => {
    const mapped = exposeExpectedErrors(new GraphQLError("x", { originalError: new SlowConsumerError("42") }), "Unexpected error.");
    expect((mapped as GraphQLError).extensions).toEqual({ code: "SLOW_CONSUMER", resumeAfter: "42" });
  });
});
