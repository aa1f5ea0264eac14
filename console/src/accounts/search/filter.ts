import type { CustomerFilter } from "../../generated/graphql.ts";
import type { SearchField } from "./fields.ts";
import { hasOnly, isRecord } from "./operators.ts";

// The builder's state and the filter language: a list of conditions combined with "all of" (and)
// or "any of" (or), plus the pinned fields' inputs (always all of them), become one CustomerFilter;
// a saved filter of that shape becomes conditions again.

export type Combine = "all" | "any";

export interface Condition {
  /** Tells rows apart while they are edited. */
  key: number;
  field: string;
  op: string;
  value: string;
}

export interface SearchQuery {
  combine: Combine;
  conditions: Condition[];
  /** Pinned field id → its input (blank: not searched). */
  pinned: Record<string, string>;
}

export const EMPTY_QUERY: SearchQuery = { combine: "all", conditions: [], pinned: {} };

let nextKey = 1;
export const newCondition = (field: SearchField): Condition => ({ key: nextKey++, field: field.id, op: field.operators[0]!.id, value: "" });

/** A row's criterion, or null while it is incomplete (no such field, or a value still to type). */
function criterionOf(fields: SearchField[], fieldId: string, opId: string, value: string): CustomerFilter | null {
  const field = fields.find((f) => f.id === fieldId);
  const op = field?.operators.find((o) => o.id === opId);
  if (!field || !op || (op.takes && value.trim() === "")) return null;
  const filter = field.wrap(op.build(op.takes?.kind === "text" ? value.trim() : value));
  return op.negated ? { not: filter } : filter;
}

/** The query as the `customers` filter; undefined when it holds no complete condition. */
export function filterOf(query: SearchQuery, fields: SearchField[]): CustomerFilter | undefined {
  const rows = query.conditions.map((c) => criterionOf(fields, c.field, c.op, c.value)).filter((c) => c !== null);
  const pins = Object.entries(query.pinned)
    .map(([id, value]) => criterionOf(fields, id, fields.find((f) => f.id === id)?.operators[0]?.id ?? "", value))
    .filter((c) => c !== null);
  const built = query.combine === "any" && rows.length > 1 ? [{ or: rows }] : rows;
  const all = [...built, ...pins];
  if (all.length === 0) return undefined;
  return all.length === 1 ? all[0] : { and: all };
}

/** One criterion of a saved filter as a row, or null when no field and operator build it. */
function conditionOf(criterion: unknown, fields: SearchField[]): Condition | null {
  if (!isRecord(criterion)) return null;
  const negated = hasOnly(criterion, "not");
  const inner = negated ? criterion.not : criterion;
  if (!isRecord(inner)) return null;
  for (const field of fields) {
    const found = field.unwrap(inner);
    if (found === undefined) continue;
    for (const op of field.operators.filter((o) => Boolean(o.negated) === negated)) {
      const value = op.read(found);
      if (value !== undefined) return { key: nextKey++, field: field.id, op: op.id, value };
    }
  }
  return null;
}

/** Criteria that all hold: a filter of several keys (or several custom-field conditions) is several. */
function split(filter: Record<string, unknown>): unknown[] {
  const parts = Object.entries(filter).flatMap(([key, value]) =>
    key === "customFields" && Array.isArray(value) ? value.map((condition) => ({ customFields: [condition] })) : [{ [key]: value }],
  );
  return parts.flatMap((part) =>
    hasOnly(part, "and") && Array.isArray(part.and) ? part.and.flatMap((p) => (isRecord(p) ? split(p) : [p])) : [part],
  );
}

/**
 * A saved filter (a segment's) as builder rows: all of its criteria, or any of an `or` list.
 * Null when it has a shape the builder cannot show (nested and/or, a criterion of several operators, …).
 */
export function queryOf(filter: Record<string, unknown>, fields: SearchField[]): SearchQuery | null {
  const any = hasOnly(filter, "or") && Array.isArray(filter.or);
  const criteria = any ? (filter.or as unknown[]) : split(filter);
  const conditions = criteria.map((criterion) => conditionOf(criterion, fields));
  if (conditions.some((c) => c === null)) return null;
  return { combine: any ? "any" : "all", conditions: conditions as Condition[], pinned: {} };
}
