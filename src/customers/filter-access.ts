import { Prisma } from "../generated/prisma/client.ts";
import { rowIdOf } from "../ids.ts";
import { issue, MAX_IN_VALUES, type Compilation } from "./filter-fields.ts";

// Conditions on what a customer may access: group and organization membership, role pairs. Ids
// are the API's global IDs (a segment stores them as given); one of another tenant matches
// nothing — the tenant is part of every subquery — and one that is not an ID of the type is an
// error at its path. Each condition is an EXISTS on the membership or assignment table, served by
// its customer_id index (memberships also by the (group, customer) primary key).

export interface MembershipFilter {
  /** Member of at least one of these. */
  anyOf?: string[] | null;
  /** Member of none of these. */
  noneOf?: string[] | null;
}

export interface RoleFilter {
  /** The Role's global ID. */
  id: string;
  /** Only the pair for this organization. */
  organizationId?: string | null;
  /** true: only the tenant-wide pair; false: only pairs for an organization. */
  tenantWide?: boolean | null;
}

function rowIds(c: Compilation, ids: string[], typename: string, path: string): string[] {
  if (ids.length === 0 || ids.length > MAX_IN_VALUES) {
    issue(c, path, `give 1 to ${MAX_IN_VALUES} ids`);
    return [];
  }
  return ids.map((id, i) => rowIdOf(id, typename) ?? (issue(c, `${path}.${i}`, `not a ${typename} ID`), ""));
}

const TABLES = {
  Group: { table: Prisma.raw("group_membership"), column: Prisma.raw("group_id") },
  Organization: { table: Prisma.raw("organization_membership"), column: Prisma.raw("organization_id") },
};

/** Membership of groups or organizations: anyOf and noneOf combine with AND. */
export function membership(c: Compilation, kind: keyof typeof TABLES, f: MembershipFilter, path: string): Prisma.Sql {
  const { table, column } = TABLES[kind];
  const member = (ids: string[]) =>
    Prisma.sql`EXISTS (SELECT 1 FROM ${table} m WHERE m.tenant_id = ${c.tenantId}::uuid AND m.customer_id = c.id AND m.${column} = ANY (${ids}::uuid[]))`;
  const parts: Prisma.Sql[] = [];
  if (f.anyOf != null) parts.push(member(rowIds(c, f.anyOf, kind, `${path}.anyOf`)));
  if (f.noneOf != null) parts.push(Prisma.sql`NOT ${member(rowIds(c, f.noneOf, kind, `${path}.noneOf`))}`);
  if (parts.length === 0) return issue(c, path, "give anyOf or noneOf");
  return Prisma.join(parts, " AND ");
}

/** Holds the role: in any form, for one organization, or tenant-wide. */
export function role(c: Compilation, f: RoleFilter, path: string): Prisma.Sql {
  const roleId = rowIdOf(f.id, "Role");
  if (!roleId) return issue(c, `${path}.id`, "not a Role ID");
  const parts = [Prisma.sql`a.tenant_id = ${c.tenantId}::uuid AND a.customer_id = c.id AND a.role_id = ${roleId}::uuid`];
  if (f.organizationId != null) {
    if (f.tenantWide === true) return issue(c, `${path}.tenantWide`, "an organization's pair is not tenant-wide");
    const organizationId = rowIdOf(f.organizationId, "Organization");
    if (!organizationId) return issue(c, `${path}.organizationId`, "not an Organization ID");
    parts.push(Prisma.sql`a.organization_id = ${organizationId}::uuid`);
  } else if (f.tenantWide != null)
    parts.push(f.tenantWide ? Prisma.sql`a.organization_id IS NULL` : Prisma.sql`a.organization_id IS NOT NULL`);
  return Prisma.sql`EXISTS (SELECT 1 FROM role_assignment a WHERE ${Prisma.join(parts, " AND ")})`;
}
