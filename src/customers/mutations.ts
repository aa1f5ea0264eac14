import { customerAccount } from "../customer-auth/throttle.ts";
import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { localId } from "../graphql/ids.ts";
import { addContact, removeContact, setContactVerified, setPrimaryContact } from "./contacts.ts";
import { createCustomer, deleteCustomer, updateCustomer } from "./service.ts";
import { blockCustomer, disableCustomer, enableCustomer, unblockCustomer } from "./status.ts";
import { CustomerRef } from "./types.ts";

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

const EmailInput = builder.inputType("EmailInput", {
  fields: (t) => ({
    address: t.string({ required: true }),
    primary: t.boolean({ defaultValue: false }),
    verified: t.boolean({ defaultValue: false, description: "Admins may vouch for an email; no verification flow runs." }),
  }),
});

const PhoneInput = builder.inputType("PhoneInput", {
  fields: (t) => ({
    number: t.string({ required: true, description: "E.164, e.g. +14155550100." }),
    primary: t.boolean({ defaultValue: false }),
    verified: t.boolean({ defaultValue: false }),
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

/** The profile fields a signed-in customer may change about themself (see customer-auth/me.ts). */
export const selfServiceProfileFields = (t: InputFields) => ({
  firstName: t.string(),
  middleName: t.string(),
  lastName: t.string(),
  nickname: t.string(),
  birthdate: t.field({ type: "Date" }),
  gender: t.string(),
  locale: t.string({ description: "BCP 47, e.g. en-GB." }),
  timezone: t.string({ description: "IANA, e.g. Europe/Berlin." }),
  addresses: t.field({ type: [AddressInput] }),
});

/** Everything an admin may set on a profile. */
const profileInputFields = (t: InputFields) => ({
  username: t.string(),
  ...selfServiceProfileFields(t),
  company: t.string(),
  jobTitle: t.string(),
});

const CreateCustomerInput = builder.inputType("CreateCustomerInput", {
  fields: (t) => ({
    uid: t.string({ description: "Keep an identifier from another system; random when absent." }),
    ...profileInputFields(t as never),
    emails: t.field({ type: [EmailInput] }),
    phones: t.field({ type: [PhoneInput] }),
    customFields: t.field({ type: "JSONObject" }),
    identities: t.field({ type: [IdentityInput] }),
  }),
});

const UpdateCustomerInput = builder.inputType("UpdateCustomerInput", {
  description: "Absent fields stay as they are; null clears. customFields merges key by key (null deletes a key).",
  fields: (t) => ({
    ...profileInputFields(t as never),
    customFields: t.field({ type: "JSONObject" }),
  }),
});

const writeScope = { adminScope: "CUSTOMERS_WRITE" } as const;
const returnsCustomer = { type: CustomerRef, authScopes: writeScope, errors: { dataField: { name: "customer" } } } as const;
const customerId = (id: string) => localId(id, "Customer", "CUSTOMER_NOT_FOUND");

builder.mutationFields((t) => ({
  createCustomer: t.field({
    ...returnsCustomer,
    description: "Creates a customer directly, without any verification flow.",
    args: { input: t.arg({ type: CreateCustomerInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createCustomer(adminService(ctx), {
        ...input,
        emails: input.emails?.map((e) => ({ value: e.address, primary: e.primary ?? false, verified: e.verified ?? false })),
        phones: input.phones?.map((p) => ({ value: p.number, primary: p.primary ?? false, verified: p.verified ?? false })),
        customFields: input.customFields ?? undefined,
        identities: input.identities?.map((i) => ({ ...i, profile: i.profile ?? {} })),
      } as never),
  }),
  updateCustomer: t.field({
    ...returnsCustomer,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateCustomerInput, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateCustomer(adminService(ctx), customerId(id), input as never),
  }),
  deleteCustomer: t.field({
    type: "ID",
    authScopes: writeScope,
    description: "Irreversible: removes the customer and its identities, sessions, consents and custom objects.",
    errors: { dataField: { name: "deletedCustomerId" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await deleteCustomer(adminService(ctx), customerId(id));
      return id;
    },
  }),
  blockCustomer: t.field({
    ...returnsCustomer,
    args: {
      id: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true }),
      until: t.arg({ type: "DateTime", description: "Absent: blocked until unblocked." }),
    },
    resolve: (_root, { id, reason, until }, ctx) => blockCustomer(adminService(ctx), customerId(id), { reason, until }),
  }),
  unblockCustomer: t.field({
    ...returnsCustomer,
    description: "Lifts a block and the sign-in hard lock, and forgets failed sign-ins (the account-wide throttle included).",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const customer = await unblockCustomer(adminService(ctx), customerId(id));
      await ctx.auth.throttle.forget(customerAccount(customer.id));
      return customer;
    },
  }),
  disableCustomer: t.field({
    ...returnsCustomer,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => disableCustomer(adminService(ctx), customerId(id)),
  }),
  enableCustomer: t.field({
    ...returnsCustomer,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => enableCustomer(adminService(ctx), customerId(id)),
  }),
  addEmail: t.field({
    ...returnsCustomer,
    args: { customerId: t.arg.id({ required: true }), email: t.arg({ type: EmailInput, required: true }) },
    resolve: (_root, { customerId: id, email }, ctx) =>
      addContact(adminService(ctx), customerId(id), "EMAIL", {
        value: email.address,
        primary: email.primary ?? false,
        verified: email.verified ?? false,
      }),
  }),
  removeEmail: t.field({
    ...returnsCustomer,
    args: { customerId: t.arg.id({ required: true }), email: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => removeContact(adminService(ctx), customerId(args.customerId), "EMAIL", args.email),
  }),
  setEmailVerified: t.field({
    ...returnsCustomer,
    args: {
      customerId: t.arg.id({ required: true }),
      email: t.arg.string({ required: true }),
      verified: t.arg.boolean({ required: true }),
    },
    resolve: (_root, args, ctx) => setContactVerified(adminService(ctx), customerId(args.customerId), "EMAIL", args.email, args.verified),
  }),
  setPrimaryEmail: t.field({
    ...returnsCustomer,
    args: { customerId: t.arg.id({ required: true }), email: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => setPrimaryContact(adminService(ctx), customerId(args.customerId), "EMAIL", args.email),
  }),
  addPhone: t.field({
    ...returnsCustomer,
    args: { customerId: t.arg.id({ required: true }), phone: t.arg({ type: PhoneInput, required: true }) },
    resolve: (_root, { customerId: id, phone }, ctx) =>
      addContact(adminService(ctx), customerId(id), "PHONE", {
        value: phone.number,
        primary: phone.primary ?? false,
        verified: phone.verified ?? false,
      }),
  }),
  removePhone: t.field({
    ...returnsCustomer,
    args: { customerId: t.arg.id({ required: true }), phone: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => removeContact(adminService(ctx), customerId(args.customerId), "PHONE", args.phone),
  }),
  setPhoneVerified: t.field({
    ...returnsCustomer,
    args: {
      customerId: t.arg.id({ required: true }),
      phone: t.arg.string({ required: true }),
      verified: t.arg.boolean({ required: true }),
    },
    resolve: (_root, args, ctx) => setContactVerified(adminService(ctx), customerId(args.customerId), "PHONE", args.phone, args.verified),
  }),
  setPrimaryPhone: t.field({
    ...returnsCustomer,
    args: { customerId: t.arg.id({ required: true }), phone: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => setPrimaryContact(adminService(ctx), customerId(args.customerId), "PHONE", args.phone),
  }),
}));
