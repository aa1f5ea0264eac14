import { ValidationError } from "../errors.ts";
import { builder } from "./builder.ts";

// Small input and enum types shared by several domains.

export const SortDirection = builder.enumType("SortDirection", { values: ["ASC", "DESC"] as const });

export const TimeRange = builder.inputType("TimeRange", {
  fields: (t) => ({
    from: t.field({ type: "DateTime", description: "Inclusive." }),
    to: t.field({ type: "DateTime", description: "Exclusive." }),
  }),
});

/** Keyset-paginated lists page forward only; say so instead of ignoring `last`/`before`. */
export function assertForwardOnly(args: { last?: number | null; before?: string | null }) {
  if (args.last != null || args.before != null) {
    throw new ValidationError([{ field: args.last != null ? "last" : "before", message: "this list pages forward only: use first/after" }]);
  }
}

/** The `customerId: ID!` argument of every admin field that acts on one customer (a Customer global ID). */
export const customerIdArg = builder.args((t) => ({ customerId: t.id({ required: true }) }));

/**
 * What every mutation declares: who may call it (`authScopes`), what it returns, and the payload
 * field that holds the result (the errors plugin wraps it in `<Name>Success` beside the typed errors).
 */
export const mutationResult = <Ref, Scopes>(type: Ref, dataField: string, authScopes: Scopes) =>
  ({ type, authScopes, errors: { dataField: { name: dataField } } }) as const;

/** Runs a delete and answers the global ID it was given (what delete mutations return). */
export async function answeringId(id: string, remove: () => Promise<unknown>): Promise<string> {
  await remove();
  return id;
}
