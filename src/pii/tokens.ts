import { csvCell } from "../csv.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/database.ts";
import { PHONE_SCOPE, tenantPii, type TenantPii } from "./at-rest.ts";
import type { Queryable } from "./keyring.ts";
import { openProfile } from "./profile.ts";

// Sealed values in text PostgreSQL renders (export pages, connector inputs). PostgreSQL cannot
// open a sealed value (the key never reaches it), so where one would go it writes a token —
// ~pii~<field>~<customer id>~<sealed>~ — and Node replaces each token with the opened value,
// rendered as the page's format wants it. Pages with nothing sealed pass through untouched (one
// `includes`). A token that does not open (clear text that merely looks like one: the sealed part
// is AES-GCM bound to this tenant and customer, so it cannot be forged) is left as it is.
// Fields: birthdate, addresses, customFields (the sealed custom fields, merged under the key
// "~pii" of the clear ones), cf.<key> (one custom field, a CSV column), phone (a contact value).

const MARK = "~pii~";
const TOKEN = /~pii~([\w.]+)~([0-9a-f-]{36})~([0-9a-f-]{36}\.[\w-]+)~/g;
/** The key under which a record's customFields carries the token of its sealed ones. */
const MERGE_KEY = "~pii";

/** SQL text of a token for `field` of customer `c`, `sealed` an SQL expression (trusted text, no input). */
export const tokenSql = (field: string, sealed: string) => `('${MARK}${field}~' || c.id || '~' || ${sealed} || '~')`;

/** SQL of the token of one sealed custom field (a CSV column), `key` its SQL (a parameter). */
export const customFieldTokenSql = (key: Prisma.Sql) =>
  Prisma.sql`('${Prisma.raw(MARK)}cf.' || ${key} || '~' || c.id || '~' || c.pii_sealed || '~')`;

/** SQL: customFields as jsonb with the sealed ones' token merged in (the JSON record's form). */
export const customFieldsSql = `CASE WHEN c.pii_sealed IS NULL THEN c.custom_fields ELSE c.custom_fields || jsonb_build_object('${MERGE_KEY}', ${tokenSql("customFields", "c.pii_sealed")}) END`;

interface Token {
  field: string;
  customerId: string;
  sealed: string;
}

/** Opens tokens, each sealed value once. */
class TokenOpener {
  private readonly profiles = new Map<string, ReturnType<typeof openProfile> | null>();
  constructor(private readonly pii: TenantPii | null) {}

  /** The clear value of a token, or undefined when it does not open. */
  value({ field, customerId, sealed }: Token): unknown {
    if (!this.pii) return undefined;
    if (field === "phone") return this.attempt(() => this.pii!.open(sealed, PHONE_SCOPE));
    let profile = this.profiles.get(sealed);
    if (profile === undefined) {
      profile =
        this.attempt(() =>
          openProfile(this.pii, { id: customerId, birthdate: null, addresses: [], customFields: {}, piiSealed: sealed }),
        ) ?? null;
      this.profiles.set(sealed, profile);
    }
    if (!profile) return undefined;
    if (field === "birthdate") return profile.birthdate ? profile.birthdate.toISOString().slice(0, 10) : null;
    if (field === "addresses") return profile.addresses;
    if (field === "customFields") return profile.customFields;
    if (field.startsWith("cf.")) return (profile.customFields as Record<string, unknown>)[field.slice(3)] ?? null;
    return undefined;
  }

  private attempt<T>(open: () => T): T | undefined {
    try {
      return open();
    } catch {
      return undefined;
    }
  }
}

async function openerFor(db: Db, q: Queryable, tenantId: string, text: string): Promise<TokenOpener> {
  const sealed = [...text.matchAll(TOKEN)].map((m) => m[3]!);
  return new TokenOpener(await tenantPii(db, q, tenantId, sealed));
}

const tokenOf = (m: RegExpExecArray | RegExpMatchArray): Token => ({ field: m[1]!, customerId: m[2]!, sealed: m[3]! });

/** jsonb's text form (`#>> '{}'` of a non-string, `::text`): keys ordered as jsonb stores them, ", " and ": ". */
export function jsonbText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText((value as Record<string, unknown>)[k])}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

/** An export page's text with its tokens opened: CSV cells, or JSON values (NDJSON and JSON). */
export async function openPageTokens(db: Db, tenantId: string, text: string, format: "CSV" | "JSON"): Promise<string> {
  if (!text.includes(MARK)) return text;
  const opener = await openerFor(db, db, tenantId, text);
  if (format === "CSV") {
    // A token is a whole cell: bare, or (a jsonb string: addresses) quoted as `"""token"""`.
    const cell = new RegExp(`"""(${TOKEN.source})"""|${TOKEN.source}`, "g");
    return text.replace(cell, (whole, _q, qField, qId, qSealed, field, id, sealed) => {
      const value = opener.value(qField ? { field: qField, customerId: qId, sealed: qSealed } : { field, customerId: id, sealed });
      if (value === undefined) return whole;
      return csvCell(value === null ? null : typeof value === "string" ? value : jsonbText(value));
    });
  }
  const merged = new RegExp(`(, )?"${MERGE_KEY}": "(${TOKEN.source})"(, )?`, "g");
  const withFields = text.replace(merged, (whole, lead: string | undefined, _t, field, id, sealed, trail: string | undefined) => {
    const fields = opener.value({ field, customerId: id, sealed });
    if (fields === undefined) return whole;
    const entries = Object.entries(fields as object).map(([k, v]) => `${JSON.stringify(k)}: ${jsonbText(v)}`);
    if (entries.length === 0) return lead && trail ? ", " : "";
    return `${lead ?? ""}${entries.join(", ")}${trail ?? ""}`;
  });
  return withFields.replace(new RegExp(`"(${TOKEN.source})"`, "g"), (whole, _t, field, id, sealed) => {
    const value = opener.value({ field, customerId: id, sealed });
    return value === undefined ? whole : JSON.stringify(value);
  });
}

/** A parsed record (a connector input) with its tokens opened in place of the strings that hold them. */
export async function openRecordTokens<T>(db: Db, tenantId: string, record: T): Promise<T> {
  const text = JSON.stringify(record);
  if (!text.includes(MARK)) return record;
  const opener = await openerFor(db, db, tenantId, text);
  const walk = (value: unknown): unknown => {
    if (typeof value === "string") {
      const m = value.match(new RegExp(`^${TOKEN.source}$`));
      const opened = m ? opener.value(tokenOf(m)) : undefined;
      return opened === undefined ? value : opened;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== "object") return value;
    const { [MERGE_KEY]: sealed, ...rest } = value as Record<string, unknown>;
    const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, walk(v)]));
    const opened = sealed === undefined ? undefined : walk(sealed);
    return opened && typeof opened === "object" ? { ...out, ...opened } : sealed === undefined ? out : { ...out, [MERGE_KEY]: sealed };
  };
  return walk(record) as T;
}
