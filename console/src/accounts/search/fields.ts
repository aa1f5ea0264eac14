import type { CustomerFilter } from "../../generated/graphql.ts";
import { customFieldSearchFields, type SearchableDefinition } from "./custom-fields.ts";
import {
  choice,
  dateOperators,
  fixed,
  hasOnly,
  keyed,
  negated,
  one,
  onlyItem,
  textOperators,
  TEXT,
  YES_NO,
  type Choice,
  type Operator,
} from "./operators.ts";

// The fields of the query builder: each is one criterion of the `customers` filter language
// (CustomerFilter in schema.graphql), with the operators that make sense for it.

export interface SearchField {
  /** Stable id (pins are stored by it): the CustomerFilter key, or `custom:<key>`. */
  id: string;
  label: string;
  /** The first is the pinned input's. */
  operators: Operator[];
  /** The one-criterion filter holding `criterion`. */
  wrap(criterion: unknown): CustomerFilter;
  /** The criterion of a one-criterion filter on this field, or undefined. */
  unwrap(filter: Record<string, unknown>): unknown;
}

/** The store's values the pickers offer. */
export interface SearchChoices {
  groups: Choice[];
  organizations: Choice[];
  roles: Choice[];
  customFields: SearchableDefinition[];
}

/** A field that is one key of CustomerFilter. */
const plain = (id: keyof CustomerFilter, label: string, operators: Operator[]): SearchField => ({
  id,
  label,
  operators,
  wrap: (criterion) => ({ [id]: criterion }) as CustomerFilter,
  unwrap: (filter) => (hasOnly(filter, id) ? filter[id] : undefined),
});

const STATUSES = choice([
  { value: "ACTIVE", label: "Enabled" },
  { value: "DISABLED", label: "Disabled" },
  { value: "BLOCKED", label: "Blocked" },
]);

// `status` is a list of statuses (any of them): the builder's rows hold one each.
const statusIs: Operator = { id: "is", label: "is", takes: STATUSES, build: one, read: onlyItem };
const status: Operator[] = [statusIs, negated(statusIs, "is-not", "is not")];

const yesNo = (): Operator[] => [
  {
    id: "is",
    label: "is",
    takes: YES_NO,
    build: (value) => value === "true",
    read: (c) => (typeof c === "boolean" ? String(c) : undefined),
  },
];

const dates = (setLabel: string, unsetLabel: string): Operator[] => [
  ...dateOperators(),
  fixed("exists", setLabel, "exists", true),
  fixed("missing", unsetLabel, "exists", false),
];

const membership = (options: Choice[]): Operator[] => [
  keyed("anyOf", "is member of", "anyOf", choice(options), one, onlyItem),
  keyed("noneOf", "is not member of", "noneOf", choice(options), one, onlyItem),
];

const holds = (roles: Choice[]): Operator => keyed("holds", "holds", "id", choice(roles));

const consentIs = (id: string, label: string, granted: boolean): Operator => ({
  id,
  label,
  takes: TEXT,
  build: (purpose) => ({ purpose, granted }),
  read: (c) => (hasOnly(c, "purpose", "granted") && c.granted === granted ? String(c.purpose) : undefined),
});

/** Every field the builder offers in this store, the searchable custom fields last. */
export function searchFields(choices: SearchChoices): SearchField[] {
  return [
    plain("email", "Email", textOperators("equals")),
    plain("name", "Name", textOperators("contains")),
    plain("username", "Username", textOperators("contains")),
    // Phones may be encrypted at rest: there only exact matches work (the API says so otherwise).
    plain("phone", "Phone", textOperators("equals")),
    plain("status", "Status", status),
    plain("emailVerified", "Email verified", yesNo()),
    plain("hasExternalIdentity", "External identity", yesNo()),
    plain("identityVerified", "Identity verified", yesNo()),
    plain("createdAt", "Created", dates("is set", "is not set")),
    plain("lastLoginAt", "Last sign-in", dates("has signed in", "never signed in")),
    plain("group", "Group", membership(choices.groups)),
    plain("organization", "Organization", membership(choices.organizations)),
    plain("role", "Role", [holds(choices.roles), negated(holds(choices.roles), "not-holds", "does not hold")]),
    plain("consent", "Consent", [consentIs("granted", "granted for purpose", true), consentIs("revoked", "revoked for purpose", false)]),
    ...customFieldSearchFields(choices.customFields),
  ];
}
