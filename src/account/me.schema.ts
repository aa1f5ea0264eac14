import { ConsentRef } from "../consents/schema.ts";
import { GrantConsentInput } from "../consents/schema.ts";
import { grantConsent, revokeConsent } from "../consents/service.ts";
import { createCustomObject, deleteCustomObject, updateCustomObject } from "../custom-objects/service.ts";
import { CustomObjectRef } from "../custom-objects/schema.ts";
import { selfEditableFields } from "../customers/profile.schema.ts";
import { findCustomer } from "../customers/lookup.ts";
import { CustomerRef } from "../customers/schema.ts";
import { builder } from "../graphql/builder.ts";
import { customerService } from "../graphql/context.ts";
import { localId, localIdOrNull } from "../graphql/ids.ts";
import { revokeSession } from "../sessions/service.ts";
import { SessionRef } from "../sessions/schema.ts";
import { updateOwnProfile } from "./profile.ts";

// The signed-in customer's own view (Authorization: Bearer <access token>). Every field here is
// behind the `customer` scope and acts on the token's customer only: ids of anyone else's
// sessions or objects read as not found. Admin-only Customer fields (blockReason, blockedUntil,
// customFields) answer FORBIDDEN even here.

const self = { customer: true } as const;

const UpdateMyProfileInput = builder.inputType("UpdateMyProfileInput", {
  description: "The profile fields a customer may change. Absent fields stay as they are; null clears.",
  fields: (t) => selfEditableFields(t as never),
});

builder.queryFields((t) => ({
  me: t.prismaField({
    type: "Customer",
    authScopes: self,
    description:
      "The signed-in customer (Authorization: Bearer <access token> from signIn): profile, identities, sessions, consents and custom objects. " +
      "Loaded with everything asked for in one statement.",
    resolve: async (query, _root, _args, ctx) => {
      const me = customerService(ctx);
      // The access token was checked against a live session, so the customer exists.
      return (await findCustomer(me, { id: me.customerId }, query))!;
    },
  }),
}));

const objectId = (id: string) => localIdOrNull(id, "CustomObject") ?? "";

builder.mutationFields((t) => ({
  updateMyProfile: t.field({
    type: CustomerRef,
    authScopes: self,
    errors: { dataField: { name: "customer" } },
    description:
      "Signed-in customer: updates their own names, birthdate, gender, locale, time zone and addresses. Records customer.updated.",
    args: { input: t.arg({ type: UpdateMyProfileInput, required: true }) },
    resolve: (_root, { input }, ctx) => updateOwnProfile(customerService(ctx), input),
  }),
  revokeMySession: t.field({
    type: SessionRef,
    authScopes: self,
    errors: { dataField: { name: "session" } },
    description: "Signed-in customer: signs one of their own sessions out (e.g. a lost phone). Its tokens stop working at once.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => revokeSession(customerService(ctx), localId(id, "Session", "SESSION_NOT_FOUND")),
  }),
  grantMyConsent: t.field({
    type: ConsentRef,
    authScopes: self,
    errors: { dataField: { name: "consent" } },
    description: "Signed-in customer: grants a consent purpose in a version of its text.",
    args: { input: t.arg({ type: GrantConsentInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const me = customerService(ctx);
      return grantConsent(me, me.customerId, input);
    },
  }),
  revokeMyConsent: t.field({
    type: ConsentRef,
    authScopes: self,
    errors: { dataField: { name: "consent" } },
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
  createMyCustomObject: t.field({
    type: CustomObjectRef,
    authScopes: self,
    errors: { dataField: { name: "customObject" } },
    description: "Signed-in customer: attaches a custom object (at most 64 KiB of JSON) to themselves.",
    args: { name: t.arg.string({ required: true }), data: t.arg({ type: "JSONObject", required: true }) },
    resolve: (_root, args, ctx) => {
      const me = customerService(ctx);
      return createCustomObject(me, me.customerId, { name: args.name, data: args.data });
    },
  }),
  updateMyCustomObject: t.field({
    type: CustomObjectRef,
    authScopes: self,
    errors: { dataField: { name: "customObject" } },
    description: "Signed-in customer: replaces (or with merge: true overlays) the data of one of their own custom objects.",
    args: {
      id: t.arg.id({ required: true }),
      data: t.arg({ type: "JSONObject", required: true }),
      merge: t.arg.boolean({ defaultValue: false }),
    },
    resolve: (_root, args, ctx) => updateCustomObject(customerService(ctx), objectId(args.id), { data: args.data, merge: args.merge }),
  }),
  deleteMyCustomObject: t.field({
    type: "ID",
    authScopes: self,
    errors: { dataField: { name: "deletedCustomObjectId" } },
    description: "Signed-in customer: deletes one of their own custom objects.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await deleteCustomObject(customerService(ctx), objectId(id));
      return id;
    },
  }),
}));
