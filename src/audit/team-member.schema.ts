import type { Db } from "../db/database.ts";
import { builder } from "../graphql/builder.ts";
import { TEAM_DATA } from "../graphql/policies.ts";
import { adminService } from "../graphql/context.ts";

/** Who acted in the admin console, as the audit trail names them; no password hash, no sessions. */
export const TeamMemberRef = builder.prismaObject("TeamMember", {
  authScopes: TEAM_DATA,
  description: "A person of the support team who uses the admin console (deployment-wide, granted scopes per store).",
  fields: (t) => ({
    id: t.exposeString("id", { description: "Stable id: what AuditEventFilter.teamMemberId takes." }),
    name: t.exposeString("name"),
    email: t.exposeString("email"),
    disabled: t.boolean({ resolve: (m) => m.disabledAt !== null }),
  }),
});

builder.queryField("teamMembers", (t) =>
  t.prismaField({
    type: ["TeamMember"],
    authScopes: TEAM_DATA,
    description: "The team members who hold a grant in this identity store (the console's Team log filters by them), by name.",
    resolve: (query, _root, _args, ctx) => storeTeamMembers(ctx.db, adminService(ctx).tenantId, query),
  }),
);

/** The members granted scopes in a store, by name: one statement. */
export function storeTeamMembers(db: Db, tenantId: string, query: object = {}) {
  return db.teamMember.findMany({ ...query, where: { grants: { some: { tenantId } } }, orderBy: [{ name: "asc" }, { email: "asc" }] });
}

/** Team members by id, in the order asked (null for an unknown id): one statement per response. */
export async function loadTeamMembers(db: Db, ids: readonly string[]) {
  const members = await db.teamMember.findMany({ where: { id: { in: [...new Set(ids)] } } });
  const byId = new Map(members.map((m) => [m.id, m]));
  return ids.map((id) => byId.get(id) ?? null);
}
