import { beforeEach, describe, expect, it } from "vitest";
import { TEST_DB } from "./helpers/database.ts";
import { PASSWORD } from "./helpers/gateway.ts";
import { useTestGateway } from "./helpers/suite.ts";

// The gateway's log lines, captured through createApp's logDestination, for requests over real HTTP.

interface Line {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const INFO = 30;
const ERROR = 50;

describe(`request log lines on ${TEST_DB}`, () => {
  const written: string[] = [];
  const gw = useTestGateway({
    listen: true,
    env: { LOG_LEVEL: "info" },
    logDestination: { write: (line: string) => void written.push(line) },
  });
  const lines = () => written.map((line) => JSON.parse(line) as Line);
  const requestLines = () => lines().filter((line) => line.msg === "request");
  beforeEach(() => void written.splice(0));

  const post = (query: string, headers: Record<string, string> = gw.tenants.A.headers, variables?: Record<string, unknown>) =>
    fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });

  it("logs each bad request as one info line with its code, and none as an error", async () => {
    const bad: [query: string, code: string][] = [
      ["query Unknown { noSuchField }", "GRAPHQL_VALIDATION_FAILED"],
      ["query Unparsable {", "GRAPHQL_PARSE_FAILED"],
      ['query BadCursor { customers(first: 1, after: "not-a-cursor") { edges { node { id } } } }', "VALIDATION_FAILED"],
      ["query TooMany { customers(first: 100000) { edges { node { id } } } }", "QUERY_TOO_COMPLEX"],
      ['query NoSegment { segment(id: "U2VnbWVudDpub3QtYS11dWlk") { id } }', "OK"],
      ['mutation BadEmail { createCustomer(input: { emails: [{ address: "not an email" }] }) { __typename } }', "OK"],
    ];
    for (const [query] of bad) await post(query);
    await post("query WrongSecret { __typename }", { "x-api-key": gw.tenants.A.keyId, "x-api-secret": "wrong" });
    await post('mutation NoTenant { signIn(identifier: "a@example.com", password: "x") { __typename } }', { "x-tenant": "no-such-tenant" });
    // A mutation's typed error (ValidationError, NotFoundError… in its result union) is an answer, not an error: OK.
    bad.push(["", "UNAUTHENTICATED"], ["", "OK"]);
    const requests = requestLines();
    expect(requests.map((line) => line.result)).toEqual(bad.map(([, code]) => code));
    expect(requests.every((line) => line.level === INFO)).toBe(true);
    expect(lines().filter((line) => line.level >= ERROR)).toEqual([]);
    expect(written.join("")).not.toMatch(/"stack"/);
  });

  it("logs an internal error once, at error level, with its stack", async () => {
    await gw.db.$executeRawUnsafe(`ALTER TABLE "segment" RENAME TO "segment_away"`);
    try {
      const response = await post("query Segments { segments(first: 1) { edges { node { id } } } }");
      expect((await response.json()).errors[0].extensions.code).toBe("INTERNAL_SERVER_ERROR");
    } finally {
      await gw.db.$executeRawUnsafe(`ALTER TABLE "segment_away" RENAME TO "segment"`);
    }
    const errors = lines().filter((line) => line.level >= ERROR);
    expect(errors).toHaveLength(1);
    expect((errors[0].err as { stack: string }).stack).toMatch(/segment/);
    expect(requestLines()).toMatchObject([{ level: INFO, operation: "Segments", result: "INTERNAL_SERVER_ERROR", status: 200 }]);
  });

  it("names the principal kind and tenant, and the request id given, and carries no secret, password or token", async () => {
    const address = "logged@example.com";
    await gw.createCustomerWithPassword({ emails: [{ address }] });
    written.splice(0);
    const signIn = await post(
      "mutation SignIn($identifier: String!, $password: String!) { signIn(identifier: $identifier, password: $password) { ... on SignInPayload { accessToken refreshToken } } }",
      { "x-tenant": gw.tenants.A.slug, "x-request-id": "sign-in-42" },
      { identifier: address, password: PASSWORD },
    );
    const { accessToken, refreshToken } = (await signIn.json()).data.signIn;
    await post("query Me { me { id } }", { authorization: `Bearer ${accessToken}` });
    await post("query Admin { customers(first: 1) { edges { node { id } } } }");
    await post("query Other { customers(first: 1) { edges { node { id } } } }", gw.tenants.B.headers);
    await post("{ __typename }", {});
    expect(
      requestLines().map(({ operation, principal, tenantId, tenantSlug }) => ({ operation, principal, tenantId, tenantSlug })),
    ).toEqual([
      { operation: "SignIn", principal: "anonymous", tenantId: null, tenantSlug: gw.tenants.A.slug },
      { operation: "Me", principal: "customer", tenantId: gw.tenants.A.id, tenantSlug: undefined },
      { operation: "Admin", principal: "admin", tenantId: gw.tenants.A.id, tenantSlug: undefined },
      { operation: "Other", principal: "admin", tenantId: gw.tenants.B.id, tenantSlug: undefined },
      { operation: "(anonymous)", principal: "anonymous", tenantId: null, tenantSlug: undefined },
    ]);
    expect(requestLines()[0]).toMatchObject({
      requestId: "sign-in-42",
      method: "POST",
      path: "/graphql",
      operationType: "mutation",
      status: 200,
      result: "OK",
      durationMs: expect.any(Number),
    });
    const everything = written.join("");
    for (const secret of [PASSWORD, gw.tenants.A.secret, gw.tenants.B.secret, accessToken, refreshToken])
      expect(everything).not.toContain(secret);
  });

  it("keeps only the first segment of paths other than /graphql (export links are credentials)", async () => {
    await fetch(gw.url.replace(/\/graphql$/, "/exports/sealed-link-that-is-a-credential"));
    expect(requestLines()).toMatchObject([{ path: "/exports/…", operation: null, principal: "anonymous" }]);
    expect(written.join("")).not.toContain("sealed-link");
  });
});
