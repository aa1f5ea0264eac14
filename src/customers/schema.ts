import { customerReadable, visibleTo } from "../custom-fields/access.ts";
import { activeFieldDefinitions } from "../custom-fields/definitions.ts";
import { builder } from "../graphql/builder.ts";
import { customerService, type GraphQLContext } from "../graphql/context.ts";
import { mutationResult } from "../graphql/common.ts";
import { customerNode } from "../graphql/nodes.ts";
import { ADMIN_ONLY, CUSTOMER_DATA, CUSTOMERS_WRITE } from "../graphql/policies.ts";
import { lockedUntil } from "../security/lockout.ts";
import type { Contact, Customer } from "../generated/prisma/client.ts";
import { openForField } from "../pii/profile.ts";

type MaybePromise<T> = T | Promise<T>;
import { ContactKind, CustomerStatus } from "../generated/prisma/enums.ts";
import { effectiveStatus } from "./status.ts";
import { contactTextFor } from "./phones-at-rest.ts";

export const CustomerStatusEnum = builder.enumType(CustomerStatus, { name: "CustomerStatus" });

const contactFields = (valueName: string) =>
  builder.objectRef<Contact>(valueName === "address" ? "Email" : "Phone").implement({
    authScopes: CUSTOMER_DATA,
    fields: (t) => ({
      [valueName]: t.string({
        resolve: (c, _args, ctx) => contactTextFor(ctx, c),
        description:
          valueName === "address"
            ? "Normalized: lower-cased."
            : "E.164. Stored encrypted when the gateway has a MASTER_KEY (found by exact match only, through a keyed blind index).",
      }),
      primary: t.exposeBoolean("primary"),
      verified: t.exposeBoolean("verified"),
      verifiedAt: t.expose("verifiedAt", { type: "DateTime", nullable: true }),
      addedAt: t.expose("createdAt", { type: "DateTime" }),
    }),
  });

const Email = contactFields("address");
const Phone = contactFields("number");

interface AddressShape {
  type?: string;
  line1?: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

const Address = builder.objectRef<AddressShape>("Address").implement({
  authScopes: CUSTOMER_DATA,
  fields: (t) => ({
    type: t.exposeString("type", { nullable: true, description: "Free text, e.g. home, work, billing." }),
    line1: t.exposeString("line1", { nullable: true }),
    line2: t.exposeString("line2", { nullable: true }),
    city: t.exposeString("city", { nullable: true }),
    region: t.exposeString("region", { nullable: true }),
    postalCode: t.exposeString("postalCode", { nullable: true }),
    country: t.exposeString("country", { nullable: true, description: "ISO 3166-1 alpha-2." }),
  }),
});

// The keys a signed-in customer may read, loaded once per request (one statement).
const readableByRequest = new WeakMap<GraphQLContext, Promise<Set<string>>>();

/**
 * customFields for the caller: admins get every key, synchronously (so the SQL read serves them);
 * a customer gets the keys defined as CUSTOMER_READ or CUSTOMER_EDIT — asynchronously, after the
 * definitions load, so a customer's document selecting customFields takes the normal path.
 */
function customFieldsFor(values: Record<string, unknown>, ctx: GraphQLContext) {
  if (ctx.admin) return values;
  let readable = readableByRequest.get(ctx);
  if (!readable) {
    readable = activeFieldDefinitions(customerService(ctx)).then((defs) => customerReadable(defs.values()));
    readableByRequest.set(ctx, readable);
  }
  return readable.then((keys) => visibleTo(keys, values));
}

// Birthdate, addresses and PII custom fields may be sealed at rest (src/pii/profile.ts): these
// fields read the row opened, synchronously once the tenant's keys are cached in this process.
const piiSelect = { tenantId: true, birthdate: true, addresses: true, customFields: true, piiSealed: true } as const;
type PiiRow = Pick<Customer, "id" | keyof typeof piiSelect>;
function fromOpened<R>(c: PiiRow, ctx: GraphQLContext, read: (opened: PiiRow) => R): R | Promise<R> {
  const opened = openForField(ctx, c.tenantId, c);
  return opened instanceof Promise ? opened.then(read) : read(opened);
}

const opened =
  <R>(read: (row: PiiRow) => R) =>
  (c: PiiRow, _args: unknown, ctx: GraphQLContext) =>
    fromOpened(c, ctx, read);

const byKind = (kind: ContactKind) => (c: { contacts: Contact[] }) => c.contacts.filter((k) => k.kind === kind);
const contactsSelect = { contacts: { orderBy: { createdAt: "asc" as const } } };

// Fields are readable by admins of the tenant and by the customer itself (through `me`); the
// ones marked ADMIN_ONLY are admins' only.
export const CustomerRef = builder.prismaNode("Customer", {
  ...customerNode,
  fields: (t) => ({
    uid: t.exposeString("uid", { description: "Stable public identifier; caller-chosen on import." }),
    username: t.exposeString("username", { nullable: true }),
    firstName: t.exposeString("firstName", { nullable: true }),
    middleName: t.exposeString("middleName", { nullable: true }),
    lastName: t.exposeString("lastName", { nullable: true }),
    nickname: t.exposeString("nickname", { nullable: true }),
    birthdate: t.field({ type: "Date", nullable: true, select: piiSelect, resolve: opened((o) => o.birthdate) }),
    gender: t.exposeString("gender", { nullable: true }),
    locale: t.exposeString("locale", { nullable: true }),
    timezone: t.exposeString("timezone", { nullable: true }),
    company: t.exposeString("company", { nullable: true }),
    jobTitle: t.exposeString("jobTitle", { nullable: true }),
    addresses: t.field({ type: [Address], select: piiSelect, resolve: opened((o) => o.addresses as AddressShape[]) }),
    emails: t.field({ type: [Email], select: contactsSelect, resolve: byKind("EMAIL") }),
    phones: t.field({ type: [Phone], select: contactsSelect, resolve: byKind("PHONE") }),
    primaryEmail: t.string({
      nullable: true,
      select: contactsSelect,
      resolve: (c) => c.contacts.find((k) => k.kind === "EMAIL" && k.primary)?.normalized ?? null,
    }),
    primaryPhone: t.string({
      nullable: true,
      select: contactsSelect,
      description: "E.164 (encrypted at rest when the gateway has a MASTER_KEY, as Phone.number).",
      resolve: (c, _args, ctx) => {
        const primary = c.contacts.find((k) => k.kind === "PHONE" && k.primary);
        return primary ? contactTextFor(ctx, primary) : null;
      },
    }),
    status: t.field({
      type: CustomerStatusEnum,
      description: "In force now: a block whose end has passed reads as ACTIVE.",
      resolve: (c) => effectiveStatus(c),
    }),
    // Admin-only: a customer token gets FORBIDDEN here (a lockout's reason is for the admin's eyes).
    blockReason: t.exposeString("blockReason", { nullable: true, authScopes: ADMIN_ONLY }),
    blockedUntil: t.expose("blockedUntil", { type: "DateTime", nullable: true, authScopes: ADMIN_ONLY }),
    customFields: t.field({
      type: "JSONObject",
      description:
        "Admins see every key. The customer (me) sees only keys whose definition lets customers read them (CUSTOMER_READ or " +
        "CUSTOMER_EDIT); keys without a definition stay admins'.",
      select: piiSelect,
      resolve: (c, _args, ctx) =>
        fromOpened(c, ctx, (o) => customFieldsFor(o.customFields as Record<string, unknown>, ctx)) as MaybePromise<Record<string, unknown>>,
    }),
    // Admin-only, like blockReason: support staff see why a customer cannot sign in right now.
    signInLockedUntil: t.field({
      type: "DateTime",
      nullable: true,
      authScopes: ADMIN_ONLY,
      description:
        "Until when new sign-ins are refused after too many failed ones (the hard lock: LOCKOUT_THRESHOLD failures within " +
        "LOCKOUT_WINDOW_SECONDS). Null when not locked. Existing sessions keep working; unblockCustomer lifts it.",
      select: { failedSignIns: true, failedSignInsSince: true },
      resolve: (customer, _args, ctx) => lockedUntil(customer, ctx.auth.config.lockout),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    lastLoginAt: t.expose("lastLoginAt", { type: "DateTime", nullable: true }),
  }),
});

/** What every admin mutation that changes a customer shares: CUSTOMERS_WRITE, answers the customer. */
export const returnsCustomer = mutationResult(CustomerRef, "customer", CUSTOMERS_WRITE);
