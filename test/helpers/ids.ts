import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";

/** The database id inside a global ID. */
export const rowId = (globalId: string) => decodeGlobalID(globalId).id;

/** The global ID of a row of `typename`. */
export const globalId = (typename: string, id: string) => encodeGlobalID(typename, id);
