import {
  AddGroupMembersDocument,
  AddOrganizationMembersDocument,
  AssignRoleDocument,
  CreateGroupDocument,
  CreateOrganizationDocument,
  CreateRoleDocument,
} from "../generated/graphql.ts";
import type { TestGateway } from "./gateway.ts";

/** Global IDs of one tenant's group, organization and role, and of the customer's role pair for the organization. */
export interface AccessIds {
  group: string;
  organization: string;
  role: string;
  roleAssignment: string;
}

function ok<T extends { __typename: string }, N extends string>(payload: T, typename: N): Extract<T, { __typename: N }> {
  if (payload.__typename !== typename) throw new Error(`setup failed: ${JSON.stringify(payload)}`);
  return payload as Extract<T, { __typename: N }>;
}

/**
 * Creates a group, an organization and a role in `tenant` (names suffixed by `tag`), puts the
 * customer in the group and the organization, and gives it the role for the organization.
 */
export async function seedAccess(gw: TestGateway, tenant: "A" | "B", customerId: string, tag: string = tenant): Promise<AccessIds> {
  const group = ok(
    (await gw.gql(CreateGroupDocument, { input: { name: `group-${tag}` } }, tenant)).data!.createGroup,
    "CreateGroupPayload",
  );
  const org = ok(
    (await gw.gql(CreateOrganizationDocument, { input: { name: `org-${tag}` } }, tenant)).data!.createOrganization,
    "CreateOrganizationPayload",
  );
  const role = ok(
    (await gw.gql(CreateRoleDocument, { input: { name: `role-${tag}`, permissions: ["docs:read"] } }, tenant)).data!.createRole,
    "CreateRolePayload",
  );
  const ids = { group: group.group.id, organization: org.organization.id, role: role.role.id };
  ok(
    (await gw.gql(AddGroupMembersDocument, { groupId: ids.group, customerIds: [customerId] }, tenant)).data!.addGroupMembers,
    "AddGroupMembersPayload",
  );
  ok(
    (await gw.gql(AddOrganizationMembersDocument, { organizationId: ids.organization, customerIds: [customerId] }, tenant)).data!
      .addOrganizationMembers,
    "AddOrganizationMembersPayload",
  );
  const pair = ok(
    (await gw.gql(AssignRoleDocument, { customerId, roleId: ids.role, organizationId: ids.organization }, tenant)).data!.assignRole,
    "AssignRolePayload",
  );
  return { ...ids, roleAssignment: pair.roleAssignment.id };
}
