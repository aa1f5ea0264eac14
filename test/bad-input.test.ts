import { beforeAll, describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import {
  AuditEventsDocument,
  CreateCustomerDocument,
  CreateCustomObjectDocument,
  CustomerCustomObjectsDocument,
  CustomerIdentitiesDocument,
  CustomersDocument,
  CustomerSessionsDocument,
} from "./generated/graphql.ts";
import { GraphQLError } from "graphql";
import { ERROR_CODES, REQUEST_ERROR_CODES } from "../src/errors.ts";
import { normalizeError } from "../src/graphql/mask-errors.ts";
import { raw } from "./helpers/raw.ts";
import { AUDIT_SUBSCRIPTION, subscribeAudit } from "./helpers/subscriber.ts";
import { expectNoWrites } from "./helpers/snapshot.ts";

const gw = useTestGateway();
let customerId: string;
beforeAll(async () => {
  customerId = (await gw.createCustomer({ emails: [{ address: "ada@example.com" }] })).id;
});

type Answer = { errors?: readonly { message: string; extensions?: Record<string, unknown> }[]; data?: unknown };
/** The VALIDATION_FAILED issues of an answer, as request-level error or typed result. */
function issuesOf(res: Answer): { field: string; message: string }[] {
  const error = res.errors?.find((e) => e.extensions?.code === "VALIDATION_FAILED");
  if (error) return error.extensions!.issues as { field: string; message: string }[];
  const typed = Object.values(
    (res.data ?? {}) as Record<string, { __typename?: string; issues?: { field: string; message: string }[] }>,
  )[0];
  if (typed?.__typename === "ValidationError") return typed.issues!;
  throw new Error(`not a validation failure: ${JSON.stringify(res).slice(0, 500)}`);
}

const deep = (levels: number): unknown => (levels === 0 ? 1 : { a: deep(levels - 1) });

describe("strings and JSON a client controls", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["a NUL character in a string", { firstName: "Ada\u0000" }, /^input\.firstName$/],
    ["a lone UTF-16 surrogate in a string", { lastName: "Love\uD800lace" }, /^input\.lastName$/],
    ["a NUL character in a JSON value", { customFields: { tier: "gold\u0000" } }, /^input\.customFields\.tier$/],
    ["a NUL character in a JSON key", { customFields: { "ti\u0000er": "gold" } }, /^input\.customFields\./],
    ["JSON nested 300 levels deep", { customFields: { x: deep(300) } }, /^input\.customFields\.x/],
    ["a __proto__ key in JSON", { customFields: JSON.parse(`{"__proto__": {"admin": true}}`) }, /^input\.customFields\.__proto__$/],
    ["a constructor key in JSON", { customFields: { constructor: 1 } }, /^input\.customFields\.constructor$/],
    ["a NUL character in an email address", { emails: [{ address: "a\u0000@example.com" }] }, /^input\.emails\.0\.address$/],
  ];
  for (const [name, input, field] of cases) {
    it(`refuses ${name} with VALIDATION_FAILED naming the field and writes nothing`, async () => {
      const res = await expectNoWrites(gw.db, () => gw.gql(CreateCustomerDocument, { input }));
      expect(res.status).toBeLessThan(500);
      expect(issuesOf(res).map((i) => i.field)).toEqual([expect.stringMatching(field)]);
    });
  }

  it("refuses a NUL character in an inline literal, naming the argument", async () => {
    const query = `mutation { createCustomer(input: { firstName: "Ada\\u0000" }) { __typename } }`;
    const res = await expectNoWrites(gw.db, () => raw(gw.app, { body: { query }, headers: gw.tenants.A.headers }));
    expect(res.status).toBe(400);
    expect(issuesOf(res.body as Answer)).toEqual([{ field: "createCustomer.input.firstName", message: expect.stringMatching(/NUL/) }]);
  });

  it("refuses a __proto__ key in an inline custom-object literal instead of dropping it", async () => {
    const query = `mutation($c: ID!) { createCustomObject(customerId: $c, name: "prefs", data: { __proto__: { x: 1 } }) { __typename } }`;
    const res = await expectNoWrites(gw.db, () =>
      raw(gw.app, { body: { query, variables: { c: customerId } }, headers: gw.tenants.A.headers }),
    );
    expect(issuesOf(res.body as Answer).map((i) => i.field)).toEqual(["createCustomObject.data.__proto__"]);
  });

  it("refuses a constructor key in custom-object data sent as variables", async () => {
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(CreateCustomObjectDocument, { customerId, name: "prefs", data: { constructor: { x: 1 } } }),
    );
    expect(issuesOf(res).map((i) => i.field)).toEqual(["data.constructor"]);
  });

  it("refuses a NUL character in a search filter instead of failing in PostgreSQL", async () => {
    const res = await gw.gql(CustomersDocument, { filter: { email: { contains: "a\u0000" } }, first: 10 });
    expect(issuesOf(res).map((i) => i.field)).toEqual(["filter.email.contains"]);
  });

  it("refuses a NUL character in a JSON filter", async () => {
    const res = await gw.gql(CustomersDocument, { filter: { customFields: [{ key: "tier", equals: "\u0000" }] }, first: 10 });
    expect(issuesOf(res).map((i) => i.field)).toEqual(["filter.customFields.0.equals"]);
  });

  it("refuses an email whose local part is longer than 64 characters (RFC 5321)", async () => {
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(CreateCustomerDocument, { input: { emails: [{ address: `${"a".repeat(65)}@example.com` }] } }),
    );
    expect(issuesOf(res).map((i) => i.field)).toEqual(["emails.0.value"]);
  });

  it("accepts an email whose local part is exactly 64 characters", async () => {
    const res = await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: `${"b".repeat(64)}@example.com` }] } });
    expect(res.data?.createCustomer.__typename).toBe("CreateCustomerPayload");
  });
});

describe("the same rules on every transport", () => {
  it("refuses a NUL character sent in GET variables with VALIDATION_FAILED", async () => {
    const res = await raw(gw.app, {
      search: {
        query: `query($v: String!) { customerByEmail(value: $v) { id } }`,
        variables: JSON.stringify({ v: "a\u0000@example.com" }),
      },
      headers: gw.tenants.A.headers,
    });
    expect(res.status).toBe(400);
    expect(issuesOf(res.body as Answer).map((i) => i.field)).toEqual(["v"]);
  });

  it("refuses a lone surrogate in an SSE subscription's filter with VALIDATION_FAILED", async () => {
    const response = await gw.app.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...gw.tenants.A.headers },
      body: JSON.stringify({ query: AUDIT_SUBSCRIPTION, variables: { filter: { types: ["customer.\uD800"] } } }),
      // Refused, the stream ends at once; accepted, it would stay open waiting for events.
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    expect(text).toContain("VALIDATION_FAILED");
    expect(text).toContain("filter.types.0");
  });

  it("refuses a NUL character in a graphql-ws subscription's filter with VALIDATION_FAILED", async () => {
    const url = await gw.listen();
    const subscriber = subscribeAudit(url, gw.tenants.A.headers, { filter: { types: ["customer.\u0000"] } });
    try {
      await expect.poll(() => subscriber.errors.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(JSON.stringify(subscriber.errors)).toContain("VALIDATION_FAILED");
    } finally {
      await subscriber.close();
    }
  });
});

describe("forged cursors", () => {
  const customerCursor = (createdAt: string, id: string) => Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
  const forged = [
    customerCursor("1", "00000000-0000-0000-0000-000000000000"),
    customerCursor("2020-01-01T00:00:00.000Z", "-".repeat(36)),
    Buffer.from("S:not-a-uuid").toString("base64"),
    Buffer.from("GPC:S:x").toString("base64"),
    "!!!",
    "x".repeat(500),
  ];

  it("answers an audit cursor beyond int8 with VALIDATION_FAILED", async () => {
    const res = await gw.gql(AuditEventsDocument, { first: 1, after: "9223372036854775808" });
    expect(issuesOf(res)).toEqual([{ field: "after", message: expect.any(String) }]);
  });

  for (const cursor of forged) {
    it(`answers the forged cursor ${JSON.stringify(cursor.slice(0, 20))} with VALIDATION_FAILED on every connection`, async () => {
      for (const res of [
        await gw.gql(CustomersDocument, { first: 1, after: cursor }),
        await gw.gql(CustomerIdentitiesDocument, { id: customerId, first: 1, after: cursor }),
        await gw.gql(CustomerSessionsDocument, { id: customerId, first: 1, after: cursor }),
        await gw.gql(CustomerCustomObjectsDocument, { id: customerId, first: 1, after: cursor }),
      ]) {
        expect(res.status).toBeLessThan(500);
        expect(
          res.errors?.map((e) => e.extensions?.code),
          JSON.stringify(res.errors),
        ).toEqual(["VALIDATION_FAILED"]);
      }
    });
  }
});

describe("malformed requests", () => {
  for (const [name, search] of [
    ["variables that are not JSON", { query: "{ __typename }", variables: "{not json" }],
    ["variables that are a JSON array", { query: "{ __typename }", variables: "[1]" }],
    ["extensions that are not JSON", { query: "{ __typename }", extensions: "{" }],
  ] as const) {
    it(`answers a GET with ${name} with 400 BAD_REQUEST`, async () => {
      const res = await raw(gw.app, { search });
      expect(res.status).toBe(400);
      expect(res.body?.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_REQUEST"]);
    });
  }

  it("answers a POST of broken JSON with 400 and a registry code", async () => {
    const res = await raw(gw.app, { body: `{"query": "{ __typename }"` });
    expect(res.status).toBe(400);
    expect([...ERROR_CODES, ...REQUEST_ERROR_CODES]).toContain(res.body?.errors?.[0].extensions?.code);
  });

  it("never sends a server error object to the client, even in development mode", async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "development";
    try {
      const cursor = Buffer.from("GPC:S:not-a-uuid").toString("base64");
      const res = await raw(gw.app, {
        body: { query: `{ customer(id: "${customerId}") { identities(first: 1, after: "${cursor}") { edges { cursor } } } }` },
        headers: gw.tenants.A.headers,
      });
      expect(res.body?.errors?.length).toBeGreaterThan(0);
      for (const error of res.body?.errors ?? []) {
        expect(Object.keys(error.extensions ?? {}).filter((k) => !["code", "issues", "retryAfter", "resumeAfter"].includes(k))).toEqual([]);
      }
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it("turns an unexpected error into INTERNAL_SERVER_ERROR with no message, stack or original error, and logs the cause", () => {
    const logged: unknown[] = [];
    const cause = new Error("connection to 10.0.0.5 refused, password=hunter2");
    const error = new GraphQLError(cause.message, {
      path: ["customers"],
      originalError: cause,
      extensions: { originalError: { stack: cause.stack }, code: "P2010" },
    });
    const out = normalizeError(error, (e) => logged.push(e)).toJSON();
    expect(out).toEqual({ message: "Unexpected error.", path: ["customers"], extensions: { code: "INTERNAL_SERVER_ERROR" } });
    expect(logged).toEqual([error]);
  });

  it("cuts echoed input in messages and issues short", () => {
    const out = normalizeError(new GraphQLError(`Cannot query field "${"a".repeat(100_000)}"`)).toJSON();
    expect(out.message.length).toBeLessThanOrEqual(301);
    expect(out.message.endsWith("…")).toBe(true);
    expect(out.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});
