import { AdminScope } from "../generated/prisma/enums.ts";

// What each admin scope allows, in one place. The GraphQL layer (type-level authScopes in
// src/graphql/policies.ts) and the services (which scopes a credential may hand out) both ask here.

/**
 * Scopes that come with another: a credential that may change customers may also read them
 * (every customer mutation answers with the customer it changed). Nothing else implies anything:
 * TENANT_ADMIN manages credentials but reads no customer and no audit event without their scopes.
 */
const IMPLIED: Partial<Record<AdminScope, AdminScope[]>> = {
  CUSTOMERS_WRITE: ["CUSTOMERS_READ"],
  CONNECTORS_MANAGE: ["CONNECTORS_READ"],
};

/** Whether a credential holding `held` has `wanted`, directly or by implication. Pure. */
export function holdsScope(held: readonly AdminScope[] | undefined, wanted: AdminScope): boolean {
  return held?.some((s) => s === wanted || IMPLIED[s]?.includes(wanted)) ?? false;
}

/** The scopes of `wanted` that `held` does not cover (a credential may only hand out what it holds). */
export function scopesBeyond(held: readonly AdminScope[], wanted: readonly AdminScope[]): AdminScope[] {
  return wanted.filter((s) => !holdsScope(held, s));
}

export const ALL_SCOPES = Object.values(AdminScope);

/** Read-only scopes: what a credential gets when nobody says otherwise. */
export const READ_ONLY_SCOPES: AdminScope[] = ["CUSTOMERS_READ", "AUDIT_READ"];
