import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import {
  AddGroupMembersDocument,
  AssignRoleDocument,
  CreateGroupDocument,
  CreateOrganizationDocument,
  CreateRoleDocument,
  GroupClaimsInTokensDocument,
  RefreshSessionDocument,
  RemoveGroupMembersDocument,
  SetGroupClaimsInTokensDocument,
  UnassignRoleDocument,
} from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { rowId } from "./helpers/ids.ts";

// Access-token claims: roles, org_roles, permissions and (when the tenant says so) groups, read
// from real tokens of signIn and refreshSession. Changes reach the next token, not live ones.

const gw = useTestGateway();

function ok<T extends { __typename: string }>(payload: T): T {
  if (!payload.__typename.endsWith("Payload")) throw new Error(JSON.stringify(payload));
  return payload;
}

async function refresh(refreshToken: string) {
  const res = await gw.gql(RefreshSessionDocument, { refreshToken }, { tenant: gw.tenants.A.slug });
  const payload = res.data!.refreshSession;
  if (payload.__typename !== "RefreshSessionPayload") throw new Error(JSON.stringify(payload));
  return payload;
}

describe("access-token claims", () => {
  it("carry roles, org_roles and permissions at sign-in, and changes at the next refresh", async () => {
    const { customer, tokens } = await gw.createSignedInCustomer({ uid: "c-ada", emails: [{ address: "c-ada@claims.example" }] });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ roles: [], org_roles: {}, permissions: [] });
    expect(decodeJwt(tokens.accessToken).groups).toBeUndefined();

    const role = async (name: string, permissions: string[]) => {
      const p = ok((await gw.gql(CreateRoleDocument, { input: { name, permissions } })).data!.createRole);
      return p.__typename === "CreateRolePayload" ? p.role.id : "";
    };
    const viewer = await role("viewer", ["docs:read"]);
    const editor = await role("editor", ["docs:write", "docs:read"]);
    const org = ok((await gw.gql(CreateOrganizationDocument, { input: { name: "Claims Inc" } })).data!.createOrganization);
    const orgId = org.__typename === "CreateOrganizationPayload" ? org.organization.id : "";
    await gw.gql(AssignRoleDocument, { customerId: customer.id, roleId: viewer });
    await gw.gql(AssignRoleDocument, { customerId: customer.id, roleId: editor });
    const pair = ok(
      (await gw.gql(AssignRoleDocument, { customerId: customer.id, roleId: editor, organizationId: orgId })).data!.assignRole,
    );

    // The live token is unchanged (claims are computed when a token is issued).
    expect(decodeJwt(tokens.accessToken).roles).toEqual([]);
    const next = await refresh(tokens.refreshToken);
    expect(decodeJwt(next.accessToken)).toMatchObject({
      sub: rowId(customer.id),
      roles: ["editor", "viewer"],
      org_roles: { [rowId(orgId)]: ["editor"] },
      permissions: ["docs:read", "docs:write"],
    });

    if (pair.__typename === "AssignRolePayload") await gw.gql(UnassignRoleDocument, { id: pair.roleAssignment.id });
    const after = await refresh(next.refreshToken);
    expect(decodeJwt(after.accessToken)).toMatchObject({ roles: ["editor", "viewer"], org_roles: {} });
    const signedIn = await gw.signIn("c-ada@claims.example", "correct horse battery staple");
    expect(decodeJwt(signedIn.accessToken).roles).toEqual(["editor", "viewer"]);
  });

  it("carry groups only once the tenant sets groupClaimsInTokens (recorded as tenant.updated, no-op unrecorded)", async () => {
    const { customer, tokens } = await gw.createSignedInCustomer({ uid: "c-alan", emails: [{ address: "c-alan@claims.example" }] });
    const created = ok((await gw.gql(CreateGroupDocument, { input: { name: "beta" } })).data!.createGroup);
    const groupId = created.__typename === "CreateGroupPayload" ? created.group.id : "";
    await gw.gql(AddGroupMembersDocument, { groupId, customerIds: [customer.id] });
    const off = await refresh(tokens.refreshToken);
    expect(decodeJwt(off.accessToken).groups).toBeUndefined();

    const set = await gw.gql(SetGroupClaimsInTokensDocument, { enabled: true });
    expect(set.data!.setGroupClaimsInTokens).toMatchObject({ groupClaimsInTokens: true });
    expect((await gw.gql(GroupClaimsInTokensDocument, {})).data!.groupClaimsInTokens).toBe(true);
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "tenant.updated");
    expect(events.at(-1)!.data).toEqual({ changes: { groupClaimsInTokens: { from: false, to: true } } });
    await expectNoWrites(gw.db, () => gw.gql(SetGroupClaimsInTokensDocument, { enabled: true }));

    const on = await refresh(off.refreshToken);
    expect(decodeJwt(on.accessToken).groups).toEqual(["beta"]);
    await gw.gql(RemoveGroupMembersDocument, { groupId, customerIds: [customer.id] });
    const removed = await refresh(on.refreshToken);
    expect(decodeJwt(removed.accessToken).groups).toEqual([]);
    await gw.gql(SetGroupClaimsInTokensDocument, { enabled: false });
  });

  it("a tenant's setting does not touch another's tokens; an anonymous caller cannot change it", async () => {
    await gw.gql(SetGroupClaimsInTokensDocument, { enabled: true }, "B");
    expect((await gw.gql(GroupClaimsInTokensDocument, {}, "A")).data!.groupClaimsInTokens).toBe(false);
    const { tokens } = await gw.createSignedInCustomer({ uid: "c-grace", emails: [{ address: "c-grace@claims.example" }] });
    expect(decodeJwt(tokens.accessToken).groups).toBeUndefined();
    const anonymous = await gw.gql(SetGroupClaimsInTokensDocument, { enabled: true }, "anonymous");
    expect(anonymous.data?.setGroupClaimsInTokens ?? null).toBeNull();
  });
});
