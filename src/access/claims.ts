import type { Db } from "../db/database.ts";

// What a customer's access token says about their access: computed when a token is issued (sign-in,
// refresh, and any other issuer such as impersonation), never per request. So a change of roles or
// groups reaches applications at the customer's next refresh (at most ACCESS_TOKEN_TTL_SECONDS
// later); revoking the session or blocking the customer still ends access at once (principal.ts).

/** The access claims of a customer access token (JSON names as applications read them). */
export interface AccessTokenClaims {
  /** Names of the roles held tenant-wide, sorted. */
  roles: string[];
  /** Per organization id: names of the roles held for it, sorted. Membership is not needed. */
  org_roles: Record<string, string[]>;
  /** The permissions of the tenant-wide roles, deduplicated and sorted (organization roles' stay with org_roles). */
  permissions: string[];
  /** Names of the customer's groups, sorted: only when the tenant sets groupClaimsInTokens. */
  groups?: string[];
}

interface Row {
  group_claims: boolean;
  assignments: { role: string; organization: string | null; permissions: string[] }[] | null;
  groups: string[] | null;
}

/**
 * The access claims of one customer of `tenantId`. Cost: one statement (the tenant's setting,
 * the role pairs with their roles, and the group names only when the setting asks for them).
 */
export async function accessClaims(db: Db, tenantId: string, customerId: string): Promise<AccessTokenClaims> {
  const [row] = await db.$queryRaw<Row[]>`
    SELECT t.group_claims_in_tokens AS group_claims,
      (SELECT json_agg(json_build_object('role', r.name, 'organization', a.organization_id, 'permissions', r.permissions))
         FROM role_assignment a JOIN role r ON r.id = a.role_id AND r.tenant_id = a.tenant_id
        WHERE a.tenant_id = t.id AND a.customer_id = ${customerId}::uuid) AS assignments,
      CASE WHEN t.group_claims_in_tokens THEN
        (SELECT array_agg(g.name ORDER BY g.name)
           FROM group_membership m JOIN customer_group g ON g.id = m.group_id AND g.tenant_id = m.tenant_id
          WHERE m.tenant_id = t.id AND m.customer_id = ${customerId}::uuid)
      END AS groups
    FROM tenant t WHERE t.id = ${tenantId}::uuid`;
  const roles = new Set<string>();
  const permissions = new Set<string>();
  const orgRoles: Record<string, Set<string>> = {};
  for (const a of row?.assignments ?? []) {
    if (a.organization === null) {
      roles.add(a.role);
      for (const p of a.permissions ?? []) permissions.add(p);
    } else (orgRoles[a.organization] ??= new Set()).add(a.role);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  const claims: AccessTokenClaims = {
    roles: sorted(roles),
    org_roles: Object.fromEntries(Object.entries(orgRoles).map(([org, names]) => [org, sorted(names)])),
    permissions: sorted(permissions),
  };
  if (row?.group_claims) claims.groups = row.groups ?? [];
  return claims;
}
