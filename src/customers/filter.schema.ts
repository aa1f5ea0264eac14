import { builder } from "../graphql/builder.ts";
import { SortDirection } from "../graphql/common.ts";
import { CustomerStatusEnum } from "./schema.ts";

// The GraphQL shape of the filter language (compiled by filter.ts): the input of `customers`, of
// segments, and later of bulk actions and exports. The services take it exactly as GraphQL
// coerced it; a segment stores it as that JSON.

export const StringFilter = builder.inputType("StringFilter", {
  description: "Give one or more; they combine with AND. Emails, usernames and names match case-insensitively; other strings exactly.",
  fields: (t) => ({
    equals: t.string(),
    in: t.stringList({ description: "Any of these (1 to 100)." }),
    startsWith: t.string(),
    contains: t.string(),
    exists: t.boolean({ description: "true: has a value; false: has none." }),
  }),
});

const ContactFilter = builder.inputType("ContactFilter", {
  description:
    "One email (or phone) of the customer meets every operator given. With exists: false, the customer has none that does " +
    "(alone: no email at all).",
  fields: (t) => ({
    equals: t.string(),
    in: t.stringList({ description: "Any of these (1 to 100)." }),
    startsWith: t.string({ description: "Emails; phones only when the gateway stores them in clear (no MASTER_KEY)." }),
    contains: t.string({ description: "Emails; phones only when the gateway stores them in clear (no MASTER_KEY)." }),
    exists: t.boolean(),
    verified: t.boolean(),
    primary: t.boolean(),
  }),
});

const DateTimeFilter = builder.inputType("DateTimeFilter", {
  description: "Give one or more; they combine with AND.",
  fields: (t) => ({
    gt: t.field({ type: "DateTime" }),
    gte: t.field({ type: "DateTime" }),
    lt: t.field({ type: "DateTime" }),
    lte: t.field({ type: "DateTime" }),
    exists: t.boolean({ description: "true: has a value; false: has none (lastLoginAt: never signed in)." }),
  }),
});

const IdentityFilter = builder.inputType("IdentityFilter", {
  description: "One linked identity meets the provider condition. exists: false: none does (alone: no identity at all).",
  fields: (t) => ({ provider: t.field({ type: StringFilter }), exists: t.boolean() }),
});

const ConsentFilter = builder.inputType("ConsentFilter", {
  fields: (t) => ({
    purpose: t.string({ required: true }),
    granted: t.boolean({
      description:
        "true: a consent to the purpose is in force. false: revoked and not granted again (never asked matches neither). " +
        "Absent: any answer.",
    }),
    version: t.field({ type: StringFilter, description: "The version of that consent." }),
  }),
});

const CustomFieldCondition = builder.inputType("CustomFieldCondition", {
  description:
    "A condition on one custom field, typed by its definition; operators combine with AND. equals, in, exists: every type. " +
    "startsWith, contains: STRING (case-sensitive). contains: STRING_LIST (has this item). gt, gte, lt, lte: INTEGER, DECIMAL, " +
    "DATE, DATETIME. Values must be of the field's type. A key without an active definition is an error, except for a tenant " +
    "that defines no fields at all: there any key allows equals (jsonb containment).",
  fields: (t) => ({
    key: t.string({ required: true }),
    equals: t.field({ type: "JSON" }),
    in: t.field({ type: ["JSON"], description: "Any of these (1 to 100)." }),
    startsWith: t.string(),
    contains: t.field({ type: "JSON", description: "STRING: a substring. STRING_LIST: an item of the list." }),
    gt: t.field({ type: "JSON" }),
    gte: t.field({ type: "JSON" }),
    lt: t.field({ type: "JSON" }),
    lte: t.field({ type: "JSON" }),
    exists: t.boolean(),
  }),
});

const CustomObjectFilter = builder.inputType("CustomObjectFilter", {
  description: "The customer has an object of this name (whose data contains `data`, if given: jsonb @>).",
  fields: (t) => ({ name: t.string({ required: true }), data: t.field({ type: "JSONObject" }) }),
});

const MembershipFilter = builder.inputType("MembershipFilter", {
  description: "Membership of groups (or organizations) by ID; anyOf and noneOf combine with AND. An ID of another tenant matches nothing.",
  fields: (t) => ({
    anyOf: t.idList({ description: "Member of at least one of these (1 to 100)." }),
    noneOf: t.idList({ description: "Member of none of these (1 to 100)." }),
  }),
});

const RoleFilter = builder.inputType("RoleFilter", {
  description: "Holds the role: in any form, for one organization (organizationId), or tenant-wide (tenantWide: true).",
  fields: (t) => ({
    id: t.id({ required: true, description: "The Role ID." }),
    organizationId: t.id({ description: "Only the pair for this organization (membership not needed)." }),
    tenantWide: t.boolean({ description: "true: only the tenant-wide pair; false: only pairs for an organization." }),
  }),
});

// Typed loosely for Pothos (its inference cannot follow the recursion with JSON values): what
// GraphQL coerced is a CustomerFilter, which customerPage and the segment services take.
export const CustomerFilterInput = builder.inputRef<Record<string, unknown>>("CustomerFilter").implement({
  description:
    "Every criterion given must hold (AND); and/or/not combine filters. At most 8 levels deep and 100 conditions. " +
    "Each condition is served by an index.",
  fields: (t) => ({
    and: t.field({ type: [CustomerFilterInput], description: "Every one of these." }),
    or: t.field({ type: [CustomerFilterInput], description: "At least one of these." }),
    not: t.field({ type: CustomerFilterInput, description: "Not this (a condition on a missing value counts as not holding)." }),
    status: t.field({ type: [CustomerStatusEnum], description: "Any of these statuses." }),
    email: t.field({ type: ContactFilter, description: "The customer's emails (normalized, lower-cased)." }),
    phone: t.field({
      type: ContactFilter,
      description:
        "The customer's phones (E.164). With a MASTER_KEY they are encrypted at rest: equals and in match exactly through a keyed " +
        "blind index (spaces and dashes ignored); startsWith and contains are refused (VALIDATION_FAILED on that operator).",
    }),
    username: t.field({ type: StringFilter }),
    name: t.field({ type: StringFilter, description: "Matches first, middle, last name and nickname together." }),
    createdAt: t.field({ type: DateTimeFilter }),
    lastLoginAt: t.field({ type: DateTimeFilter }),
    identity: t.field({ type: IdentityFilter }),
    consent: t.field({ type: ConsentFilter }),
    customFields: t.field({ type: [CustomFieldCondition], description: "Every condition holds." }),
    customObject: t.field({ type: CustomObjectFilter }),
    group: t.field({ type: MembershipFilter, description: "Group membership." }),
    organization: t.field({ type: MembershipFilter, description: "Organization membership (role pairs do not count)." }),
    role: t.field({ type: RoleFilter, description: "A role pair the customer holds." }),
    // Account labels (filter-labels.ts).
    emailVerified: t.boolean({ description: "true: the primary email is verified. false: it is not (no email matches neither)." }),
    hasExternalIdentity: t.boolean({ description: "Has (true) or lacks (false) an identity at a social or enterprise provider." }),
    identityVerified: t.boolean({ description: "Has (true) or lacks (false) a manual identity verification that is not revoked." }),
  }),
});

const CustomerSortField = builder.enumType("CustomerSortField", {
  values: ["CREATED_AT", "LAST_LOGIN_AT", "LAST_NAME", "PRIMARY_EMAIL", "CUSTOM_FIELD"] as const,
});

export const CustomerOrder = builder.inputType("CustomerOrder", {
  description:
    "Ties are broken by id. Missing values (lastLoginAt, lastName, primary email, custom field) come last ascending and " +
    "first descending. A cursor belongs to its order: using it with another is an error.",
  fields: (t) => ({
    field: t.field({ type: CustomerSortField, required: true, defaultValue: "CREATED_AT" }),
    customField: t.string({ description: "With field: CUSTOM_FIELD, the key of a searchable custom field." }),
    direction: t.field({ type: SortDirection, required: true, defaultValue: "DESC" }),
  }),
});
