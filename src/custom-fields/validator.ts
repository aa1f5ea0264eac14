import { LRUCache } from "lru-cache";
import { RE2 } from "re2-wasm";
import { z } from "zod";
import type { CustomFieldAccess, CustomFieldType } from "../generated/prisma/enums.ts";
import { parseInput } from "../validation.ts";

// The one validator of Customer.customFields, built from the tenant's definitions with zod. Every
// write path (admin create/update, updateMyProfile, and later import and inflow) runs it, so a
// value is typed and normalized the same way wherever it comes from. Normalized forms keep jsonb
// order meaningful for the index: DECIMAL is a JSON number, DATETIME an ISO UTC string
// (toISOString), DATE YYYY-MM-DD — within one key, jsonb/text order is then numeric/chronological.

/** Validation rules of a definition (the `rules` column), each optional. */
export interface FieldRules {
  minLength?: number;
  maxLength?: number;
  /** RE2 syntax (no backreferences or lookaround), matched in linear time. */
  pattern?: string;
  /** INTEGER, DECIMAL: a number; DATE, DATETIME: a date string in the field's normalized form. */
  minimum?: number | string;
  maximum?: number | string;
  maxItems?: number;
}

/** What validation reads of a definition (a stored CustomFieldDefinition is one). */
export interface FieldShape {
  key: string;
  type: CustomFieldType;
  required: boolean;
  defaultValue: unknown;
  enumValues: string[];
  rules: unknown;
  access: CustomFieldAccess;
  searchable: boolean;
  /** Sealed at rest with a MASTER_KEY (src/pii/profile.ts); exact match only. */
  pii: boolean;
}

/** What a write needs to validate customFields: the active definitions and the tenant's setting. */
export interface FieldSchema {
  definitions: Map<string, FieldShape>;
  allowUndefined: boolean;
  /**
   * Names this exact set of definitions (e.g. their ids and update times), so the zod schema
   * built from them can be reused; without it, it is built for the call.
   */
  version?: string;
}

export const MAX_PATTERN_LENGTH = 300;

/**
 * A btree index entry must stay under ~2.7 kB, or the write that adds it fails in SQL: strings of
 * searchable fields are capped at 500 characters (2 kB even in 4-byte UTF-8).
 */
export const MAX_SEARCHABLE_LENGTH = 500;

// Admins write the patterns, customers the values: a backtracking engine would let a pattern like
// (a+)+$ stall the event loop on a crafted value (ReDoS). RE2 (here compiled to WASM, no native
// build) matches in time linear in the input whatever the pattern, and refuses the constructs that
// need backtracking. Compiled once per pattern; the cache bounds the memory.
const compiled = new LRUCache<string, RE2>({ max: 1_000 });

/** The RE2 matcher of a pattern; throws a SyntaxError naming the problem when RE2 refuses it. */
export function compilePattern(pattern: string): RE2 {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = new RE2(pattern, "u")));
  return re;
}

const decimalString = z
  .string()
  .trim()
  .regex(/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/, "not a decimal number")
  .transform(Number);
const finite = z.number().refine(Number.isFinite, "not a finite number");

/** The value of a type, without rules: also what a rule's minimum/maximum and a default must be. */
export function typeSchema(type: CustomFieldType, enumValues: string[] = []): z.ZodType {
  switch (type) {
    case "STRING":
      return z.string({ message: "not a string" });
    case "INTEGER":
      // zod's int() takes safe integers only (±2^53 - 1): beyond, JSON numbers lose digits.
      return z.number({ message: "not an integer" }).int("not an integer");
    case "DECIMAL":
      return z.union([z.number(), decimalString], { message: "not a decimal number" }).pipe(finite);
    case "BOOLEAN":
      return z.boolean({ message: "not true or false" });
    case "DATE":
      return z.iso.date({ message: "not a date (YYYY-MM-DD)" });
    case "DATETIME":
      return z.iso
        .datetime({ offset: true, message: "not an ISO 8601 date-time with a time zone" })
        .transform((s) => new Date(s).toISOString());
    case "ENUM":
      return z.string().refine((v) => enumValues.includes(v), { message: `not one of ${enumValues.join(", ")}` });
    case "STRING_LIST":
      return z.array(z.string({ message: "not a string" }), { message: "not a list of strings" });
  }
}

function stringRules(s: z.ZodString, rules: FieldRules): z.ZodType {
  let out: z.ZodType = s;
  if (rules.minLength !== undefined) out = s.min(rules.minLength, `shorter than ${rules.minLength} characters`);
  if (rules.maxLength !== undefined) out = (out as z.ZodString).max(rules.maxLength, `longer than ${rules.maxLength} characters`);
  if (rules.pattern !== undefined) {
    const re = compilePattern(rules.pattern);
    out = out.refine((v) => re.test(v as string), "does not match the field's pattern");
  }
  return out;
}

/** A definition's full value schema: its type and its rules. */
export function valueSchema(def: FieldShape): z.ZodType {
  const rules = (def.rules ?? {}) as FieldRules;
  if (def.type === "STRING") {
    return stringRules(
      def.searchable ? z.string().max(MAX_SEARCHABLE_LENGTH, "longer than searchable fields hold (500)") : z.string(),
      rules,
    );
  }
  if (def.type === "STRING_LIST") {
    const list = z.array(stringRules(z.string(), rules));
    return rules.maxItems === undefined ? list : list.max(rules.maxItems, `more than ${rules.maxItems} items`);
  }
  const base = typeSchema(def.type, def.enumValues);
  if (rules.minimum === undefined && rules.maximum === undefined) return base;
  // Normalized numbers compare as numbers, normalized dates as strings (ISO order is chronological).
  return base
    .refine((v) => rules.minimum === undefined || (v as number | string) >= rules.minimum, `less than ${rules.minimum}`)
    .refine((v) => rules.maximum === undefined || (v as number | string) <= rules.maximum, `greater than ${rules.maximum}`);
}

const UNDEFINED_KEY = "not a defined custom field (this tenant refuses undefined keys: see setAllowUndefinedCustomFields)";

/** The zod object of a tenant's definitions for one mode; built once per version of them. */
function objectSchema(schema: FieldSchema, mode: "create" | "patch"): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const def of schema.definitions.values()) {
    const s = valueSchema(def);
    if (mode === "create") shape[def.key] = def.required ? s : s.optional();
    else if (!def.required) shape[def.key] = s.nullable().optional();
    else
      shape[def.key] = z
        .unknown()
        .refine((v) => v !== null, "required: it cannot be removed")
        .pipe(s)
        .optional();
  }
  const refuse = schema.definitions.size > 0 && !schema.allowUndefined;
  const other = refuse ? z.unknown().refine((v) => mode === "patch" && v === null, UNDEFINED_KEY) : z.json();
  return z.object(shape).catchall(other);
}

// Building a zod object costs far more than running it (zod compiles a parser per object: ~0.3 ms
// a definition), so the built schema is kept per version of the tenant's definitions.
const built = new LRUCache<string, z.ZodType>({ max: 1_000 });

/**
 * The customFields of a write checked against the definitions and normalized. `create`: defaults
 * fill absent keys, required ones must be there. `patch` (updates merge key by key): null deletes
 * a key, except a required one. Keys without an active definition are refused when the tenant
 * has any definition, unless it allows undefined keys (deleting one with null is always fine).
 * Throws a ValidationError naming `customFields.<key>`. Cost: CPU only (no statement); the
 * tenant's schema is built at its first write after a definition change, then reused.
 */
export function validateCustomFields(
  schema: FieldSchema,
  value: Record<string, unknown>,
  mode: "create" | "patch",
  prefix = "customFields",
): Record<string, unknown> {
  const input = { ...value };
  if (mode === "create") {
    for (const def of schema.definitions.values()) {
      if (input[def.key] === undefined && def.defaultValue !== null) input[def.key] = def.defaultValue;
    }
  }
  const key = schema.version === undefined ? undefined : `${mode}:${schema.allowUndefined}:${schema.version}`;
  let object = key === undefined ? undefined : built.get(key);
  if (!object) {
    object = objectSchema(schema, mode);
    if (key !== undefined) built.set(key, object);
  }
  const out = parseInput(object, input, prefix) as Record<string, unknown>;
  // zod lists optional keys that were absent as undefined; they are not values.
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
