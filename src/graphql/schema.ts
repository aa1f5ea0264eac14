// The one place that knows every domain: importing a domain's schema files registers its types,
// queries and mutations on the builder. Domains in the order they build on each other.
import { builder } from "./builder.ts";
import "./errors.ts";
import "../sessions/schema.ts";
import "../custom-fields/schema.ts";
import "../customers/schema.ts";
import "../customers/search.schema.ts";
import "../customers/profile.schema.ts";
import "../customers/contacts.schema.ts";
import "../customers/status.schema.ts";
import "../customers/credentials.schema.ts";
import "../identities/schema.ts";
import "../consents/schema.ts";
import "../identity-verification/schema.ts";
import "../identity-verification/labels.schema.ts";
import "../security-questions/schema.ts";
import "../custom-objects/schema.ts";
import "../segments/schema.ts";
import "../exports/schema.ts";
import "../exports/schedules.schema.ts";
import "../imports/schema.ts";
import "../audit/schema.ts";
import "../connectors/schema.ts";
import "../connectors/deliveries.schema.ts";
import "../connectors/inflow.schema.ts";
import "../connectors/inflow-requests.schema.ts";
import "../account-information/schema.ts";
import "../admin-auth/schema.ts";
import "../account/sign-in.schema.ts";
import "../account/passwords.schema.ts";
import "../account/me.schema.ts";
import "../account/my-data.schema.ts";
import "../account/security-answers.schema.ts";
import "../impersonation/schema.ts";

export const schema = builder.toSchema({ sortSchema: true });
