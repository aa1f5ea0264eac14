// The building blocks of the query builder: an operator turns the value typed in a row into the
// criterion under one field of the filter language (`{ contains: "ada" }`, `["ACTIVE"]`, …) and,
// read backwards, finds that value again in a saved filter (a segment loaded into the builder).

export interface Choice {
  value: string;
  label: string;
}

/** What a row's value input is: free text, a number, a date, one of a list, or nothing at all. */
export type ValueKind = { kind: "text" } | { kind: "number" } | { kind: "date" } | { kind: "choice"; options: Choice[] };

export interface Operator {
  id: string;
  label: string;
  /** null: the operator takes no value ("has a value"). */
  takes: ValueKind | null;
  /** Wraps the whole field criterion in `not`. */
  negated?: boolean;
  build(value: string): unknown;
  /** The value this operator would have built `criterion` from, or undefined when it did not. */
  read(criterion: unknown): string | undefined;
}

export const TEXT: ValueKind = { kind: "text" };
export const NUMBER: ValueKind = { kind: "number" };
export const DATE: ValueKind = { kind: "date" };
export const choice = (options: Choice[]): ValueKind => ({ kind: "choice", options });
export const YES_NO = choice([
  { value: "true", label: "yes" },
  { value: "false", label: "no" },
]);

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `value` is an object with exactly these keys. */
export const hasOnly = (value: unknown, ...keys: string[]): value is Record<string, unknown> =>
  isRecord(value) && Object.keys(value).length === keys.length && keys.every((key) => key in value);

const same = (value: string): unknown => value;
const asText = (value: unknown) =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;

/** `{ [key]: value }`, the value converted on the way in (`to`) and back (`from`). */
export function keyed(
  id: string,
  label: string,
  key: string,
  takes: ValueKind,
  to: (value: string) => unknown = same,
  from: (value: unknown) => string | undefined = asText,
): Operator {
  return {
    id,
    label,
    takes,
    build: (value) => ({ [key]: to(value) }),
    read: (criterion) => (hasOnly(criterion, key) ? from(criterion[key]) : undefined),
  };
}

/** `{ [key]: constant }`: an operator without a value (exists: true, …). */
export function fixed(id: string, label: string, key: string, constant: unknown): Operator {
  return {
    id,
    label,
    takes: null,
    build: () => ({ [key]: constant }),
    read: (criterion) => (hasOnly(criterion, key) && criterion[key] === constant ? "" : undefined),
  };
}

/** The same operator under `not`. */
export const negated = (operator: Operator, id: string, label: string): Operator => ({ ...operator, id, label, negated: true });

/** A date input's day as the start of that day in UTC, and back. */
export const dayToInstant = (day: string) => (/^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T00:00:00.000Z` : day);
export const instantToDay = (value: unknown) => (typeof value === "string" ? value.slice(0, 10) : undefined);

/** A list of one: `[value]` (status, group ids), and back. */
export const one = (value: string) => [value];
export const onlyItem = (value: unknown) => (Array.isArray(value) && value.length === 1 ? asText(value[0]) : undefined);

/** Text operators of StringFilter and ContactFilter, `first` listed first (the pinned input's). */
export function textOperators(first: "equals" | "contains", withContains = true): Operator[] {
  const equals = keyed("equals", "exact", "equals", TEXT);
  const contains = keyed("contains", "contains", "contains", TEXT);
  const matching = withContains ? [contains, keyed("startsWith", "starts with", "startsWith", TEXT)] : [];
  const ordered = first === "equals" ? [equals, ...matching] : [...matching, equals];
  return [
    ...ordered,
    negated(equals, "not-equals", "not exact"),
    ...(withContains ? [negated(contains, "not-contains", "does not contain")] : []),
    fixed("exists", "has a value", "exists", true),
    fixed("missing", "has no value", "exists", false),
  ];
}

/** gt/gte/lt/lte with a date input, sent as instants. */
export const dateOperators = (to: (day: string) => unknown = dayToInstant, from: (v: unknown) => string | undefined = instantToDay) => [
  keyed("gt", "after", "gt", DATE, to, from),
  keyed("gte", "on or after", "gte", DATE, to, from),
  keyed("lt", "before", "lt", DATE, to, from),
  keyed("lte", "on or before", "lte", DATE, to, from),
];
