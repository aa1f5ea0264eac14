import { decodeGlobalID } from "@pothos/plugin-relay";
import { NotFoundError, type NotFoundCode } from "../errors.ts";

/** The row id inside a global ID of `typename`, or null for anything else. */
export function localIdOrNull(globalId: string, typename: string): string | null {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === typename ? decoded.id : null;
  } catch {
    return null;
  }
}

/** The row id inside a global ID of `typename`; a malformed or foreign ID is simply "not found". */
export function localId(globalId: string, typename: string, notFound: NotFoundCode): string {
  const id = localIdOrNull(globalId, typename);
  if (id === null) throw new NotFoundError(notFound);
  return id;
}

/** The row id inside a Customer global ID; anything else is CUSTOMER_NOT_FOUND. */
export const customerLocalId = (globalId: string) => localId(globalId, "Customer", "CUSTOMER_NOT_FOUND");
