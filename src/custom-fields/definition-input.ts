import { z } from "zod";
import { ValidationError, type ValidationIssue } from "../errors.ts";
import { CustomFieldAccess, CustomFieldType } from "../generated/prisma/enums.ts";
import { parseInput } from "../validation.ts";
import { FIELD_KEY } from "./definitions.ts";
import { compilePattern, MAX_PATTERN_LENGTH, typeSchema, valueSchema, type FieldRules, type FieldShape } from "./validator.ts";

// What an admin may say about a field, checked as a whole: rules that fit the type, consistent
// bounds, a pattern RE2 accepts, a default that passes the field's own validator.

const RULE_NAMES = ["minLength", "maxLength", "pattern", "minimum", "maximum", "maxItems"] as const;
type RuleName = (typeof RULE_NAMES)[number];

const RULES_OF: Record<CustomFieldType, RuleName[]> = {
  STRING: ["minLength", "maxLength", "pattern"],
  STRING_LIST: ["minLength", "maxLength", "pattern", "maxItems"],
  INTEGER: ["minimum", "maximum"],
  DECIMAL: ["minimum", "maximum"],
  DATE: ["minimum", "maximum"],
  DATETIME: ["minimum", "maximum"],
  BOOLEAN: [],
  ENUM: [],
};

const count = z.number().int().min(0).max(16_384);
const bound = z.union([z.number(), z.string().max(64)]);

/** The fields of define and update (update: all optional, null clears a rule or the default). */
export const definitionFields = {
  type: z.enum(CustomFieldType),
  description: z.string().trim().max(500).nullish(),
  required: z.boolean(),
  defaultValue: z.json().nullish(),
  enumValues: z.array(z.string().trim().min(1).max(100)).max(200),
  searchable: z.boolean(),
  pii: z.boolean(),
  access: z.enum(CustomFieldAccess),
  minLength: count.nullish(),
  maxLength: count.nullish(),
  pattern: z.string().min(1).max(MAX_PATTERN_LENGTH).nullish(),
  minimum: bound.nullish(),
  maximum: bound.nullish(),
  maxItems: z.number().int().min(1).max(1_000).nullish(),
};

export const defineInput = z.object({
  key: z.string().regex(FIELD_KEY, "an identifier: a letter or _, then letters, digits or _, at most 64"),
  ...definitionFields,
  required: definitionFields.required.default(false),
  enumValues: definitionFields.enumValues.default([]),
  searchable: definitionFields.searchable.default(false),
  pii: definitionFields.pii.default(false),
  access: definitionFields.access.default("ADMIN_ONLY"),
});

export const updateInput = z.object(definitionFields).partial();

export type DefinitionInput = z.input<typeof defineInput>;
export type DefinitionUpdate = z.input<typeof updateInput>;

/** A definition as stored: the columns of CustomFieldDefinition an admin sets. */
export interface DefinitionData extends FieldShape {
  description: string | null;
  searchable: boolean;
  pii: boolean;
  rules: FieldRules;
}

type Flat = Omit<DefinitionData, "rules" | "description" | "defaultValue"> & {
  description?: string | null;
  defaultValue?: unknown;
} & Partial<Record<RuleName, unknown>>;

/** Splits stored rules back into the flat input form, so an update can overlay its fields. */
export const flatten = (d: DefinitionData): Flat => ({ ...d, ...(d.rules as Record<string, unknown>) });

/**
 * Checks a whole definition (the input of define, or the stored one overlaid with an update) and
 * returns it normalized: rules as stored, bounds and default in the field's normalized form.
 */
export function checkDefinition(flat: Flat): DefinitionData {
  const issues: ValidationIssue[] = [];
  const rules: FieldRules = {};
  for (const name of RULE_NAMES) {
    if (flat[name] === undefined || flat[name] === null) continue;
    if (!RULES_OF[flat.type].includes(name)) issues.push({ field: name, message: `not a rule of ${flat.type} fields` });
    else (rules as Record<string, unknown>)[name] = flat[name];
  }
  if (flat.type === "ENUM" && flat.enumValues.length === 0) issues.push({ field: "enumValues", message: "an ENUM field needs values" });
  if (flat.type !== "ENUM" && flat.enumValues.length > 0) issues.push({ field: "enumValues", message: "only ENUM fields have values" });
  if (new Set(flat.enumValues).size !== flat.enumValues.length) issues.push({ field: "enumValues", message: "values repeat" });
  for (const name of ["minimum", "maximum"] as const) {
    if (rules[name] === undefined) continue;
    const parsed = typeSchema(flat.type).safeParse(rules[name]);
    if (parsed.success) rules[name] = parsed.data as number | string;
    else issues.push({ field: name, message: `not a ${flat.type} value` });
  }
  if (rules.minimum !== undefined && rules.maximum !== undefined && rules.minimum > rules.maximum) {
    issues.push({ field: "minimum", message: "greater than maximum" });
  }
  if (rules.minLength !== undefined && rules.maxLength !== undefined && rules.minLength > rules.maxLength) {
    issues.push({ field: "minLength", message: "greater than maxLength" });
  }
  if (flat.pii && flat.searchable) {
    issues.push({ field: "searchable", message: "a PII field is encrypted at rest: no index in clear (exact match uses its blind index)" });
  }
  if (rules.pattern !== undefined) {
    try {
      compilePattern(rules.pattern);
    } catch (error) {
      issues.push({ field: "pattern", message: `not an RE2 pattern: ${(error as Error).message}` });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const { minLength: _a, maxLength: _b, pattern: _c, minimum: _d, maximum: _e, maxItems: _f, ...columns } = flat;
  const def: DefinitionData = { ...columns, description: flat.description ?? null, defaultValue: flat.defaultValue ?? null, rules };
  if (def.defaultValue !== null) def.defaultValue = parseInput(valueSchema(def), def.defaultValue, "defaultValue");
  return def;
}
