import { z } from "zod";
import { ValidationError } from "../errors.ts";
import type { FieldSchema } from "../custom-fields/validator.ts";
import { normalizeContacts, type NewContact } from "../customers/contacts.ts";
import { unescapeFormula } from "../csv.ts";
import { contactInput, customFields, emailAddress, identityInput, phoneNumber, profileFields, uid } from "../customers/input.ts";
import { grantInput } from "../consents/service.ts";
import { customObjectInput } from "../custom-objects/service.ts";
import { formatForeignHash } from "../passwords/foreign-formats.ts";
import { hashAlgorithm } from "../passwords/foreign-hashes.ts";
import type { RowError } from "../jobs/service.ts";
import { NOT_JSON, type ImportFormat, type SourceRecord } from "./sources.ts";

// One record of the file → one validated customer, or the row's errors. The record's names are
// those of the shared record format (docs: README "Importing customers"), or renamed by a mapping
// ({ "E-Mail": "email", "Plan": "customFields.plan", "ignored": null }). Validation reuses the
// customer inputs (customers/input.ts), the consent and custom-object inputs and the foreign-hash
// formats; custom fields are checked against the tenant's definitions when the row is written
// (write.ts), where it is known whether it creates or updates.

const MAX_CELL_BYTES = 64 * 1024;
const MAX_RECORD_BYTES = 1024 * 1024;

const isoDate = z.iso.datetime({ offset: true, message: "not an ISO 8601 date-time" }).transform((s) => new Date(s));

const rowSchema = z.object({
  uid: uid.optional(),
  ...profileFields,
  emails: z.array(contactInput(emailAddress)).max(10).optional(),
  phones: z.array(contactInput(phoneNumber)).max(10).optional(),
  email: emailAddress.optional(),
  emailVerified: z.boolean().optional(),
  phone: phoneNumber.optional(),
  phoneVerified: z.boolean().optional(),
  status: z.enum(["ACTIVE", "BLOCKED", "DISABLED"]).optional(),
  createdAt: isoDate.optional(),
  updatedAt: z.unknown().optional(),
  lastLoginAt: z.unknown().optional(),
  customFields: customFields.optional(),
  identities: z
    .array(identityInput.extend({ linkedAt: isoDate.optional() }))
    .max(20)
    .optional(),
  consents: z
    .array(
      grantInput.extend({ source: grantInput.shape.source.default("import"), grantedAt: isoDate.optional(), revokedAt: isoDate.nullish() }),
    )
    .max(50)
    .optional(),
  customObjects: z
    .array(customObjectInput.extend({ createdAt: isoDate.optional() }))
    .max(100)
    .optional(),
  passwordHash: z.string().max(1024).optional(),
  passwordHashAlgorithm: z.string().max(64).optional(),
  passwordSalt: z.string().max(1024).optional(),
  passwordHashParams: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

type Parsed = z.output<typeof rowSchema>;

/** The record's top-level names the format knows; anything else is an unknown column. */
export const KNOWN_NAMES = new Set(Object.keys(rowSchema.shape));
const JSON_COLUMNS = new Set([
  "addresses",
  "emails",
  "phones",
  "identities",
  "consents",
  "customObjects",
  "customFields",
  "passwordHashParams",
]);
const BOOLEAN_COLUMNS = new Set(["emailVerified", "phoneVerified"]);

export interface ImportRow {
  row: number;
  uid: string | null;
  username: string | null;
  /** Customer columns (camelCase) that the row gives. */
  profile: Partial<Pick<Parsed, keyof typeof profileFields | "status" | "createdAt">>;
  /** As given; checked against the definitions by write.ts. */
  customFields: Record<string, unknown> | null;
  contacts: NewContact[];
  identities: NonNullable<Parsed["identities"]>;
  consents: NonNullable<Parsed["consents"]>;
  customObjects: NonNullable<Parsed["customObjects"]>;
  passwordHash: string | null;
}

export type Mapping = Record<string, string | null>;

export interface RowContext {
  format: ImportFormat;
  mapping: Mapping | null;
  schema: FieldSchema;
  /** Unknown names seen so far: reported once per job as a warning, then ignored. */
  unknown: Set<string>;
}

/** Thrown (and caught below) to report one row's problems. */
const rowFailure = (field: string | null, message: string) => new ValidationError([{ field: field ?? "row", message }]);

/** Validates one record. Never throws: a bad row comes back as its errors. */
export function prepareRow(source: SourceRecord, ctx: RowContext): ImportRow | RowError[] {
  try {
    const record = source.record;
    if (record === null || typeof record !== "object" || Array.isArray(record) || record[NOT_JSON]) {
      throw rowFailure(null, "not a JSON object");
    }
    const shaped = shape(record, ctx);
    return toRow(source.row, parseRow(shaped));
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => ({ row: source.row, field: i.field, message: i.message }));
    throw error;
  }
}

/** The record under the format's names, CSV cells converted to their types, empty cells dropped. */
function shape(record: Record<string, unknown>, ctx: RowContext): Record<string, unknown> {
  const csv = ctx.format === "CSV";
  if (!csv && JSON.stringify(record).length > MAX_RECORD_BYTES) throw rowFailure(null, "record larger than 1 MiB");
  let total = 0;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    const target = ctx.mapping && Object.hasOwn(ctx.mapping, name) ? ctx.mapping[name] : name;
    if (target === null || target === undefined) continue;
    const text = csv ? unescapeFormula(value as string) : "";
    if (csv) {
      if (text.length > MAX_CELL_BYTES) throw rowFailure(target, "cell larger than 64 KiB");
      total += text.length;
      if (total > MAX_RECORD_BYTES) throw rowFailure(target, "row larger than 1 MiB");
      if (text === "") continue;
    }
    if (target.startsWith("customFields.")) {
      const key = target.slice("customFields.".length);
      const fields = (out.customFields ??= {}) as Record<string, unknown>;
      fields[key] = csv ? cellOfField(text, key, ctx.schema, target) : value;
    } else if (KNOWN_NAMES.has(target)) {
      out[target] = csv ? cell(text, target) : value;
    } else if (!ctx.unknown.has(name)) ctx.unknown.add(name);
  }
  return out;
}

function parseJsonCell(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw rowFailure(field, "not valid JSON");
  }
}

function cell(text: string, name: string): unknown {
  if (JSON_COLUMNS.has(name)) return parseJsonCell(text, name);
  if (BOOLEAN_COLUMNS.has(name)) return text === "true" ? true : text === "false" ? false : text;
  return text;
}

/** A customFields.<key> cell typed by the key's definition (undefined keys stay text). */
function cellOfField(text: string, key: string, schema: FieldSchema, field: string): unknown {
  const type = schema.definitions.get(key)?.type;
  if (type === "INTEGER" || type === "DECIMAL") return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : text;
  if (type === "BOOLEAN") return text === "true" ? true : text === "false" ? false : text;
  if (type === "STRING_LIST") return parseJsonCell(text, field);
  return text;
}

function parseRow(shaped: Record<string, unknown>): Parsed {
  const result = rowSchema.safeParse(shaped);
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map((i) => ({ field: i.path.map(String).join(".") || "row", message: i.message })));
}

function toRow(row: number, p: Parsed): ImportRow {
  const emails = [...(p.email ? [{ value: p.email, primary: true, verified: p.emailVerified ?? false }] : []), ...(p.emails ?? [])];
  const phones = [...(p.phone ? [{ value: p.phone, primary: true, verified: p.phoneVerified ?? false }] : []), ...(p.phones ?? [])];
  if (p.email && p.emails?.some((e) => e.primary)) throw rowFailure("email", "give either email or a primary entry of emails");
  const contacts = [...normalizeContacts("EMAIL", emails, "emails"), ...normalizeContacts("PHONE", phones, "phones")];
  const identities = p.identities ?? [];
  const live = (p.consents ?? []).filter((c) => !c.revokedAt).map((c) => c.purpose);
  if (new Set(live).size < live.length) throw rowFailure("consents", "more than one unrevoked grant of the same purpose");
  const profile: ImportRow["profile"] = {};
  for (const key of [...Object.keys(profileFields), "status", "createdAt"] as (keyof ImportRow["profile"])[]) {
    if (p[key] !== undefined) (profile as Record<string, unknown>)[key] = p[key];
  }
  return {
    row,
    uid: p.uid ?? null,
    username: p.username ?? null,
    profile,
    customFields: p.customFields ?? null,
    contacts,
    identities,
    consents: p.consents ?? [],
    customObjects: p.customObjects ?? [],
    passwordHash: passwordHashOf(p),
  };
}

/** The stored hash string: as given when hashing.ts knows it, or built from its parts by formatForeignHash. */
function passwordHashOf(p: Parsed): string | null {
  if (p.passwordHash === undefined) return null;
  if (p.passwordHashAlgorithm) {
    const bytes = (s: string | undefined) => Buffer.from(s ?? "", "base64");
    const params = p.passwordHashParams ?? {};
    return formatForeignHash(p.passwordHashAlgorithm, { hash: bytes(p.passwordHash), salt: bytes(p.passwordSalt), params });
  }
  if (hashAlgorithm(p.passwordHash) === null) throw rowFailure("passwordHash", "an unknown or malformed password hash");
  return p.passwordHash;
}
