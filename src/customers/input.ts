import { z } from "zod";

// Input rules for customer profiles, shared by create, update and import.

const text = (max: number) => z.string().trim().min(1).max(max);

/** RFC 5321 lengths: the whole address at most 254, the local part 64, the domain 255. */
export const emailAddress = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: "not a valid email address" }))
  .refine((s) => s.slice(0, s.lastIndexOf("@")).length <= 64, "the part before @ is longer than 64 characters");

export const phoneNumber = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s().-]/g, ""))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, "not an E.164 phone number (+ and 7 to 15 digits)"));

export const username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, "3 to 64 letters, digits, dots, dashes or underscores");

export const uid = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "1 to 128 letters, digits, dots, colons, dashes or underscores");

/**
 * `check` remembered for the values it accepted: the Intl checks below construct an ICU object per
 * call (getCanonicalLocales ~15 µs, DateTimeFormat ~150 µs measured here), which an import pays
 * per row although a file holds a few dozen distinct zones and locales. Only accepted values are
 * kept (rejected ones are rare and may be anything), at most `limit` of them; when full the set
 * starts again. Cost: ~50 bytes per remembered value.
 */
function rememberAccepted(check: (value: string) => boolean, limit = 2_000): (value: string) => boolean {
  const accepted = new Set<string>();
  return (value) => {
    if (accepted.has(value)) return true;
    if (!check(value)) return false;
    if (accepted.size >= limit) accepted.clear();
    accepted.add(value);
    return true;
  };
}

const timezone = z
  .string()
  .trim()
  .refine(
    rememberAccepted((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }),
    "not an IANA time zone",
  );

const locale = z
  .string()
  .trim()
  .refine(
    rememberAccepted((l) => {
      try {
        return Intl.getCanonicalLocales(l).length === 1;
      } catch {
        return false;
      }
    }),
    "not a BCP 47 language tag",
  );

const birthdate = z.coerce.date().refine((d) => d.getTime() <= Date.now(), "in the future");

export const address = z.object({
  type: text(32).optional(),
  line1: text(200).optional(),
  line2: text(200).optional(),
  city: text(100).optional(),
  region: text(100).optional(),
  postalCode: text(20).optional(),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code")
    .optional(),
});

const fieldKey = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Custom fields: a flat-or-nested JSON object up to 16 KiB with identifier-like top-level keys. */
export const customFields = z
  .record(z.string().regex(fieldKey, "custom field names are identifiers of at most 64 characters"), z.json())
  .refine((o) => JSON.stringify(o).length <= 16_384, "larger than 16 KiB");

/** The profile fields a customer may change themselves (updateMyProfile); everything else is the tenant's. */
export const SELF_EDITABLE = [
  "firstName",
  "middleName",
  "lastName",
  "nickname",
  "birthdate",
  "gender",
  "locale",
  "timezone",
  "addresses",
] as const;

/** Profile fields: absent means "leave as is", null means "clear". */
export const profileFields = {
  username: username.nullish(),
  firstName: text(100).nullish(),
  middleName: text(100).nullish(),
  lastName: text(100).nullish(),
  nickname: text(100).nullish(),
  birthdate: birthdate.nullish(),
  gender: text(32).nullish(),
  locale: locale.nullish(),
  timezone: timezone.nullish(),
  company: text(200).nullish(),
  jobTitle: text(200).nullish(),
  addresses: z.array(address).max(10).nullish(),
};

export const contactInput = <T extends z.ZodType<string>>(value: T) =>
  z.object({
    value,
    primary: z.boolean().default(false),
    verified: z.boolean().default(false),
  });

export const identityInput = z.object({
  provider: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "a provider name like google, saml-acme or email"),
  providerUserId: text(255),
  profile: z.record(z.string(), z.json()).default({}),
});

/** The lower-cased name parts that `name` search filters match against. */
export function nameSearch(p: {
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
  nickname?: string | null;
}) {
  return [p.firstName, p.middleName, p.lastName, p.nickname].filter(Boolean).join(" ").toLowerCase();
}
