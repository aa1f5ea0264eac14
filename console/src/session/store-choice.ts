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

/**
 * Whether a member holding `scopes` in a store may use an action that needs `wanted`
 * (AdminScope names; CUSTOMERS_WRITE comes with CUSTOMERS_READ, as src/security/scopes.ts says).
 */
export function allows(store: ConsoleStore, wanted: AdminScope): boolean {
  return store.scopes.includes(wanted) || (wanted === "CUSTOMERS_READ" && store.scopes.includes("CUSTOMERS_WRITE"));
}
