import type { ConsoleAccountAttributesQuery, CustomFieldAccess } from "../../../generated/graphql.ts";

export type Definition = ConsoleAccountAttributesQuery["customFieldDefinitions"][number];

/**
 * What an input holds for a custom field: a checkbox's state for BOOLEAN, text for the rest
 * (STRING_LIST: one item per line; DATETIME: the datetime-local form, in the browser's time zone).
 */
export type Draft = string | boolean;

const pad = (n: number) => String(n).padStart(2, "0");

/** An ISO instant as datetime-local text (local time, to the minute). */
function localDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The input's starting state for a stored value (absent: empty). */
export function draftOf(definition: Definition, value: unknown): Draft {
  if (definition.type === "BOOLEAN") return value === true;
  if (value === undefined || value === null) return "";
  if (definition.type === "STRING_LIST") return Array.isArray(value) ? value.map(String).join("\n") : "";
  if (definition.type === "DATETIME") return localDateTime(String(value));
  return String(value);
}

/** The value updateCustomer is sent for a changed input; null deletes the key (an emptied input). */
export function valueOf(definition: Definition, draft: Draft): unknown {
  if (typeof draft === "boolean") return draft;
  const text = draft.trim();
  if (definition.type === "STRING_LIST") {
    const items = draft
      .split("\n")
      .map((item) => item.trim())
      .filter(Boolean);
    return items.length ? items : null;
  }
  if (text === "") return null;
  if (definition.type === "INTEGER" || definition.type === "DECIMAL") return Number(text);
  if (definition.type === "DATETIME") return new Date(text).toISOString();
  return text;
}

/** Whether the browser can use an RE2 pattern as an HTML pattern (most are; the gateway checks the rest). */
function htmlPattern(pattern: string | null | undefined): string | undefined {
  if (!pattern) return undefined;
  try {
    new RegExp(pattern, "v");
    return pattern;
  } catch {
    return undefined;
  }
}

const bound = (definition: Definition, value: unknown) => {
  if (value === null || value === undefined) return undefined;
  return definition.type === "DATETIME" ? localDateTime(String(value)) : String(value);
};

/** The definition's rules as HTML constraint attributes of its input. */
export function constraintsOf(definition: Definition) {
  return {
    required: definition.required && definition.type !== "BOOLEAN",
    minLength: definition.minLength ?? undefined,
    maxLength: definition.maxLength ?? undefined,
    pattern: definition.type === "STRING" ? htmlPattern(definition.pattern) : undefined,
    min: bound(definition, definition.minimum),
    max: bound(definition, definition.maximum),
  };
}

/** The input type matching a field type (ENUM, BOOLEAN and STRING_LIST have their own controls). */
export const INPUT_TYPES: Partial<Record<Definition["type"], string>> = {
  STRING: "text",
  INTEGER: "number",
  DECIMAL: "number",
  DATE: "date",
  DATETIME: "datetime-local",
};

/** Who else sees the field, in words (CustomFieldAccess): admins see and change every field. */
export const ACCESS_LABELS: Record<CustomFieldAccess, string> = {
  ADMIN_ONLY: "Admins only",
  CUSTOMER_READ: "Customer can read",
  CUSTOMER_EDIT: "Customer can edit",
};
