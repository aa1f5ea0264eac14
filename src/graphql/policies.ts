// Who may read each object type: the type-level `authScopes` of every object the API returns.
// Because the check belongs to the type, every path to an object — its root field, node(id),
// nodes(ids), a nested relation, a subscription — is held to the same rule
// (test/cross-scope.test.ts tries them all, for every scope set).

/** Customers and everything that belongs to one: admins who may read customers, or the customer themself. */
export const CUSTOMER_DATA = { adminScope: "CUSTOMERS_READ", customer: true } as const;

/** The audit trail: admins holding AUDIT_READ. */
export const AUDIT_DATA = { adminScope: "AUDIT_READ" } as const;

/** Admin credentials: admins holding TENANT_ADMIN (a credential may always read itself: see admin-auth). */
export const CREDENTIAL_DATA = { adminScope: "TENANT_ADMIN" } as const;

/**
 * Custom-field definitions (the tenant's customer data schema): admins who read customers, and
 * tenant admins, who define the fields and must read what their mutations answer.
 */
export const CUSTOM_FIELD_DATA = { adminScope: "CUSTOMERS_READ", $any: { adminScope: "TENANT_ADMIN" } } as const;

/** Export schedules and their files: admins who read customers (and download), and tenant admins, who manage them. */
export const EXPORT_SCHEDULE_DATA = { adminScope: "CUSTOMERS_READ", $any: { adminScope: "TENANT_ADMIN" } } as const;

/**
 * Groups, organizations, roles and role assignments: admins who read customers (memberships and
 * roles are customer data), and tenant admins, who define them and must read what their mutations answer.
 */
export const ACCESS_DATA = { adminScope: "CUSTOMERS_READ", $any: { adminScope: "TENANT_ADMIN" } } as const;
/** Identity verification policies and security questions: admins who read customers, and tenant admins, who define them. */
export const VERIFICATION_SETUP_DATA = { adminScope: "CUSTOMERS_READ", $any: { adminScope: "TENANT_ADMIN" } } as const;

/** Security questions: admins who read customers, tenant admins (who define them), and signed-in customers (who answer them). */
export const SECURITY_QUESTION_DATA = { adminScope: "CUSTOMERS_READ", $any: { adminScope: "TENANT_ADMIN", customer: true } } as const;

/** Cloud connectors, their deliveries and inflow requests: admins holding CONNECTORS_READ (or CONNECTORS_MANAGE). */
export const CONNECTOR_DATA = { adminScope: "CONNECTORS_READ" } as const;

/**
 * An answer of a public customer-facing mutation to whoever sent it (signIn's MfaRequired: the
 * caller has just proved the password; the challenge is theirs whatever credential they hold).
 */
export const CALLER_OF_PUBLIC_MUTATION = () => true;
/** Bulk-action jobs and outcomes (which customers an action reached): admins holding CUSTOMERS_WRITE. */
export const BULK_JOB_DATA = { adminScope: "CUSTOMERS_WRITE" } as const;
/** Applications (clients) and their branding and templates: admins who read customers (to pick one to notify through), and tenant admins, who manage them. */
export const APPLICATION_DATA = { adminScope: "CUSTOMERS_READ", $any: { adminScope: "TENANT_ADMIN" } } as const;

/** Customer notifications and their attempts (the delivery log): admins who read customers. */
export const NOTIFICATION_DATA = { adminScope: "CUSTOMERS_READ" } as const;

/** Tenant metadata: any admin of the tenant. */
export const ADMIN_DATA = { admin: true } as const;

// Field-level rules of mutations and queries (the type's rule above still applies to what they return).

/** Admin credentials holding CUSTOMERS_READ (or CUSTOMERS_WRITE, which implies it). */
export const CUSTOMERS_READ = { adminScope: "CUSTOMERS_READ" } as const;

/** Admin credentials holding CUSTOMERS_WRITE. */
export const CUSTOMERS_WRITE = { adminScope: "CUSTOMERS_WRITE" } as const;

/** Admin credentials holding CONNECTORS_MANAGE: create, change, test and replay connectors. */
export const CONNECTORS_MANAGE = { adminScope: "CONNECTORS_MANAGE" } as const;
/** Admin credentials holding CONNECTORS_READ (or CONNECTORS_MANAGE). */
export const CONNECTORS_READ = { adminScope: "CONNECTORS_READ" } as const;

/** Admin credentials holding CUSTOMERS_IMPERSONATE: mint short-lived access tokens acting as a customer. Implies nothing else. */
export const CUSTOMERS_IMPERSONATE = { adminScope: "CUSTOMERS_IMPERSONATE" } as const;

/** Admin credentials holding TENANT_ADMIN: the tenant's settings and schema. */
export const TENANT_ADMIN = { adminScope: "TENANT_ADMIN" } as const;

/** Any admin credential of the tenant, whatever its scopes: fields only staff may see. */
export const ADMIN_ONLY = { admin: true } as const;

/** A signed-in customer (Authorization: Bearer <access token>), acting on themself only. */
export const SIGNED_IN = { customer: true } as const;

/** Team members (the console's users, as audit events name them): audit readers and tenant admins. */
export const TEAM_DATA = { adminScope: "AUDIT_READ", $any: { adminScope: "TENANT_ADMIN" } } as const;
