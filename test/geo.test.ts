import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createSession } from "../src/sessions/service.ts";
import { CustomerSessionsDocument, SetPasswordDocument, SignInDocument } from "./generated/graphql.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail } from "./helpers/snapshot.ts";

// Client IPs come from X-Forwarded-For (TRUST_PROXY=true). 8.8.8.8 is Google's public DNS: DB-IP
// has placed it in the US (California, Mountain View) for years. Only the country is asserted, so
// a monthly database update that moves the city does not break the suite.
const PASSWORD = "correct horse battery staple";
const GOOGLE_DNS = "8.8.8.8";

// Two gateways, the default GEOIP=city and GEOIP=off (each a fresh database, the slow part);
// country mode goes through createSession below.
let city: TestGateway;
let off: TestGateway;
beforeAll(async () => {
  [city, off] = await Promise.all((["city", "off"] as const).map((GEOIP) => createTestGateway({ env: { TRUST_PROXY: "true", GEOIP } })));
});
afterAll(() => Promise.all([city, off].map((gw) => gw?.close())));

let n = 0;
async function customerWithPassword(gw: TestGateway) {
  const email = `geo${++n}@example.com`;
  const { id } = await gw.createCustomer({ emails: [{ address: email }] });
  await gw.gql(SetPasswordDocument, { customerId: id, password: PASSWORD });
  return { id, email };
}

/** Signs a new customer of tenant A in from `ip`; returns the session as admins read it through GraphQL. */
async function signInFrom(gw: TestGateway, ip: string) {
  const { id, email } = await customerWithPassword(gw);
  const res = await gw.gql(
    SignInDocument,
    { identifier: email, password: PASSWORD },
    { tenant: gw.tenants.A.slug, headers: { "x-forwarded-for": ip } },
  );
  expect(res.data?.signIn.__typename).toBe("SignInPayload");
  const sessions = (await gw.gql(CustomerSessionsDocument, { id })).data!.customer!.sessions;
  expect(sessions.totalCount).toBe(1);
  return { customerId: id, session: sessions.edges[0].node };
}

async function sessionCreatedEvent(gw: TestGateway, customerId: string) {
  return (await auditTrail(gw.db, gw.tenants.A.id)).find((e) => e.type === "session.created" && e.customerId === rowId(customerId));
}

describe("sign-in resolves the session's location from the client IP", () => {
  it("a sign-in from a public IP shows its country, region and city on the session, and the country in session.created", async () => {
    const { customerId, session } = await signInFrom(city, GOOGLE_DNS);
    expect(session.ip).toBe(GOOGLE_DNS);
    expect(session.geo).toEqual({ country: "US", region: expect.any(String), city: expect.any(String) });
    expect((await sessionCreatedEvent(city, customerId))?.data).toMatchObject({ ip: GOOGLE_DNS, country: "US" });
  });

  it("an IPv4-mapped IPv6 address (what dual-stack sockets report) is located as its IPv4 address", async () => {
    const { session } = await signInFrom(city, `::ffff:${GOOGLE_DNS}`);
    expect(session.geo?.country).toBe("US");
  });

  it.each(["127.0.0.1", "::1", "10.1.2.3", "192.168.0.10", "100.64.0.1", "169.254.10.1", "fe80::1", "fd12:3456::1", "203.0.113.7"])(
    "a sign-in from the loopback, private, link-local or documentation address %s stores the IP and no location",
    async (ip) => {
      const { customerId, session } = await signInFrom(city, ip);
      expect(session.ip).toBe(ip);
      expect(session.geo).toBeNull();
      expect((await sessionCreatedEvent(city, customerId))?.data).toMatchObject({ country: null });
    },
  );

  it("GEOIP=off stores no location at all, not even the country in session.created", async () => {
    const { customerId, session } = await signInFrom(off, GOOGLE_DNS);
    expect(session.ip).toBe(GOOGLE_DNS);
    expect(session.geo).toBeNull();
    const row = await off.db.session.findUniqueOrThrow({ where: { id: rowId(session.id) } });
    expect([row.geoCountry, row.geoRegion, row.geoCity]).toEqual([null, null, null]);
    expect((await sessionCreatedEvent(off, customerId))?.data).toMatchObject({ country: null });
  });
});

describe("createSession (admins)", () => {
  it("a location the admin gives wins over the lookup; without one the IP is looked up as GEOIP says", async () => {
    const { id } = await city.createCustomer({ emails: [{ address: `geo${++n}@example.com` }] });
    const admin = city.serviceContext("A");
    const geoip = city.app.auth.config.geoip;
    const given = await createSession(admin, rowId(id), { ip: GOOGLE_DNS, geo: { country: "gb", city: "London" } }, geoip);
    const looked = await createSession(admin, rowId(id), { ip: GOOGLE_DNS }, geoip);
    expect([given.geoCountry, given.geoRegion, given.geoCity]).toEqual(["GB", null, "London"]);
    expect(looked.geoCountry).toBe("US");
    const sessions = (await city.gql(CustomerSessionsDocument, { id })).data!.customer!.sessions.edges.map((e) => e.node.geo?.country);
    expect(sessions.sort()).toEqual(["GB", "US"]);
  });

  it("GEOIP=country stores the country code and neither region nor city", async () => {
    const { id } = await city.createCustomer({ emails: [{ address: `geo${++n}@example.com` }] });
    const session = await createSession(city.serviceContext("A"), rowId(id), { ip: GOOGLE_DNS }, "country");
    expect([session.geoCountry, session.geoRegion, session.geoCity]).toEqual(["US", null, null]);
  });
});

it("GEOIP accepts city, country and off and refuses anything else, naming the variable", () => {
  expect(loadConfig({}).auth.geoip).toBe("city");
  expect(loadConfig({ GEOIP: "off" }).auth.geoip).toBe("off");
  expect(() => loadConfig({ GEOIP: "street" })).toThrow(/GEOIP/);
});
