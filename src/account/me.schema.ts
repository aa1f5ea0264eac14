import { findCustomer } from "../customers/lookup.ts";
import { selfEditableFields } from "../customers/profile.schema.ts";
import { CustomerRef } from "../customers/schema.ts";
import { builder } from "../graphql/builder.ts";
import { mutationResult } from "../graphql/common.ts";
import { customerService, type GraphQLContext } from "../graphql/context.ts";
import { sqlRead } from "../graphql/sql-read/root.ts";
import { localId } from "../graphql/ids.ts";
import { SIGNED_IN } from "../graphql/policies.ts";
import { SessionRef } from "../sessions/schema.ts";
import { revokeSession } from "../sessions/service.ts";
import { updateOwnProfile } from "./profile.ts";

// The signed-in customer's own view (Authorization: Bearer <access token>). Every field here is
// behind SIGNED_IN and acts on the token's customer only: ids of anyone else's sessions or
// objects read as not found. Admin-only Customer fields (blockReason, blockedUntil) answer
// FORBIDDEN even here; customFields shows only the keys defined as readable by customers. Their consents and custom objects: my-data.schema.ts.

const UpdateMyProfileInput = builder.inputType("UpdateMyProfileInput", {
  description: "The profile fields a customer may change. Absent fields stay as they are; null clears.",
  fields: (t) => ({
    ...selfEditableFields(t as never),
    customFields: t.field({
      type: "JSONObject",
      description: "Merged key by key (null deletes a key); only keys whose definition is CUSTOMER_EDIT.",
    }),
  }),
});

builder.queryFields((t) => ({
  me: t.prismaField({
    type: "Customer",
    authScopes: SIGNED_IN,
    description:
      "The signed-in customer (Authorization: Bearer <access token> from signIn): profile, identities, sessions, consents and custom objects. " +
      "Loaded with everything asked for in one statement.",
    // Built in PostgreSQL by the SQL read when the selection allows (the same rules decide).
    extensions: sqlRead({
      kind: "one",
      model: "Customer",
      rows: async (_args, ctx) => {
        const me = customerService(ctx as GraphQLContext);
        return { tenantId: me.tenantId, ids: [me.customerId] };
      },
    }),
    resolve: async (query, _root, _args, ctx) => {
      const me = customerService(ctx);
      // The access token was checked against a live session, so the customer exists.
      return (await findCustomer(me, { id: me.customerId }, query))!;
    },
  }),
}));

builder.mutationFields((t) => ({
  updateMyProfile: t.field({
    ...mutationResult(CustomerRef, "customer", SIGNED_IN),
    description:
      "Signed-in customer: updates their own names, birthdate, gender, locale, time zone, addresses and the custom fields " +
      "defined as CUSTOMER_EDIT. Records customer.updated.",
    args: { input: t.arg({ type: UpdateMyProfileInput, required: true }) },
    resolve: (_root, { input }, ctx) => updateOwnProfile(customerService(ctx), input),
  }),
  revokeMySession: t.field({
    ...mutationResult(SessionRef, "session", SIGNED_IN),
    description: "Signed-in customer: signs one of their own sessions out (e.g. a lost phone). Its tokens stop working at once.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => revokeSession(customerService(ctx), localId(id, "Session", "SESSION_NOT_FOUND")),
  }),
}));
