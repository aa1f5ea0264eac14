import { beforeAll, describe, expect, it } from "vitest";
import {
  AddOrganizationMembersDocument,
  AssignRoleDocument,
  CreateOrganizationDocument,
  CreateRoleDocument,
  CustomerAccessDocument,
  DeleteCustomerDocument,
  DeleteOrganizationDocument,
  DeleteRoleDocument,
  OrganizationDocument,
  OrganizationsDocument,
  RemoveOrganizationMembersDocument,
  RoleDocument,
  UnassignRoleDocument,
  UpdateOrganizationDocument,
  UpdateRoleDocument,
  type OrganizationInput,
  type RoleInput,
} from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { rowId } from "./helpers/ids.ts";

// Organizations and roles: role pairs (role × organization, or tenant-wide) need no membership.

const gw = useTestGateway();
const customers: string[] = [];

beforeAll(async () => {
  for (const uid of ["r-ada", "r-alan"]) customers.push((await gw.createCustomer({ uid, emails: [{ address: `${uid}@r.example` }] })).id);
});

async function organization(input: OrganizationInput) {
  const payload = (await gw.gql(CreateOrganizationDocument, { input })).data!.createOrganization;
  if (payload.__typename !== "CreateOrganizationPayload") throw new Error(JSON.stringify(payload));
  return payload.organization;
}

async function role(input: RoleInput) {
  const payload = (await gw.gql(CreateRoleDocument, { input })).data!.createRole;
  if (payload.__typename !== "CreateRolePayload") throw new Error(JSON.stringify(payload));
  return payload.role;
}

async function assign(customerId: string, roleId: string, organizationId?: string) {
  const payload = (await gw.gql(AssignRoleDocument, { customerId, roleId, organizationId })).data!.assignRole;
  if (payload.__typename !== "AssignRolePayload") throw new Error(JSON.stringify(payload));
  return payload.roleAssignment;
}

const eventsOf = async (type: string) => (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === type);

describe("organizations", () => {
  it("createOrganization lower-cases the domain and keeps metadata; bad or taken domains are refused and write nothing", async () => {
    const acme = await organization({ name: "Acme", domain: " ACME.com ", metadata: { plan: "enterprise" } });
    expect(acme).toMatchObject({ name: "Acme", domain: "acme.com", metadata: { plan: "enterprise" }, memberCount: 0 });
    expect((await eventsOf("organization.created")).map((e) => e.data)).toContainEqual({
      organizationId: rowId(acme.id),
      name: "Acme",
      domain: "acme.com",
      metadata: { plan: "enterprise" },
    });
    const bad = await expectNoWrites(gw.db, () => gw.gql(CreateOrganizationDocument, { input: { name: "Bad", domain: "not a domain" } }));
    expect(bad.data!.createOrganization).toMatchObject({ __typename: "ValidationError", issues: [{ field: "input.domain" }] });
    const taken = await expectNoWrites(gw.db, () => gw.gql(CreateOrganizationDocument, { input: { name: "Other", domain: "acme.com" } }));
    expect(taken.data!.createOrganization).toMatchObject({ __typename: "ConflictError", code: "ORGANIZATION_DOMAIN_TAKEN" });
    const name = await expectNoWrites(gw.db, () => gw.gql(CreateOrganizationDocument, { input: { name: "Acme" } }));
    expect(name.data!.createOrganization).toMatchObject({ __typename: "ConflictError", code: "ORGANIZATION_NAME_TAKEN" });
  });

  it("updateOrganization records changes, clears the domain with null, and records nothing for no change", async () => {
    const org = await organization({ name: "Globex", domain: "globex.com" });
    const res = await gw.gql(UpdateOrganizationDocument, { id: org.id, input: { domain: null, metadata: { tier: 2 } } });
    expect(res.data!.updateOrganization).toMatchObject({ organization: { domain: null, metadata: { tier: 2 } } });
    const [event] = (await eventsOf("organization.updated")).filter(
      (e) => (e.data as { organizationId: string }).organizationId === rowId(org.id),
    );
    expect(event.data).toMatchObject({ changes: { domain: { from: "globex.com", to: null }, metadata: { from: {}, to: { tier: 2 } } } });
    await expectNoWrites(gw.db, () => gw.gql(UpdateOrganizationDocument, { id: org.id, input: { name: "Globex" } }));
  });

  it("members are added and removed once each, audited per customer", async () => {
    const org = await organization({ name: "Initech" });
    const added = await gw.gql(AddOrganizationMembersDocument, { organizationId: org.id, customerIds: customers });
    expect(added.data!.addOrganizationMembers).toMatchObject({ organization: { memberCount: 2 } });
    await expectNoWrites(gw.db, () => gw.gql(AddOrganizationMembersDocument, { organizationId: org.id, customerIds: [customers[0]] }));
    const mine = (await gw.gql(CustomerAccessDocument, { id: customers[0] })).data!.customer!;
    expect(mine.organizations.edges.map((e) => e.node.name)).toContain("Initech");
    await gw.gql(RemoveOrganizationMembersDocument, { organizationId: org.id, customerIds: [customers[0]] });
    const removed = (await eventsOf("customer.organization_removed")).filter(
      (e) => (e.data as { organizationId: string }).organizationId === rowId(org.id),
    );
    expect(removed.map((e) => e.customerId)).toEqual([rowId(customers[0])]);
    const read = (await gw.gql(OrganizationDocument, { id: org.id })).data!.organization!;
    expect(read.members.edges.map((e) => e.node.id)).toEqual([customers[1]]);
  });

  it("organizations lists by name", async () => {
    const names = (await gw.gql(OrganizationsDocument, { first: 50 })).data!.organizations.edges.map((e) => e.node.name);
    expect(names).toEqual([...names].sort());
  });
});

describe("roles", () => {
  it("createRole deduplicates permissions and refuses malformed ones or too many", async () => {
    const admin = await role({ name: "billing-admin", permissions: ["invoices:read", "invoices:write", "invoices:read", "reports:*"] });
    expect(admin.permissions).toEqual(["invoices:read", "invoices:write", "reports:*"]);
    const bad = await expectNoWrites(gw.db, () =>
      gw.gql(CreateRoleDocument, { input: { name: "x", permissions: ["ok:read", "Not Valid"] } }),
    );
    expect(bad.data!.createRole).toMatchObject({ __typename: "ValidationError", issues: [{ field: "input.permissions.1" }] });
    const many = Array.from({ length: 101 }, (_, i) => `r${i}:read`);
    const tooMany = await expectNoWrites(gw.db, () => gw.gql(CreateRoleDocument, { input: { name: "y", permissions: many } }));
    expect(tooMany.data!.createRole).toMatchObject({ __typename: "ValidationError", issues: [{ field: "input.permissions" }] });
  });

  it("updateRole replaces permissions and records the change; no change records nothing", async () => {
    const r = await role({ name: "viewer", permissions: ["a:read"] });
    const res = await gw.gql(UpdateRoleDocument, { id: r.id, input: { permissions: ["a:read", "b:read"] } });
    expect(res.data!.updateRole).toMatchObject({ role: { permissions: ["a:read", "b:read"] } });
    const [event] = (await eventsOf("role.updated")).filter((e) => (e.data as { roleId: string }).roleId === rowId(r.id));
    expect(event.data).toMatchObject({ changes: { permissions: { from: ["a:read"], to: ["a:read", "b:read"] } } });
    await expectNoWrites(gw.db, () => gw.gql(UpdateRoleDocument, { id: r.id, input: { permissions: ["a:read", "b:read"] } }));
  });

  it("assignRole grants tenant-wide and per-organization pairs without membership; repeating a pair is a no-op", async () => {
    const r = await role({ name: "editor", permissions: ["docs:write"] });
    const org = await organization({ name: "Umbrella" });
    const wide = await assign(customers[1], r.id);
    expect(wide).toMatchObject({ role: { name: "editor" }, organization: null });
    const pair = await assign(customers[1], r.id, org.id);
    expect(pair).toMatchObject({ role: { name: "editor" }, organization: { name: "Umbrella" } });
    const again = await expectNoWrites(gw.db, () =>
      gw.gql(AssignRoleDocument, { customerId: customers[1], roleId: r.id, organizationId: org.id }),
    );
    expect(again.data!.assignRole).toMatchObject({ roleAssignment: { id: pair.id } });
    const events = (await eventsOf("customer.role_assigned")).filter((e) => (e.data as { roleId: string }).roleId === rowId(r.id));
    expect(events.map((e) => (e.data as { organization: string | null }).organization).sort()).toEqual(["Umbrella", null].sort());

    const access = (await gw.gql(CustomerAccessDocument, { id: customers[1] })).data!.customer!;
    expect(access.organizations.edges.map((e) => e.node.name)).not.toContain("Umbrella");
    expect(access.roleAssignments.edges.map((e) => e.node.id)).toEqual(expect.arrayContaining([wide.id, pair.id]));
    const read = (await gw.gql(RoleDocument, { id: r.id })).data!.role!;
    expect(read.assignments.totalCount).toBe(2);
    const orgRead = (await gw.gql(OrganizationDocument, { id: org.id })).data!.organization!;
    expect(orgRead.roleAssignments.edges.map((e) => e.node.customer.id)).toEqual([customers[1]]);
  });

  it("unassignRole removes the pair with customer.role_unassigned; unknown ids are not found", async () => {
    const r = await role({ name: "temp" });
    const a = await assign(customers[0], r.id);
    const res = await gw.gql(UnassignRoleDocument, { id: a.id });
    expect(res.data!.unassignRole).toMatchObject({ deletedRoleAssignmentId: a.id });
    expect((await eventsOf("customer.role_unassigned")).map((e) => e.data)).toContainEqual(
      expect.objectContaining({ assignmentId: rowId(a.id), role: "temp", organization: null }),
    );
    const again = await expectNoWrites(gw.db, () => gw.gql(UnassignRoleDocument, { id: a.id }));
    expect(again.data!.unassignRole).toMatchObject({ __typename: "NotFoundError", code: "ROLE_ASSIGNMENT_NOT_FOUND" });
  });

  it("an unknown role or organization is not found and nothing is written", async () => {
    const r = await role({ name: "strict" });
    const noRole = await expectNoWrites(gw.db, () => gw.gql(AssignRoleDocument, { customerId: customers[0], roleId: customers[0] }));
    expect(noRole.data!.assignRole).toMatchObject({ __typename: "NotFoundError", code: "ROLE_NOT_FOUND" });
    const noOrg = await expectNoWrites(gw.db, () =>
      gw.gql(AssignRoleDocument, { customerId: customers[0], roleId: r.id, organizationId: r.id }),
    );
    expect(noOrg.data!.assignRole).toMatchObject({ __typename: "NotFoundError", code: "ORGANIZATION_NOT_FOUND" });
  });

  it("deleting a role, an organization or a customer removes their pairs; the events stay", async () => {
    const r = await role({ name: "short-lived" });
    const org = await organization({ name: "Soylent" });
    const temp = (await gw.createCustomer({ uid: "r-temp", username: "r-temp" })).id;
    await assign(temp, r.id, org.id);
    await assign(customers[0], r.id, org.id);
    await assign(customers[0], r.id);
    expect((await gw.gql(DeleteCustomerDocument, { id: temp })).data!.deleteCustomer).toMatchObject({ deletedCustomerId: temp });
    expect((await eventsOf("customer.role_assigned")).some((e) => e.customerId === rowId(temp))).toBe(true);
    expect((await gw.gql(DeleteOrganizationDocument, { id: org.id })).data!.deleteOrganization).toMatchObject({
      deletedOrganizationId: org.id,
    });
    expect((await eventsOf("organization.deleted")).map((e) => e.data)).toContainEqual(
      expect.objectContaining({ name: "Soylent", roleAssignmentCount: 1 }),
    );
    expect((await gw.gql(DeleteRoleDocument, { id: r.id })).data!.deleteRole).toMatchObject({ deletedRoleId: r.id });
    expect((await eventsOf("role.deleted")).map((e) => e.data)).toContainEqual(
      expect.objectContaining({ name: "short-lived", assignmentCount: 1 }),
    );
    expect(await gw.db.roleAssignment.count({ where: { roleId: rowId(r.id) } })).toBe(0);
  });
});
