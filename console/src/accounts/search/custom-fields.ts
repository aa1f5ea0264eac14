import type { CustomFieldType } from "../../generated/graphql.ts";
import type { SearchField } from "./fields.ts";
import {
  choice,
  dateOperators,
  fixed,
  hasOnly,
  isRecord,
  keyed,
  negated,
  NUMBER,
  TEXT,
  YES_NO,
  type Operator,
  type ValueKind,
} from "./operators.ts";

// Custom fields as builder fields: one condition of `customFields` ({ key, <operator>: value }),
// typed by the field's definition. Only searchable fields are offered: they are the indexed ones.

export interface SearchableDefinition {
  key: string;
  type: CustomFieldType;
  enumValues: readonly string[];
}

/** The typed JSON value of a row's text for a field of `type` (what the API checks it against). */
function typed(type: CustomFieldType): (value: string) => unknown {
  if (type === "INTEGER" || type === "DECIMAL") {
    // A number when it is one; else the text as typed, for the API to refuse with its own message.
    return (value) => (value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value);
  }
  if (type === "BOOLEAN") return (value) => value === "true";
  if (type === "DATETIME") return (value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value);
  return (value) => value;
}

function valueKind(definition: SearchableDefinition): ValueKind {
  switch (definition.type) {
    case "ENUM":
      return choice(definition.enumValues.map((value) => ({ value, label: value })));
    case "BOOLEAN":
      return YES_NO;
    case "INTEGER":
    case "DECIMAL":
      return NUMBER;
    case "DATE":
    case "DATETIME":
      return { kind: "date" };
    default:
      return TEXT;
  }
}

function operatorsOf(definition: SearchableDefinition): Operator[] {
  const to = typed(definition.type);
  const ordered = definition.type === "DATE" || definition.type === "DATETIME";
  // A date input shows the day of a DATETIME value.
  const from = (value: unknown) => (value === null || value === undefined ? undefined : String(value).slice(0, ordered ? 10 : undefined));
  const equals = keyed("equals", "is", "equals", valueKind(definition), to, from);
  const byType: Operator[] = [];
  if (definition.type === "STRING")
    byType.push(keyed("contains", "contains", "contains", TEXT), keyed("startsWith", "starts with", "startsWith", TEXT));
  if (definition.type === "STRING_LIST") byType.push(keyed("contains", "includes", "contains", TEXT));
  if (ordered) byType.push(...dateOperators(to, from));
  if (definition.type === "INTEGER" || definition.type === "DECIMAL") {
    byType.push(...(["gt", "gte", "lt", "lte"] as const).map((op, i) => keyed(op, [">", "≥", "<", "≤"][i]!, op, NUMBER, to, from)));
  }
  return [
    ...(definition.type === "STRING_LIST" ? [] : [equals]),
    ...byType,
    ...(definition.type === "STRING_LIST" ? [] : [negated(equals, "not-equals", "is not")]),
    fixed("exists", "has a value", "exists", true),
    fixed("missing", "has no value", "exists", false),
  ];
}

export function customFieldSearchFields(definitions: SearchableDefinition[]): SearchField[] {
  return definitions.map((definition) => ({
    id: `custom:${definition.key}`,
    label: `${definition.key} (custom field)`,
    operators: operatorsOf(definition),
    wrap: (criterion) => ({ customFields: [{ ...(criterion as object), key: definition.key }] }),
    unwrap: (filter) => {
      if (!hasOnly(filter, "customFields") || !Array.isArray(filter.customFields) || filter.customFields.length !== 1) return undefined;
      const [condition] = filter.customFields as unknown[];
      if (!isRecord(condition) || condition.key !== definition.key) return undefined;
      const { key: _key, ...criterion } = condition;
      return criterion;
    },
  }));
}
