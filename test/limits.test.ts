import { getIntrospectionQuery } from "graphql";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, REQUEST_ERROR_CODES } from "../src/errors.ts";
import { boundedParserCache } from "../src/graphql/limits.ts";
import {} from "./generated/graphql.ts";
import { createTestGateway } from "./helpers/gateway.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { raw, type RawAnswer } from "./helpers/raw.ts";

const gw = useTestGateway();

const admin = () => gw.tenants.A.headers;
const registry = new Set<string>([...ERROR_CODES, ...REQUEST_ERROR_CODES]);
const codes = (res: RawAnswer) => (res.body?.errors ?? []).map((e) => e.extensions?.code);

/** A limit refusal: HTTP 400, QUERY_TOO_COMPLEX, and fast. */
function expectTooComplex(res: RawAnswer) {
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(400);
  expect(codes(res)).toContain("QUERY_TOO_COMPLEX");
  expect(res.ms).toBeLessThan(1000);
}

describe("bounded requests", () => {
  it("refuses a body over MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE before parsing it", async () => {
    const res = await raw(gw.app, { body: { query: `{ __typename }`, variables: { pad: "x".repeat(1_100_000) } } });
    expect(res.status).toBe(413);
    expect(codes(res)).toEqual(["PAYLOAD_TOO_LARGE"]);
  });

  it("refuses over a real socket both a body announced too large by Content-Length and a chunked one that grows too large", async () => {
    const url = await gw.listen();
    const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: "x".repeat(1_100_000) } });
    const announced = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...admin() }, body: big });
    expect(announced.status).toBe(413);
    expect((await announced.json()).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(["PAYLOAD_TOO_LARGE"]);
    // A stream body is sent chunked, without Content-Length: counted as it arrives.
    const chunks = [big.slice(0, 600_000), big.slice(600_000)].map((part) => new TextEncoder().encode(part));
    const stream = new ReadableStream({ pull: (c) => void (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) });
    const chunked = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...admin() },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const small = new TextEncoder().encode(JSON.stringify({ query: `{ __typename }` }));
    const fine = new ReadableStream({ start: (c) => (c.enqueue(small), c.close()) });
    const ok = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...admin() },
      body: fine,
      duplex: "half",
    } as RequestInit);
    expect(await ok.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("refuses a query text over MAX_QUERY_BYTES with QUERY_TOO_COMPLEX", async () => {
    const res = await raw(gw.app, { body: { query: `{ __typename ${" ".repeat(40_000)} }` } });
    expectTooComplex(res);
  });

  it("refuses a query of more tokens than MAX_QUERY_TOKENS while parsing", async () => {
    const res = await raw(gw.app, { body: { query: `{ ${"__typename ".repeat(1500)} }` } });
    expectTooComplex(res);
  });

  it("keeps the parsed-document cache under its byte bound however many distinct large documents arrive", () => {
    const { documentCache, errorCache } = boundedParserCache();
    const doc = { kind: "Document", definitions: [] } as never;
    for (let i = 0; i < 2000; i++) documentCache.set(`{ __typename } # ${i} ${"x".repeat(30_000)}`, doc);
    expect(documentCache.calculatedSize).toBeLessThanOrEqual(16 * 1024 * 1024);
    errorCache.set("anything", new Error("x"));
    expect(errorCache.get("anything")).toBeUndefined();
  });
});

describe("the cost limit", () => {
  const lists = (n: number) =>
    ["identities", "sessions", "consents", "customObjects"].map((l) => `${l}(first: ${n}) { edges { node { id } } }`).join(" ");

  it("answers an admin's page of 100 customers with four nested lists of 10 each", async () => {
    const res = await raw(gw.app, {
      headers: admin(),
      body: { query: `{ customers(first: 100) { edges { node { id ${lists(10)} } } } }` },
    });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body?.errors).toBeUndefined();
  });

  it("refuses lists of 100 nested in a page of 100 (up to a million rows) with QUERY_TOO_COMPLEX", async () => {
    expectTooComplex(
      await raw(gw.app, { headers: admin(), body: { query: `{ customers(first: 100) { edges { node { id ${lists(100)} } } } }` } }),
    );
  });

  it("prices page sizes given as variables (or their defaults) like literal ones", async () => {
    const query = `query($n: Int, $m: Int = 100) { customers(first: $n) { edges { node { id ${lists(0).replaceAll("first: 0", "first: $m")} } } } }`;
    expectTooComplex(await raw(gw.app, { headers: admin(), body: { query, variables: { n: 100 } } }));
    expectTooComplex(
      await raw(gw.app, { headers: admin(), body: { query: query.replace("$m: Int = 100", "$m: Int"), variables: { n: 100, m: 100 } } }),
    );
    const fine = await raw(gw.app, { headers: admin(), body: { query, variables: { n: 100, m: 10 } } });
    expect(fine.status, JSON.stringify(fine.body).slice(0, 300)).toBe(200);
    expect(fine.body?.errors).toBeUndefined();
  });
});

describe("validation cost is bounded", () => {
  const bombs: [string, string][] = [
    [
      "1,000 same-name fields with differing arguments",
      `{ ${Array.from({ length: 1000 }, (_, i) => `node(id: "${i}") { id }`).join(" ")} }`,
    ],
    [
      "the largest same-name field bomb under the token cap",
      `{ ${Array.from({ length: 110 }, (_, i) => `node(id: "${i}") { id }`).join(" ")} }`,
    ],
    ["10,000 repeats of one field", `{ ${"__typename ".repeat(10_000)} }`],
    [
      "a fragment-spread explosion (2^20 spreads)",
      `{ ...F0 } ${Array.from({ length: 20 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(" ")} fragment F20 on Query { __typename }`,
    ],
    [
      "a depth bomb of 60 levels through customer ↔ customObjects",
      `{ node(id: "x") { ... on Customer { ${"customObjects { edges { node { customer { ".repeat(15)} id ${"} } } } ".repeat(15)} } } }`,
    ],
    ["a field with 100 directives", `{ __typename ${"@include(if: true) ".repeat(100)} }`],
  ];
  /** Parse + validate through the gateway's own plugin chain (limits, caches), timed alone. */
  function timeValidation(query: string, headers: Record<string, string>) {
    const request = new Request("http://gateway.test/graphql", { method: "POST", headers });
    const { parse, validate, schema } = gw.app.yoga.getEnveloped({ request } as never);
    let document;
    try {
      document = parse(query);
    } catch {
      return 0; // refused by the token cap while parsing: no validation at all
    }
    const started = performance.now();
    try {
      validate(schema, document);
    } catch {
      // graphql-armor throws its refusals from inside validation: still validation time
    }
    return performance.now() - started;
  }

  for (const [name, query] of bombs) {
    for (const as of ["anonymous", "admin"] as const) {
      it(`validates ${name} in under 100 ms as ${as} and answers without an internal error`, async () => {
        const headers = as === "admin" ? admin() : {};
        // Fresh documents each time: the parse and validation caches must not help.
        const times = [0, 1, 2].map((i) => timeValidation(`${query} # ${as} ${i}`, headers));
        expect(Math.min(...times)).toBeLessThan(100);
        const res = await raw(gw.app, { body: { query }, headers });
        expect(res.status).toBeLessThan(500);
        for (const code of codes(res)) expect(registry.has(code as string)).toBe(true);
        expect(codes(res)).not.toContain("INTERNAL_SERVER_ERROR");
        const ping = await raw(gw.app, { body: { query: "{ __typename }" } });
        expect(ping.status).toBe(200);
      });
    }
  }

  it("refuses 100 aliased anonymous signIns before any runs", async () => {
    const query = `mutation { ${Array.from({ length: 100 }, (_, i) => `a${i}: signIn(identifier: "x@example.com", password: "p${i}") { __typename }`).join(" ")} }`;
    expectTooComplex(await raw(gw.app, { body: { query }, headers: { "x-tenant": gw.tenants.A.slug } }));
  });

  it("refuses 16 aliased signIns (over MAX_QUERY_ALIASES) though the document is small", async () => {
    const query = `mutation { ${Array.from({ length: 16 }, (_, i) => `a${i}: signIn(identifier: "x@example.com", password: "p${i}") { __typename }`).join(" ")} }`;
    const res = await raw(gw.app, { body: { query }, headers: { "x-tenant": gw.tenants.A.slug } });
    expectTooComplex(res);
    expect(res.body?.errors?.[0].message).toMatch(/alias/i);
  });

  it("refuses 1,000 aliases of customers(first: 100) at once", async () => {
    const query = `{ ${Array.from({ length: 1000 }, (_, i) => `c${i}: customers(first: 100) { totalCount }`).join(" ")} }`;
    expectTooComplex(await raw(gw.app, { body: { query }, headers: admin() }));
  });

  it("refuses a depth bomb through sessions → customer with QUERY_TOO_COMPLEX, not a 500", async () => {
    const query = `{ node(id: "x") { ... on Customer { ${"sessions { edges { node { customer { ".repeat(12)} id ${"} } } } ".repeat(12)} } } }`;
    expectTooComplex(await raw(gw.app, { body: { query }, headers: admin() }));
  });

  it("refuses a 10,000-level depth bomb through AuditEvent.customer with QUERY_TOO_COMPLEX, not a 500", async () => {
    const query = `{ auditEvents(first: 1) { edges { node { ${"customer { customObjects { edges { node { customer { ".repeat(2000)} id } } } } } } } }`;
    const res = await raw(gw.app, { body: { query }, headers: admin() });
    expect(res.status).toBeLessThan(500);
    expect(codes(res)).toContain("QUERY_TOO_COMPLEX");
  });

  it("lets an admin run the standard introspection query within the limits", async () => {
    const res = await raw(gw.app, { body: { query: getIntrospectionQuery() }, headers: admin() });
    expect(res.status).toBe(200);
    expect(res.body?.errors).toBeUndefined();
  });
});

describe("introspection and suggestions", () => {
  it("refuses introspection to anonymous callers", async () => {
    const res = await raw(gw.app, { body: { query: `{ __schema { types { name } } }` } });
    expect(res.status).toBe(400);
    expect(res.body?.data).toBeUndefined();
    expect(new Set(codes(res))).toEqual(new Set(["GRAPHQL_VALIDATION_FAILED"]));
  });

  it("refuses introspection to a signed-in customer's bearer token", async () => {
    const { accessToken } = (await gw.createSignedInCustomer({ emails: [{ address: "introspect@example.com" }] })).tokens;
    const res = await raw(gw.app, {
      body: { query: `{ __type(name: "Customer") { name } }` },
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain('"Customer"');
    const me = await raw(gw.app, { body: { query: `{ me { __typename } }` }, headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.body?.data).toEqual({ me: { __typename: "Customer" } });
  });

  it("answers unknown fields without suggesting field names", async () => {
    const res = await raw(gw.app, { body: { query: `{ customerz }` } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/Did you mean/i);
    expect(codes(res)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });

  it("cuts a 100 KB unknown field name short instead of echoing it back whole", async () => {
    const res = await raw(gw.app, { body: { query: `{ ${"a".repeat(100_000)} }` }, headers: admin() });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body).length).toBeLessThan(2000);
  });
});

describe("CORS", () => {
  const preflight = (origin: string, app = gw.app) =>
    raw(app, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "x-api-key, x-api-secret" },
    });

  it("gives no cross-origin access to any origin by default", async () => {
    const pre = await preflight("https://evil.example");
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect(pre.headers.get("access-control-allow-credentials")).toBeNull();
    const res = await raw(gw.app, { body: { query: "{ __typename }" }, headers: { origin: "https://evil.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-expose-headers")).toBeNull();
  });

  it("allows exactly the origins in CORS_ORIGINS, without credentials and with the request headers listed", async () => {
    const other = await createTestGateway({ env: { CORS_ORIGINS: "https://console.example, http://localhost:3000" } });
    try {
      const ok = await preflight("https://console.example", other.app);
      expect(ok.headers.get("access-control-allow-origin")).toBe("https://console.example");
      expect(ok.headers.get("access-control-allow-credentials")).toBeNull();
      expect(ok.headers.get("access-control-allow-headers")).toContain("x-api-key");
      expect(ok.headers.get("access-control-expose-headers")).toBeNull();
      const evil = await preflight("https://evil.example", other.app);
      expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await other.close();
    }
  });
});

describe("configuration of the limits", () => {
  it("stops start-up naming a bad CORS_ORIGINS, INTROSPECTION or MAX_BODY_BYTES", async () => {
    const { loadConfig } = await import("../src/config.ts");
    expect(() => loadConfig({ CORS_ORIGINS: "https://ok.example, not an origin" })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: "https://ok.example/path" })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ INTROSPECTION: "sometimes" })).toThrow(/INTROSPECTION/);
    expect(() => loadConfig({ MAX_BODY_BYTES: "-1" })).toThrow(/MAX_BODY_BYTES/);
    expect(loadConfig({ CORS_ORIGINS: "https://a.example,http://localhost:3000" }).corsOrigins).toEqual([
      "https://a.example",
      "http://localhost:3000",
    ]);
  });

  it("lets introspection be opened to everyone or closed to admins too", async () => {
    for (const [mode, anonymous, admin] of [
      ["public", 200, 200],
      ["off", 400, 400],
    ] as const) {
      const other = await createTestGateway({ env: { INTROSPECTION: mode } });
      try {
        const query = `{ __schema { queryType { name } } }`;
        expect((await raw(other.app, { body: { query } })).status).toBe(anonymous);
        expect((await raw(other.app, { body: { query }, headers: other.tenants.A.headers })).status).toBe(admin);
      } finally {
        await other.close();
      }
    }
  });
});
