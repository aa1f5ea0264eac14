import { builder } from "../graphql/builder.ts";
import { customerIdArg, mutationResult } from "../graphql/common.ts";
import { CUSTOMERS_WRITE } from "../graphql/policies.ts";
import { customerOwnedNode } from "../graphql/nodes.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId } from "../graphql/ids.ts";
import { grantConsent, revokeConsent } from "./service.ts";

export const ConsentRef = builder.prismaNode("Consent", {
  ...customerOwnedNode,
  description: "One grant of a consent purpose. Ended grants stay as history.",
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

export const GrantConsentInput = builder.inputType("GrantConsentInput", {
  fields: (t) => ({
    purpose: t.string({ required: true, description: 'Lower-case key, e.g. "marketing.email".' }),
    version: t.string({ required: true, description: "Version of the consent text, 1 to 32 characters." }),
    source: t.string({ required: true, description: 'Where the customer agreed, e.g. "signup-form", "admin-console".' }),
  }),
});

const returnsConsent = mutationResult(ConsentRef, "consent", CUSTOMERS_WRITE);

builder.mutationFields((t) => ({
  grantConsent: t.field({
    ...returnsConsent,
    description: "Records a grant. The same live version is a no-op; another version supersedes the live grant.",
    args: { ...customerIdArg, input: t.arg({ type: GrantConsentInput, required: true }) },
    resolve: (_root, args, ctx) => grantConsent(adminService(ctx), customerLocalId(args.customerId), args.input),
  }),
  revokeConsent: t.field({
    ...returnsConsent,
    description: "Revokes the live grant of a purpose; it stays in consentHistory.",
    args: {
      ...customerIdArg,
      purpose: t.arg.string({ required: true }),
      source: t.arg.string({ required: true, defaultValue: "admin-api", description: "Where the customer withdrew consent." }),
    },
    resolve: (_root, args, ctx) =>
      revokeConsent(adminService(ctx), customerLocalId(args.customerId), args.purpose, { source: args.source }),
  }),
}));
