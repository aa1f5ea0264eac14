import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { localId } from "../graphql/ids.ts";
import { grantConsent, revokeConsent } from "./service.ts";
import { ConsentRef } from "./types.ts";

export const GrantConsentInput = builder.inputType("GrantConsentInput", {
  fields: (t) => ({
    purpose: t.string({ required: true, description: 'Lower-case key, e.g. "marketing.email".' }),
    version: t.string({ required: true, description: "Version of the consent text, 1 to 32 characters." }),
    source: t.string({ required: true, description: 'Where the customer agreed, e.g. "signup-form", "admin-console".' }),
  }),
});

const returnsConsent = {
  type: ConsentRef,
  authScopes: { adminScope: "CUSTOMERS_WRITE" },
  errors: { dataField: { name: "consent" } },
} as const;
const customerId = (id: string) => localId(id, "Customer", "CUSTOMER_NOT_FOUND");

builder.mutationFields((t) => ({
  grantConsent: t.field({
    ...returnsConsent,
    description: "Records a grant. The same live version is a no-op; another version supersedes the live grant.",
    args: { customerId: t.arg.id({ required: true }), input: t.arg({ type: GrantConsentInput, required: true }) },
    resolve: (_root, args, ctx) => grantConsent(adminService(ctx), customerId(args.customerId), args.input),
  }),
  revokeConsent: t.field({
    ...returnsConsent,
    description: "Revokes the live grant of a purpose; it stays in consentHistory.",
    args: {
      customerId: t.arg.id({ required: true }),
      purpose: t.arg.string({ required: true }),
      source: t.arg.string({ required: true, defaultValue: "admin-api", description: "Where the customer withdrew consent." }),
    },
    resolve: (_root, args, ctx) => revokeConsent(adminService(ctx), customerId(args.customerId), args.purpose, { source: args.source }),
  }),
}));
