import type { BulkSelectionInput, CustomerFilter } from "../../generated/graphql.ts";

/** Which accounts the quick actions run on: rows ticked one by one, or every account the search matches. */
export type Selection = { kind: "ids"; ids: string[] } | { kind: "matching"; count: number };

export const NOTHING: Selection = { kind: "ids", ids: [] };

export const sizeOf = (selection: Selection) => (selection.kind === "ids" ? selection.ids.length : selection.count);

/** The API's selection: the ids, or the search's filter (no filter: every account of the store). */
export const selectionInput = (selection: Selection, filter: CustomerFilter | undefined): BulkSelectionInput =>
  selection.kind === "ids" ? { ids: selection.ids } : { filter: filter ?? {} };

/** Ticks or unticks ids (one row, or a whole page). */
export function toggled(selection: Selection, ids: string[], on: boolean): Selection {
  const current = selection.kind === "ids" ? selection.ids : [];
  const rest = current.filter((id) => !ids.includes(id));
  return { kind: "ids", ids: on ? [...rest, ...ids] : rest };
}

export const accounts = (n: number) => `${n} ${n === 1 ? "account" : "accounts"}`;
