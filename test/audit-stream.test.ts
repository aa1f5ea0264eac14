import { describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import { CreateCustomerDocument, LatestAuditCursorDocument, UpdateCustomerDocument } from "./generated/graphql.ts";
import { AUDIT_SUBSCRIPTION, subscribeAudit } from "./helpers/subscriber.ts";

// Subscribers always start from a known cursor, so what they must receive is exact whatever the
// timing: no sleeps anywhere.

const gw = useTestGateway({ listen: true });

const latestCursor = async (as: "A" | "B" = "A") => (await gw.gql(LatestAuditCursorDocument, {}, as)).data!.auditEvents.edges[0].cursor;

async function createCustomer(email: string, as: "A" | "B" = "A") {
  return (await gw.createCustomer({ emails: [{ address: email }] }, as)).id;
}

describe("auditEvents subscription over graphql-ws", () => {
  it("delivers committed events live, in sequence order", async () => {
    const after = await latestCursor();
    const sub = subscribeAudit(gw.url, gw.tenants.A.headers, { after });
    const id = await createCustomer("live1@example.com");
    await gw.gql(UpdateCustomerDocument, { id, input: { firstName: "Live" } });
    await sub.waitFor(2);
    expect(sub.events.map((e) => [e.sequence, e.type])).toEqual([
      [Number(after) + 1, "customer.created"],
      [Number(after) + 2, "customer.updated"],
    ]);
    await sub.close();
  });

  it("resumes after a disconnect with exactly the missed events, then live ones", async () => {
    const first = subscribeAudit(gw.url, gw.tenants.A.headers, { after: await latestCursor() });
    await createCustomer("resume1@example.com");
    await first.waitFor(1);
    const lastSeen = first.events[0].cursor;
    await first.close();

    const missed = [];
    for (let i = 0; i < 3; i++) missed.push(await createCustomer(`missed${i}@example.com`));
    const second = subscribeAudit(gw.url, gw.tenants.A.headers, { after: lastSeen });
    await second.waitFor(3);
    await createCustomer("after-resume@example.com");
    await second.waitFor(4);
    const base = Number(lastSeen);
    expect(second.events.map((e) => e.sequence)).toEqual([base + 1, base + 2, base + 3, base + 4]);
    expect(second.events.slice(0, 3).map((e) => e.customerId)).toEqual(missed);
    await second.close();
  });

  it("switches from replay to live without gap or duplicate while events keep arriving", async () => {
    const start = await latestCursor();
    const writers = Array.from({ length: 4 }, (_, w) =>
      (async () => {
        for (let i = 0; i < 10; i++) await createCustomer(`burst-${w}-${i}@example.com`);
      })(),
    );
    // Subscribe while the writers run: part of the burst is replayed, the rest arrives live.
    const sub = subscribeAudit(gw.url, gw.tenants.A.headers, { after: start });
    await Promise.all(writers);
    await sub.waitFor(40);
    const sequences = sub.events.map((e) => e.sequence);
    expect(sequences).toEqual(Array.from({ length: 40 }, (_, i) => Number(start) + 1 + i));
    await sub.close();
  });

  it("publishes nothing for a failed mutation, whose transaction rolled back", async () => {
    await createCustomer("dup@example.com");
    const after = await latestCursor();
    const sub = subscribeAudit(gw.url, gw.tenants.A.headers, { after });
    const failed = await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "dup@example.com" }] } });
    expect(failed.data!.createCustomer.__typename).toBe("ConflictError");
    await createCustomer("after-failure@example.com");
    await sub.waitFor(1);
    // The next event is the successful one, with the very next sequence number: nothing in between.
    expect(sub.events[0]).toMatchObject({ sequence: Number(after) + 1, type: "customer.created" });
    await sub.close();
  });

  it("shows a subscriber only its own tenant's events", async () => {
    const subA = subscribeAudit(gw.url, gw.tenants.A.headers, { after: await latestCursor("A") });
    const subB = subscribeAudit(gw.url, gw.tenants.B.headers, { after: await latestCursor("B") });
    await createCustomer("only-b@example.com", "B");
    await createCustomer("only-a@example.com", "A");
    await Promise.all([subA.waitFor(1), subB.waitFor(1)]);
    await createCustomer("only-a2@example.com", "A");
    await subA.waitFor(2);
    expect(subB.events).toHaveLength(1);
    expect(subB.events[0].customerId).not.toBe(subA.events[0].customerId);
    await Promise.all([subA.close(), subB.close()]);
  });

  it("filters by type and customer", async () => {
    const after = await latestCursor();
    const id = await createCustomer("filtered@example.com");
    const sub = subscribeAudit(gw.url, gw.tenants.A.headers, { after, filter: { types: ["customer.updated"], customerId: id } });
    await createCustomer("other@example.com");
    await gw.gql(UpdateCustomerDocument, { id, input: { nickname: "F" } });
    await sub.waitFor(1);
    expect(sub.events).toEqual([expect.objectContaining({ type: "customer.updated", customerId: id })]);
    await sub.close();
  });

  it("closes the socket with 4401 without a credential and 4403 with a wrong one, leaking nothing", async () => {
    const none = subscribeAudit(gw.url, {}, { after: "0" });
    await none.waitForClose();
    expect(none.closeCode).toBe(4401);
    const wrong = subscribeAudit(gw.url, { "x-api-key": gw.tenants.A.keyId, "x-api-secret": "sk_wrong" }, { after: "0" });
    await wrong.waitForClose();
    expect(wrong.closeCode).toBe(4403);
    expect([...none.events, ...wrong.events]).toEqual([]);
  });
});

describe("auditEvents subscription over SSE", () => {
  it("streams replayed and live events as text/event-stream with headers for the credential", async () => {
    const after = await latestCursor();
    await createCustomer("sse1@example.com");
    const controller = new AbortController();
    const response = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...gw.tenants.A.headers },
      body: JSON.stringify({ query: AUDIT_SUBSCRIPTION, variables: { after } }),
      signal: controller.signal,
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const received: number[] = [];
    let buffer = "";
    const expected = [Number(after) + 1, Number(after) + 2];
    let wroteLive = false;
    while (received.length < expected.length) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (const match of buffer.matchAll(/^data: (.+)$/gm)) {
        const payload = JSON.parse(match[1]);
        if (payload.data?.auditEvents) received.push(payload.data.auditEvents.sequence);
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
      if (received.length === 1 && !wroteLive) {
        wroteLive = true;
        await createCustomer("sse2@example.com");
      }
    }
    controller.abort();
    expect(received).toEqual(expected);
  });

  it("refuses a missing credential with 401 before streaming anything", async () => {
    const response = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: AUDIT_SUBSCRIPTION, variables: { after: "0" } }),
    });
    const text = await response.text();
    expect(text).toContain("UNAUTHENTICATED");
    expect(text).not.toContain("sequence");
  });
});

describe("ordering of live events", () => {
  // Writes recorded with a bus that publishes nothing, then published by hand in a chosen order:
  // what a subscriber sees when publications overtake each other or one is lost.
  async function writeUnpublished(count: number) {
    const { transact } = await import("../src/db/transact.ts");
    const silent = {
      publish() {},
      listen: () => () => {},
      listenAll: () => () => {},
      onMaybeLost: () => () => {},
      onDelivered: () => () => {},
      ping: async () => {},
      close: async () => {},
    };
    const ctx = { ...gw.serviceContext(), events: silent };
    const events = [];
    for (let i = 0; i < count; i++) events.push(await transact(ctx, (_tx, audit) => audit({ type: "test.reordered", data: { i } })));
    return events;
  }

  async function liveStream() {
    const { streamAuditEvents } = await import("../src/audit/stream.ts");
    const ctx = gw.serviceContext();
    const { auditSeq } = await gw.db.tenant.findUniqueOrThrow({ where: { id: gw.tenants.A.id } });
    const stream = streamAuditEvents(ctx, { maxBuffer: 100, after: auditSeq.toString() });
    return { stream, first: stream.next() };
  }

  it("puts events that overtook each other back in order without reading the database", async () => {
    const { stream, first } = await liveStream();
    const [e1, e2, e3] = await writeUnpublished(3);
    gw.statements.reset();
    gw.app.events.publish(e3);
    gw.app.events.publish(e1);
    gw.app.events.publish(e2);
    const got = [(await first).value, (await stream.next()).value, (await stream.next()).value] as { seq: bigint }[];
    expect(got.map((e) => e.seq)).toEqual([e1.seq, e2.seq, e3.seq]);
    expect(gw.statements.sql.filter((sql) => sql.includes("audit_event"))).toEqual([]);
    await stream.return(undefined);
  });

  it("reads an event that never arrives from the database once the wait is over", async () => {
    const { stream, first } = await liveStream();
    const [e1, e2] = await writeUnpublished(2);
    gw.app.events.publish(e2); // e1's publication is lost
    const got = [(await first).value, (await stream.next()).value] as { seq: bigint }[];
    expect(got.map((e) => e.seq)).toEqual([e1.seq, e2.seq]);
    await stream.return(undefined);
  });
});
