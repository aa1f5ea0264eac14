// The one place that knows every domain: importing a domain's GraphQL files registers its types,
// queries and mutations on the builder.
import { builder } from "./builder.ts";
import "./errors.ts";
import "../customers/types.ts";
import "../customers/queries.ts";
import "../customers/mutations.ts";
import "../identities/types.ts";
import "../identities/mutations.ts";
import "../custom-objects/types.ts";
import "../custom-objects/queries.ts";
import "../custom-objects/mutations.ts";
import "../sessions/types.ts";
import "../sessions/mutations.ts";
import "../consents/types.ts";
import "../consents/mutations.ts";
import "../admin-auth/schema.ts";
import "../audit/schema.ts";
import "../audit/subscription.ts";
import "../customer-auth/schema.ts";
import "../customer-auth/me.ts";
import "../one-time-tokens/schema.ts";

export const schema = builder.toSchema({ sortSchema: true });
