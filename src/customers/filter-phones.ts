import { Prisma } from "../generated/prisma/client.ts";
import type { TenantPii } from "../pii/at-rest.ts";
import { issue, MAX_IN_VALUES, type Compilation } from "./filter-fields.ts";
import { phoneNumber } from "./input.ts";
import { storedKeys } from "./phones-at-rest.ts";

// Phone conditions when phones are sealed at rest (phones-at-rest.ts): contact.normalized holds a
// blind index, which only answers "is it exactly this number". equals and in look up each number's
// index and its E.164 (rows not sealed yet); startsWith and contains cannot be served and are
// refused, naming the operator. Without a MASTER_KEY phones are in clear and filter.ts's text
// conditions apply unchanged.

export const SEALED_PHONE_REFUSAL = "phone numbers are encrypted at rest: exact match only (equals, in)";

interface PhoneMatch {
  equals?: string | null;
  in?: string[] | null;
  startsWith?: string | null;
  contains?: string | null;
}

/** The condition on `k.normalized` (contact k) for a phone match against sealed rows. */
export function sealedPhoneMatch(c: Compilation, pii: TenantPii, m: PhoneMatch, path: string): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  for (const op of ["startsWith", "contains"] as const) if (m[op] != null) parts.push(issue(c, `${path}.${op}`, SEALED_PHONE_REFUSAL));
  // Entered as people write numbers ("+1 415-555 0100"): the index is of the E.164.
  const keys = (value: string) => storedKeys(pii, "PHONE", phoneNumber.safeParse(value).data ?? value);
  if (m.equals != null) parts.push(Prisma.sql`k.normalized IN (${Prisma.join(keys(m.equals))})`);
  if (m.in != null) {
    if (m.in.length === 0 || m.in.length > MAX_IN_VALUES) parts.push(issue(c, `${path}.in`, `give 1 to ${MAX_IN_VALUES} values`));
    else parts.push(Prisma.sql`k.normalized IN (${Prisma.join(m.in.flatMap(keys))})`);
  }
  return Prisma.join(parts, " AND ");
}
