import type { AddressInput, ConsoleAccountAttributesFragment, UpdateCustomerInput } from "../../../generated/graphql.ts";
import { draftOf, valueOf, type Definition, type Draft } from "./custom-field-values.ts";

/** The profile fields updateCustomer takes as text (addresses and custom fields have their own drafts). */
export const PROFILE_FIELDS = [
  "firstName",
  "middleName",
  "lastName",
  "nickname",
  "username",
  "birthdate",
  "gender",
  "company",
  "jobTitle",
  "locale",
  "timezone",
] as const satisfies readonly (keyof UpdateCustomerInput)[];

export type ProfileField = (typeof PROFILE_FIELDS)[number];
export const ADDRESS_PARTS = [
  "type",
  "line1",
  "line2",
  "postalCode",
  "city",
  "region",
  "country",
] as const satisfies readonly (keyof AddressInput)[];
export type AddressDraft = Record<(typeof ADDRESS_PARTS)[number], string>;

/** What the form's inputs hold. */
export interface Drafts {
  profile: Record<ProfileField, string>;
  addresses: AddressDraft[];
  custom: Record<string, Draft>;
}

/** Definitions whose fields the form edits: retired ones are hidden (their values stay on the customer). */
export const liveDefinitions = (definitions: readonly Definition[]) => definitions.filter((d) => !d.retiredAt);

export function draftsOf(customer: ConsoleAccountAttributesFragment, definitions: readonly Definition[]): Drafts {
  const values = customer.customFields;
  return {
    profile: Object.fromEntries(PROFILE_FIELDS.map((field) => [field, customer[field] ?? ""])) as Drafts["profile"],
    addresses: customer.addresses.map(
      (address) => Object.fromEntries(ADDRESS_PARTS.map((part) => [part, address[part] ?? ""])) as AddressDraft,
    ),
    custom: Object.fromEntries(liveDefinitions(definitions).map((d) => [d.key, draftOf(d, values[d.key])])),
  };
}

/** An address as updateCustomer takes it: emptied parts left out. */
const addressInput = (draft: AddressDraft): AddressInput =>
  Object.fromEntries(ADDRESS_PARTS.filter((part) => draft[part].trim()).map((part) => [part, draft[part].trim()]));

/**
 * Only what the member changed: each profile field whose text changed (emptied: null, which clears
 * it), the whole address list when any address changed (updateCustomer replaces it), and each
 * custom field whose input changed (merged key by key; null deletes the key).
 */
export function changesOf(initial: Drafts, current: Drafts, definitions: readonly Definition[]): UpdateCustomerInput {
  const input: UpdateCustomerInput = {};
  for (const field of PROFILE_FIELDS) {
    if (current.profile[field] !== initial.profile[field]) input[field] = current.profile[field].trim() || null;
  }
  if (JSON.stringify(current.addresses) !== JSON.stringify(initial.addresses))
    input.addresses = current.addresses.map(addressInput).filter((address) => Object.keys(address).length > 0);
  const customFields: Record<string, unknown> = {};
  for (const definition of liveDefinitions(definitions)) {
    const draft = current.custom[definition.key]!;
    if (draft !== initial.custom[definition.key]) customFields[definition.key] = valueOf(definition, draft);
  }
  if (Object.keys(customFields).length > 0) input.customFields = customFields;
  return input;
}
