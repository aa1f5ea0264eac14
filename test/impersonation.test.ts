import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import {
  BlockCustomerDocument,
  CustomerSessionsImpersonationDocument,
  DisableCustomerDocument,
  ImpersonateCustomerDocument,
  ImpersonationAuditDocument,
  MeImpersonatedDocument,
  RevokeImpersonationDocument,
  RevokeSessionDocument,
  UpdateMyProfileDocument,
} from "./generated/graphql.ts";
import { rowId } from "./helpers/ids.ts";
import { expectNoWrites } from "./helpers/snapshot.ts";
import { issue } from "./helpers/live-credentials.ts";
import { useTestGateway } from "./helpers/suite.ts";

const gw = useTestGateway();

let customers = 0;
const customer = async () => (await gw.createCustomer({ emails: [{ address: `imp-${++customers}@example.com` }] })).id;

async function impersonate(customerId: string, headers: Record<string, string>, ttlSeconds?: number) {
  const res = await gw.gql(ImpersonateCustomerDocument, { customerId, reason: "ticket #42", ttlSeconds }, { headers });
  const payload = res.data!.impersonateCustomer;
  if (payload.__typename !== "ImpersonateCustomerPayload") throw new Error(JSON.stringify(res));
  return payload.impersonation;
}

describe("impersonateCustomer", () => {
  it("mints a short-lived token with an act claim naming the admin; me.impersonatedBy says who and why", async () => {
    const support = await issue(gw, "support desk", ["CUSTOMERS_IMPERSONATE"]);
    const c = await customer();
    const started = Date.now();
    const token = await impersonate(c, support.headers, 300);
    const claims = decodeJwt(token.accessToken);
    expect(claims).toMatchObject({ sub: rowId(c), act: { sub: support.id }, sid: rowId(token.sessionId) });
    expect(claims.exp! * 1000).toBeGreaterThan(started + 290_000);
    expect(claims.exp! * 1000).toBeLessThan(started + 310_000);
    const me = await gw.gql(MeImpersonatedDocument, {}, { bearer: token.accessToken });
    expect(me.data!.me).toEqual({
      id: c,
      impersonatedBy: { credentialId: support.id, name: "support desk", reason: "ticket #42", expiresAt: token.expiresAt },
    });
    const event = await gw.db.auditEvent.findFirstOrThrow({ where: { type: "customer.impersonation_started" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ customerId: rowId(c), actorKind: "ADMIN", actorId: support.id, impersonatorId: null });
    expect(event.data).toMatchObject({ sessionId: rowId(token.sessionId), reason: "ticket #42" });
    const sessions = (await gw.gql(CustomerSessionsImpersonationDocument, { id: c })).data!.customer!.sessions.edges;
    expect(sessions.map((e) => e.node)).toEqual([{ id: token.sessionId, impersonatorId: support.id, impersonationReason: "ticket #42" }]);
  });

  it("attributes every audited change under the token to the customer and the impersonating admin", async () => {
    const support = await issue(gw, "support 2", ["CUSTOMERS_IMPERSONATE"]);
    const c = await customer();
    const token = await impersonate(c, support.headers);
    const updated = await gw.gql(UpdateMyProfileDocument, { input: { nickname: "changed by support" } }, { bearer: token.accessToken });
    expect(updated.data!.updateMyProfile.__typename).toBe("UpdateMyProfilePayload");
    const trail = await gw.gql(ImpersonationAuditDocument, { filter: { customerId: c, types: ["customer.updated"] } });
    expect(trail.data!.auditEvents.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ actor: { kind: "CUSTOMER", id: rowId(c) }, impersonatorId: support.id }),
    ]);
  });

  it("leaves impersonatedBy null and impersonatorId unset for the customer's own sessions", async () => {
    const own = await gw.createSignedInCustomer({ emails: [{ address: "imp-own@example.com" }] });
    expect(decodeJwt(own.tokens.accessToken).act).toBeUndefined();
    expect((await gw.gql(MeImpersonatedDocument, {}, own.as)).data!.me!.impersonatedBy).toBeNull();
    await gw.gql(UpdateMyProfileDocument, { input: { nickname: "me myself" } }, own.as);
    const event = await gw.db.auditEvent.findFirstOrThrow({ where: { type: "customer.updated" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ actorKind: "CUSTOMER", impersonatorId: null });
  });

  it("refuses blocked and disabled customers, bad reasons and lifetimes, and credentials without the scope, writing nothing", async () => {
    const support = await issue(gw, "support 3", ["CUSTOMERS_IMPERSONATE"]);
    const writer = await issue(gw, "writer", ["CUSTOMERS_WRITE", "CUSTOMERS_READ"]);
    const disabled = await customer();
    await gw.gql(DisableCustomerDocument, { id: disabled });
    const blocked = await customer();
    await gw.gql(BlockCustomerDocument, { id: blocked, reason: "fraud" });
    for (const id of [disabled, blocked]) {
      const res = await expectNoWrites(gw.db, () =>
        gw.gql(ImpersonateCustomerDocument, { customerId: id, reason: "x" }, { headers: support.headers }),
      );
      expect(res.data!.impersonateCustomer).toMatchObject({ __typename: "RuleViolationError", code: "CUSTOMER_NOT_ACTIVE" });
    }
    const c = await customer();
    const long = await expectNoWrites(gw.db, () =>
      gw.gql(ImpersonateCustomerDocument, { customerId: c, reason: "x", ttlSeconds: 901 }, { headers: support.headers }),
    );
    expect(long.data!.impersonateCustomer).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "ttlSeconds" }] });
    const noReason = await expectNoWrites(gw.db, () =>
      gw.gql(ImpersonateCustomerDocument, { customerId: c, reason: " " }, { headers: support.headers }),
    );
    expect(noReason.data!.impersonateCustomer).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "reason" }] });
    const denied = await gw.gql(ImpersonateCustomerDocument, { customerId: c, reason: "x" }, { headers: writer.headers });
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const fromB = await expectNoWrites(gw.db, () => gw.gql(ImpersonateCustomerDocument, { customerId: c, reason: "x" }, "B"));
    expect(fromB.data!.impersonateCustomer).toMatchObject({ code: "CUSTOMER_NOT_FOUND" });
  });
});

describe("ending an impersonation", () => {
  it("revokeImpersonation ends the token at once and records customer.impersonation_ended", async () => {
    const support = await issue(gw, "support 4", ["CUSTOMERS_IMPERSONATE"]);
    const c = await customer();
    const token = await impersonate(c, support.headers);
    expect((await gw.gql(MeImpersonatedDocument, {}, { bearer: token.accessToken })).status).toBe(200);
    const fromB = await expectNoWrites(gw.db, () => gw.gql(RevokeImpersonationDocument, { sessionId: token.sessionId }, "B"));
    expect(fromB.data!.revokeImpersonation).toMatchObject({ code: "SESSION_NOT_FOUND" });
    const res = await gw.gql(RevokeImpersonationDocument, { sessionId: token.sessionId }, { headers: support.headers });
    expect(res.data!.revokeImpersonation).toEqual({ __typename: "RevokeImpersonationPayload", revokedSessionId: token.sessionId });
    expect((await gw.gql(MeImpersonatedDocument, {}, { bearer: token.accessToken })).status).toBe(401);
    const event = await gw.db.auditEvent.findFirstOrThrow({ where: { type: "customer.impersonation_ended" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({
      customerId: rowId(c),
      actorId: support.id,
      data: { sessionId: rowId(token.sessionId), impersonatorId: support.id },
    });
    // Again: already ended, nothing recorded.
    await expectNoWrites(gw.db, () => gw.gql(RevokeImpersonationDocument, { sessionId: token.sessionId }, { headers: support.headers }));
  });

  it("revokeImpersonation does not reach the customer's own sessions; revokeSession ends an impersonation too", async () => {
    const support = await issue(gw, "support 5", ["CUSTOMERS_IMPERSONATE"]);
    const own = await gw.createSignedInCustomer({ emails: [{ address: "imp-own-2@example.com" }] });
    const ownSession = (await gw.gql(CustomerSessionsImpersonationDocument, { id: own.customer.id })).data!.customer!.sessions.edges[0].node
      .id;
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(RevokeImpersonationDocument, { sessionId: ownSession }, { headers: support.headers }),
    );
    expect(res.data!.revokeImpersonation).toMatchObject({ code: "SESSION_NOT_FOUND" });
    const token = await impersonate(own.customer.id, support.headers);
    await gw.gql(RevokeSessionDocument, { id: token.sessionId });
    expect((await gw.gql(MeImpersonatedDocument, {}, { bearer: token.accessToken })).status).toBe(401);
    expect((await gw.gql(MeImpersonatedDocument, {}, own.as)).status).toBe(200);
  });

  it("disabling the customer ends the impersonation token like any other", async () => {
    const support = await issue(gw, "support 6", ["CUSTOMERS_IMPERSONATE"]);
    const c = await customer();
    const token = await impersonate(c, support.headers);
    await gw.gql(DisableCustomerDocument, { id: c });
    expect((await gw.gql(MeImpersonatedDocument, {}, { bearer: token.accessToken })).status).toBe(401);
  });
});
