// The one place that knows every domain: importing a domain's GraphQL files registers its types,
// queries and mutations on the builder.
import { builder } from "./builder.ts";
import "./errors.ts";
import "../customers/types.ts";
import "../customers/queries.ts";
import "../customers/mutations.ts";

export const schema = builder.toSchema({ sortSchema: true });
