// Row ids are uuids. Anything else a client sends as an id is simply "not found", never an SQL error.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid no row has: lookups that must find nothing use it instead of a malformed id. */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** Whether `id` can be a row id at all; anything else is simply "not found". */
export const isUuid = (id: string) => UUID.test(id);

/**
 * The row id inside a Relay global ID (base64 of `Typename:id`) of `typename`, or null. For
 * services that keep GraphQL ids in stored input (a segment's filter) and must read them without
 * importing the GraphQL layer; src/graphql/ids.ts decodes them the same way for resolvers.
 */
export function rowIdOf(globalId: unknown, typename: string): string | null {
  if (typeof globalId !== "string") return null;
  const decoded = Buffer.from(globalId, "base64").toString("utf8");
  const id = decoded.startsWith(`${typename}:`) ? decoded.slice(typename.length + 1) : "";
  return isUuid(id) ? id : null;
}
