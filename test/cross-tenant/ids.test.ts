import { describe, expect, it } from "vitest";
import { CrossTenantCustomerConnectionsDocument, CustomerDocument, InflowRequestsDocument } from "../generated/graphql.ts";
import { a, bobOfB, inflowConnectorOfB, useCrossTenantData, withoutWrites, withUnknownRow } from "./fixture.ts";
import { QUERY_CASES, MUTATION_CASES } from "./cases.ts";

// Tenant B's credential with every id, cursor and identifier of tenant A's that a root field takes
// (cases.ts): nothing found, typed *_NOT_FOUND, not a single row changed.

const gw = useCrossTenantData();

describe("tenant B's credential with tenant A's ids", () => {
  it("reaches tenant B's own data (the control: a working credential, no authorization error)", async () => {
    const res = await gw.gql(CustomerDocument, { id: bobOfB }, "B");
    expect(res.data!.customer).toMatchObject({ id: bobOfB });
  });

  for (const c of QUERY_CASES) {
    it(`Query.${c.field} with ${c.what} finds it for tenant A and answers nothing to tenant B, writing nothing`, async () => {
      const forA = await c.send("A");
      expect(forA.errors).toBeUndefined();
      const revealedToA = c.reveals(forA.data!);
      expect(Array.isArray(revealedToA) ? revealedToA.length : revealedToA).toBeTruthy();

      const forB = await withoutWrites(() => c.send("B"));
      expect(forB.errors).toBeUndefined();
      const revealedToB = c.reveals(forB.data!);
      expect(revealedToB === null || (Array.isArray(revealedToB) && revealedToB.length === 0), JSON.stringify(forB.data)).toBe(true);
    });
  }

  for (const c of MUTATION_CASES) {
    it(`Mutation.${c.field} with ${c.what} answers ${c.code} to tenant B and writes nothing`, async () => {
      const res = await withoutWrites(() => c.send());
      expect(res.errors).toBeUndefined();
      expect(res.data![c.field]).toMatchObject({ __typename: "NotFoundError", code: c.code });
    });
  }

  it("nested connections of B's customer resumed from cursors of A's rows answer as for unknown rows", async () => {
    const connections = ["identities", "sessions", "consents", "consentHistory", "customObjects"] as const;
    const page = async (after: (c: (typeof connections)[number]) => string | undefined) => {
      const res = await withoutWrites(() =>
        gw.gql(
          CrossTenantCustomerConnectionsDocument,
          {
            id: bobOfB,
            identitiesAfter: after("identities"),
            sessionsAfter: after("sessions"),
            consentsAfter: after("consents"),
            historyAfter: after("consentHistory"),
            objectsAfter: after("customObjects"),
          },
          "B",
        ),
      );
      expect(res.errors).toBeUndefined();
      return res.data!.customer!;
    };
    const cursorOfA = {
      identities: a.cursors.identity,
      sessions: a.cursors.session,
      consents: a.cursors.consent,
      consentHistory: a.cursors.history,
      customObjects: a.cursors.customObject,
    };
    // Control: B's rows lie on both sides of A's in every order, so resuming after B's own first
    // row does find rows, and so would resuming after A's if its cursor leaked A's position.
    const own = await page(() => undefined);
    const afterOwnFirst = await page((c) => own[c].edges[0].cursor);
    for (const c of connections) expect(afterOwnFirst[c].edges.length, c).toBeGreaterThan(0);

    const afterA = await page((c) => cursorOfA[c]);
    const afterUnknown = await page((c) => withUnknownRow(cursorOfA[c]));
    for (const c of connections) expect(afterA[c].edges, c).toEqual([]);
    expect(afterA).toEqual(afterUnknown);
  });

  it("the inflow log of B's own connector resumed from a cursor of A's request answers as from an unknown row", async () => {
    const page = async (after?: string) => {
      const res = await withoutWrites(() =>
        gw.gql(InflowRequestsDocument, { connectorId: inflowConnectorOfB.globalId, first: 50, after }, "B"),
      );
      expect(res.errors).toBeUndefined();
      return res.data!.inflowRequests.edges;
    };
    // Control: B's requests lie on both sides of A's in time, so a leaking cursor would list some.
    const own = await page();
    expect(own.length).toBe(4);
    expect((await page(own[0]!.cursor)).length).toBe(3);
    expect(await page(a.cursors.inflowRequest)).toEqual([]);
    expect(await page(withUnknownRow(a.cursors.inflowRequest))).toEqual([]);
  });
});
