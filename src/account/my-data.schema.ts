import { AccountInformationDocumentRef, AccountInformationFormatEnum } from "../account-information/schema.ts";
import { downloadAccountInformation } from "../account-information/service.ts";
import { ConsentRef, GrantConsentInput } from "../consents/schema.ts";
import { grantConsent, revokeConsent } from "../consents/service.ts";
import { CustomObjectRef, updateObjectArgs } from "../custom-objects/schema.ts";
import { createCustomObject, deleteCustomObject, updateCustomObject } from "../custom-objects/service.ts";
import { builder } from "../graphql/builder.ts";
import { answeringId, mutationResult } from "../graphql/common.ts";
import { NotFoundError } from "../errors.ts";
import { customerService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { SIGNED_IN } from "../graphql/policies.ts";

// The signed-in customer's consents, custom objects and the download of all their data: the same
// services as the admin fields, always on the token's own customer (an object id of anyone else
// reads as not found).

const objectId = (id: string) => localIdOrNull(id, "CustomObject") ?? "";

builder.mutationFields((t) => ({
  grantMyConsent: t.field({
    ...mutationResult(ConsentRef, "consent", SIGNED_IN),
    description: "Signed-in customer: grants a consent purpose in a version of its text.",
    args: { input: t.arg({ type: GrantConsentInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const me = customerService(ctx);
      return grantConsent(me, me.customerId, input);
    },
  }),
  revokeMyConsent: t.field({
    ...mutationResult(ConsentRef, "consent", SIGNED_IN),
    description: "Signed-in customer: withdraws the live grant of a purpose.",
    args: {
      purpose: t.arg.string({ required: true }),
      source: t.arg.string({ required: true, defaultValue: "customer", description: "Where the customer withdrew consent." }),
    },
    resolve: (_root, args, ctx) => {
      const me = customerService(ctx);
      return revokeConsent(me, me.customerId, args.purpose, { source: args.source });
    },
  }),
}));

builder.mutationFields((t) => ({
  createMyCustomObject: t.field({
    ...mutationResult(CustomObjectRef, "customObject", SIGNED_IN),
    description: "Signed-in customer: attaches a custom object (at most 64 KiB of JSON) to themselves.",
    args: { name: t.arg.string({ required: true }), data: t.arg({ type: "JSONObject", required: true }) },
    resolve: (_root, args, ctx) => {
      const me = customerService(ctx);
      return createCustomObject(me, me.customerId, { name: args.name, data: args.data });
    },
  }),
  updateMyCustomObject: t.field({
    ...mutationResult(CustomObjectRef, "customObject", SIGNED_IN),
    description: "Signed-in customer: replaces (or with merge: true overlays) the data of one of their own custom objects.",
    args: updateObjectArgs,
    resolve: (_root, args, ctx) => updateCustomObject(customerService(ctx), objectId(args.id), { data: args.data, merge: args.merge }),
  }),
  deleteMyCustomObject: t.field({
    ...mutationResult("ID", "deletedCustomObjectId", SIGNED_IN),
    description: "Signed-in customer: deletes one of their own custom objects.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => deleteCustomObject(customerService(ctx), objectId(id))),
  }),
}));

builder.queryFields((t) => ({
  myAccountInformation: t.field({
    type: AccountInformationDocumentRef,
    authScopes: SIGNED_IN,
    description:
      "Signed-in customer: everything about their own account, as JSON or HTML — what `me` shows them (custom fields " +
      "defined as customer-readable, no admin-only fields). Records customer.account_information_downloaded.",
    args: { format: t.arg({ type: AccountInformationFormatEnum, required: true, defaultValue: "JSON" }) },
    resolve: async (_root, { format }, ctx) => {
      const me = customerService(ctx);
      // The token was checked against a live session; only a deletion racing this request gets here.
      return (await downloadAccountInformation(me, me.customerId, format)) ?? Promise.reject(new NotFoundError("CUSTOMER_NOT_FOUND"));
    },
  }),
}));
