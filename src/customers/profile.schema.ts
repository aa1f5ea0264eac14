import { builder } from "../graphql/builder.ts";
import { answeringId, mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId } from "../graphql/ids.ts";
import { CUSTOMERS_WRITE } from "../graphql/policies.ts";
import { contactFromInput, EmailInput, PhoneInput } from "./contacts.schema.ts";
import { SELF_EDITABLE } from "./input.ts";
import { returnsCustomer } from "./schema.ts";
import { eraseCustomer } from "./erase.ts";
import { createCustomer, deleteCustomer, updateCustomer } from "./service.ts";
import { NotifyInput, notifyRequest } from "../notifications/applications.schema.ts";

// Admin: create, update and delete customers, and the profile inputs (the signed-in customer's
// own subset, UpdateMyProfileInput, is built from the same fields in account/me.schema.ts).

export const AddressInput = builder.inputType("AddressInput", {
  fields: (t) => ({
    type: t.string(),
    line1: t.string(),
    line2: t.string(),
    city: t.string(),
    region: t.string(),
    postalCode: t.string(),
    country: t.string({ description: "ISO 3166-1 alpha-2." }),
  }),
});

export const IdentityInput = builder.inputType("IdentityInput", {
  fields: (t) => ({
    provider: t.string({ required: true, description: "password, email, phone, google, saml-acme, …" }),
    providerUserId: t.string({ required: true }),
    profile: t.field({ type: "JSONObject", description: "The raw profile the provider returned." }),
  }),
});

type InputFields = PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<never>, "InputObject">;

/** Everything an admin may set on a profile. */
const profileInputFields = (t: InputFields) => ({
  username: t.string(),
  firstName: t.string(),
  middleName: t.string(),
  lastName: t.string(),
  nickname: t.string(),
  birthdate: t.field({ type: "Date" }),
  gender: t.string(),
  locale: t.string({ description: "BCP 47, e.g. en-GB." }),
  timezone: t.string({ description: "IANA, e.g. Europe/Berlin." }),
  addresses: t.field({ type: [AddressInput] }),
  company: t.string(),
  jobTitle: t.string(),
});

/** The profile fields a signed-in customer may change about themself: SELF_EDITABLE, nothing else. */
export const selfEditableFields = (t: InputFields) => {
  const all = profileInputFields(t);
  return Object.fromEntries(SELF_EDITABLE.map((key) => [key, all[key]])) as Pick<typeof all, (typeof SELF_EDITABLE)[number]>;
};

const CreateCustomerInput = builder.inputType("CreateCustomerInput", {
  fields: (t) => ({
    uid: t.string({ description: "Keep an identifier from another system; random when absent." }),
    ...profileInputFields(t as never),
    emails: t.field({ type: [EmailInput] }),
    phones: t.field({ type: [PhoneInput] }),
    customFields: t.field({ type: "JSONObject" }),
    identities: t.field({ type: [IdentityInput] }),
    password: t.string({
      description:
        "An initial password (same policy as setPassword: 8 to 128 characters, not a common one). Stored as an argon2id hash; " +
        "the audit trail records customer.password_set, never the password.",
    }),
  }),
});

const UpdateCustomerInput = builder.inputType("UpdateCustomerInput", {
  description: "Absent fields stay as they are; null clears. customFields merges key by key (null deletes a key).",
  fields: (t) => ({
    ...profileInputFields(t as never),
    customFields: t.field({ type: "JSONObject" }),
  }),
});

builder.mutationFields((t) => ({
  createCustomer: t.field({
    ...returnsCustomer,
    description: "Creates a customer directly, without any verification flow; with `password`, one that can sign in at once.",
    args: { input: t.arg({ type: CreateCustomerInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createCustomer(
        adminService(ctx),
        {
          ...input,
          emails: input.emails?.map((e) => contactFromInput("EMAIL", e)),
          phones: input.phones?.map((p) => contactFromInput("PHONE", p)),
          customFields: input.customFields ?? undefined,
          identities: input.identities?.map((i) => ({ ...i, profile: i.profile ?? {} })),
          password: input.password ?? undefined,
        } as never,
        ctx.auth,
      ),
  }),
  updateCustomer: t.field({
    ...returnsCustomer,
    description:
      "Changes what is given. notify: the customer is told (in the same transaction: an undeliverable notification leaves the change unmade).",
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateCustomerInput, required: true }),
      notify: t.arg({ type: NotifyInput }),
    },
    resolve: (_root, { id, input, notify }, ctx) =>
      updateCustomer(adminService(ctx), customerLocalId(id), input as never, { notify: notifyRequest(notify) }),
  }),
  deleteCustomer: t.field({
    ...mutationResult("ID", "deletedCustomerId", CUSTOMERS_WRITE),
    description: "Irreversible: removes the customer and its identities, sessions, consents and custom objects.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => deleteCustomer(adminService(ctx), customerLocalId(id))),
  }),
  eraseCustomer: t.field({
    ...mutationResult("ID", "erasedCustomerId", CUSTOMERS_WRITE),
    description: [
      "GDPR art. 17: deletes the customer like deleteCustomer and guarantees that the personal data inside its audit",
      'events is unreadable from now on (crypto-shredding: they read "[erased]"; the rows themselves are unchanged).',
      "ERASURE_UNAVAILABLE when the gateway has no MASTER_KEY.",
    ].join(" "),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => eraseCustomer(adminService(ctx), customerLocalId(id))),
  }),
}));
