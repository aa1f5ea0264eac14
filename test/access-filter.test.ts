import { beforeAll, describe, expect, it } from "vitest";
import {
  AddGroupMembersDocument,
  AddOrganizationMembersDocument,
  AssignRoleDocument,
  CreateGroupDocument,
  CreateOrganizationDocument,
  CreateRoleDocument,
  CreateSegmentDocument,
  CustomersAccessDocument,
  FilterCustomersDocument,
  SegmentDocument,
  type CustomerFilter,
} from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { expectNoWrites } from "./helpers/snapshot.ts";

// The filter language's access conditions (group, organization, role) through customers(filter:)
// and a segment: the one compiler every selection uses.

const gw = useTestGateway();
const id: Record<string, string> = {};
const foreign: Record<string, string> = {};

function ok<T extends { __typename: string }>(payload: T, typename: string): T {
  if (payload.__typename !== typename) throw new Error(JSON.stringify(payload));
  return payload;
}

async function seed(tenant: "A" | "B", into: Record<string, string>) {
  const create = async (uid: string) => (await gw.createCustomer({ uid, username: uid }, tenant)).id;
  for (const uid of ["f-ada", "f-alan", "f-grace"]) into[uid] = await create(`${uid}-${tenant}`);
  const group = ok((await gw.gql(CreateGroupDocument, { input: { name: "beta" } }, tenant)).data!.createGroup, "CreateGroupPayload");
  const staff = ok((await gw.gql(CreateGroupDocument, { input: { name: "staff" } }, tenant)).data!.createGroup, "CreateGroupPayload");
  const org = ok(
    (await gw.gql(CreateOrganizationDocument, { input: { name: "acme" } }, tenant)).data!.createOrganization,
    "CreateOrganizationPayload",
  );
  const role = ok((await gw.gql(CreateRoleDocument, { input: { name: "admin" } }, tenant)).data!.createRole, "CreateRolePayload");
  if (group.__typename === "CreateGroupPayload") into.beta = group.group.id;
  if (staff.__typename === "CreateGroupPayload") into.staff = staff.group.id;
  if (org.__typename === "CreateOrganizationPayload") into.acme = org.organization.id;
  if (role.__typename === "CreateRolePayload") into.admin = role.role.id;
  await gw.gql(AddGroupMembersDocument, { groupId: into.beta, customerIds: [into["f-ada"], into["f-alan"]] }, tenant);
  await gw.gql(AddGroupMembersDocument, { groupId: into.staff, customerIds: [into["f-alan"]] }, tenant);
  await gw.gql(AddOrganizationMembersDocument, { organizationId: into.acme, customerIds: [into["f-grace"]] }, tenant);
  // ada: admin tenant-wide; alan: admin for acme without being a member of it.
  await gw.gql(AssignRoleDocument, { customerId: into["f-ada"], roleId: into.admin }, tenant);
  await gw.gql(AssignRoleDocument, { customerId: into["f-alan"], roleId: into.admin, organizationId: into.acme }, tenant);
}

beforeAll(async () => {
  await seed("A", id);
  await seed("B", foreign);
});

async function uids(filter: CustomerFilter): Promise<string[]> {
  const res = await gw.gql(FilterCustomersDocument, { filter: { and: [filter, { username: { startsWith: "f-" } }] }, first: 100 });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.customers.edges.map((e) => e.node.uid.replace(/-A$/, "")).sort();
}

describe("access conditions of the filter language", () => {
  it("selects by group, organization and role pair", async () => {
    expect(await uids({ group: { anyOf: [id.beta] } })).toEqual(["f-ada", "f-alan"]);
    expect(await uids({ group: { anyOf: [id.beta, id.staff] } })).toEqual(["f-ada", "f-alan"]);
    expect(await uids({ group: { noneOf: [id.staff] } })).toEqual(["f-ada", "f-grace"]);
    expect(await uids({ group: { anyOf: [id.beta], noneOf: [id.staff] } })).toEqual(["f-ada"]);
    expect(await uids({ organization: { anyOf: [id.acme] } })).toEqual(["f-grace"]);
    expect(await uids({ role: { id: id.admin } })).toEqual(["f-ada", "f-alan"]);
    expect(await uids({ role: { id: id.admin, tenantWide: true } })).toEqual(["f-ada"]);
    expect(await uids({ role: { id: id.admin, tenantWide: false } })).toEqual(["f-alan"]);
    expect(await uids({ role: { id: id.admin, organizationId: id.acme } })).toEqual(["f-alan"]);
    expect(await uids({ or: [{ role: { id: id.admin, organizationId: id.acme } }, { organization: { anyOf: [id.acme] } }] })).toEqual([
      "f-alan",
      "f-grace",
    ]);
    expect(await uids({ not: { group: { anyOf: [id.beta] } } })).toEqual(["f-grace"]);
  });

  it("ids of another tenant match nothing", async () => {
    expect(await uids({ group: { anyOf: [foreign.beta] } })).toEqual([]);
    expect(await uids({ group: { noneOf: [foreign.beta] } })).toEqual(["f-ada", "f-alan", "f-grace"]);
    expect(await uids({ organization: { anyOf: [foreign.acme] } })).toEqual([]);
    expect(await uids({ role: { id: foreign.admin } })).toEqual([]);
    expect(await uids({ role: { id: id.admin, organizationId: foreign.acme } })).toEqual([]);
  });

  it("an id of another type, an empty list or no operator is a ValidationError at its path", async () => {
    const res = await gw.gql(FilterCustomersDocument, {
      filter: { and: [{ group: { anyOf: [id.acme] } }, { organization: {} }, { role: { id: id.beta } }, { group: { noneOf: [] } }] },
      first: 1,
    });
    expect(res.errors?.[0].extensions).toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [
        { field: "filter.and.0.group.anyOf.0", message: "not a Group ID" },
        { field: "filter.and.1.organization", message: "give anyOf or noneOf" },
        { field: "filter.and.2.role.id", message: "not a Role ID" },
        { field: "filter.and.3.group.noneOf" },
      ],
    });
  });

  it("a segment saves an access filter and lists what it selects now", async () => {
    const filter = { group: { anyOf: [id.beta] }, role: { id: id.admin, tenantWide: true } };
    const saved = (await gw.gql(CreateSegmentDocument, { input: { name: "beta admins", filter } })).data!.createSegment;
    if (saved.__typename !== "CreateSegmentPayload") throw new Error(JSON.stringify(saved));
    const segment = (await gw.gql(SegmentDocument, { id: saved.segment.id, first: 10 })).data!.segment!;
    expect(segment.customers.edges.map((e) => e.node.uid)).toEqual(["f-ada-A"]);
    const bad = await expectNoWrites(gw.db, () =>
      gw.gql(CreateSegmentDocument, { input: { name: "bad", filter: { role: { id: id.admin, organizationId: id.admin } } } }),
    );
    expect(bad.data!.createSegment).toMatchObject({
      __typename: "ValidationError",
      issues: [{ field: "input.filter.role.organizationId" }],
    });
  });

  it("customers with their groups, organizations and role pairs cost the same statements for 1 customer and 3 (no N+1)", async () => {
    const measure = async (first: number) => {
      await gw.db.adminCredential.updateMany({ where: { keyId: gw.tenants.A.keyId }, data: { lastUsedAt: new Date() } });
      gw.statements.reset();
      const res = await gw.gql(CustomersAccessDocument, { first, filter: { username: { startsWith: "f-" } } });
      expect(res.errors).toBeUndefined();
      return { statements: gw.statements.count, edges: res.data!.customers.edges };
    };
    const one = await measure(1);
    const three = await measure(3);
    expect(three.edges).toHaveLength(3);
    const alan = three.edges.find((e) => e.node.id === id["f-alan"])!.node;
    expect(alan.groups.edges.map((e) => e.node.name).sort()).toEqual(["beta", "staff"]);
    expect(alan.roleAssignments.edges).toEqual([{ node: { role: { name: "admin", permissions: [] }, organization: { name: "acme" } } }]);
    expect(three.statements).toBe(one.statements);
  });
});
