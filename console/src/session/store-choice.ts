import type { AdminScope } from "../generated/graphql.ts";
import type { ConsoleSession, ConsoleStore } from "./api.ts";

// The chosen identity store lasts for the browser tab (sessionStorage): a reload keeps it, a new
// tab starts from the first store.
const KEY = "console.store";

export function rememberedStore(session: ConsoleSession): ConsoleStore | undefined {
  const remembered = sessionStorage.getItem(KEY);
  return session.stores.find((store) => store.keyId === remembered) ?? session.stores[0];
}

export function rememberStore(store: ConsoleStore): void {
  sessionStorage.setItem(KEY, store.keyId);
}

// Scopes that come with another, as src/security/scopes.ts (IMPLIED) says.
const IMPLIED: Partial<Record<AdminScope, AdminScope>> = { CUSTOMERS_WRITE: "CUSTOMERS_READ", CONNECTORS_MANAGE: "CONNECTORS_READ" };

/** Whether a member holding `scopes` in a store may use an action that needs `wanted` (AdminScope names), directly or by implication. */
export function allows(store: ConsoleStore, wanted: AdminScope): boolean {
  return store.scopes.some((held) => held === wanted || IMPLIED[held as AdminScope] === wanted);
}
