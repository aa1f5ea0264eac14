import { builder } from "../graphql/builder.ts";
import { CUSTOMER_DATA } from "../graphql/policies.ts";
import { ownedRowWhere } from "../graphql/context.ts";

export const ConsentRef = builder.prismaNode("Consent", {
  // node(id) answers null, not an error, for ids of other tenants.
  nullable: true,
  id: { field: "id" },
  authScopes: CUSTOMER_DATA,
  description: "One grant of a consent purpose. Ended grants stay as history.",
  // node(id) must never cross tenants: look up by (id, tenant of the credential); a customer
  // token reaches only that customer's own rows.
  findUnique: ownedRowWhere,
  fields: (t) => ({
    purpose: t.exposeString("purpose", { description: 'e.g. "marketing.email", "terms".' }),
    version: t.exposeString("version", { description: "Version of the text the customer agreed to." }),
    source: t.exposeString("source", { description: 'Where it was granted, e.g. "signup-form", "admin-console".' }),
    grantedAt: t.expose("grantedAt", { type: "DateTime" }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
    revokeSource: t.exposeString("revokeSource", {
      nullable: true,
      description: 'Where it was revoked; "superseded" when a newer version was granted.',
    }),
    active: t.boolean({
      description: "The live grant of its purpose (not revoked, not superseded).",
      resolve: (c) => c.revokedAt === null,
    }),
  }),
});

builder.prismaObjectFields("Customer", (t) => ({
  consents: t.relatedConnection("consents", {
    cursor: "id",
    description: "Live grants, one per purpose, ordered by purpose.",
    totalCount: true,
    query: () => ({ where: { revokedAt: null }, orderBy: [{ purpose: "asc" }, { id: "asc" }] }),
  }),
  consentHistory: t.relatedConnection("consents", {
    cursor: "id",
    description: "Every grant, live and ended, newest first; optionally of one purpose.",
    totalCount: true,
    args: { purpose: t.arg.string() },
    query: ({ purpose }) => ({
      where: purpose == null ? {} : { purpose },
      // Within a purpose a newer grant supersedes at its own grantedAt: on a tie, the one still
      // live (or revoked later) is the newer.
      orderBy: [{ grantedAt: "desc" }, { revokedAt: { sort: "desc", nulls: "first" } }, { id: "desc" }],
    }),
  }),
}));
