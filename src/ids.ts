// Row ids are uuids. Anything else a client sends as an id is simply "not found", never an SQL error.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid no row has: lookups that must find nothing use it instead of a malformed id. */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** Whether `id` can be a row id at all; anything else is simply "not found". */
export const isUuid = (id: string) => UUID.test(id);
