import type { ConsoleStore } from "../../session/api.ts";

// The fields a member pinned above the account list, per store (each store has its own custom
// fields), in this browser (localStorage). A member who pinned nothing gets email and status.

const DEFAULT_PINS = ["email", "status"];

const keyOf = (store: ConsoleStore) => `console.pins.${store.tenantId}`;

export function storedPins(store: ConsoleStore): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(keyOf(store)) ?? "null");
    return Array.isArray(stored) && stored.every((id) => typeof id === "string") ? stored : DEFAULT_PINS;
  } catch {
    // Unreadable (edited by hand): start again from the defaults.
    return DEFAULT_PINS;
  }
}

export function storePins(store: ConsoleStore, pins: string[]): void {
  localStorage.setItem(keyOf(store), JSON.stringify(pins));
}
