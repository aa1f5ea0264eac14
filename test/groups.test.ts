import { beforeAll, describe, expect, it } from "vitest";
import {
  AddGroupMembersDocument,
  CreateGroupDocument,
  CustomerGroupsDocument,
  DeleteCustomerDocument,
  DeleteGroupDocument,
  GroupDocument,
  GroupsDocument,
  RemoveGroupMembersDocument,
  UpdateGroupDocument,
} from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { rowId } from "./helpers/ids.ts";

// Groups: definitions (TENANT_ADMIN), memberships (CUSTOMERS_WRITE) audited once per customer.

const gw = useTestGateway();
const customers: string[] = [];

beforeAll(async () => {
  for (const uid of ["g-ada", "g-alan", "g-grace"])
    customers.push((await gw.createCustomer({ uid, emails: [{ address: `${uid}@g.example` }] })).id);
});

async function create(name: string, description?: string) {
  const payload = (await gw.gql(CreateGroupDocument, { input: { name, description } })).data!.createGroup;
  if (payload.__typename !== "CreateGroupPayload") throw new Error(JSON.stringify(payload));
  return payload.group;
}

const eventsOf = async (type: string) => (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === type);

describe("groups", () => {
  it("createGroup records group.created; a taken or empty name is refused and writes nothing", async () => {
    const group = await create("Beta testers", "early access");
    expect(group).toMatchObject({ name: "Beta testers", description: "early access", memberCount: 0 });
    expect((await eventsOf("group.created")).map((e) => e.data)).toContainEqual({
      groupId: rowId(group.id),
      name: "Beta testers",
      description: "early access",
    });
    const taken = await expectNoWrites(gw.db, () => gw.gql(CreateGroupDocument, { input: { name: "Beta testers" } }));
    expect(taken.data!.createGroup).toMatchObject({ __typename: "ConflictError", code: "GROUP_NAME_TAKEN", field: "name" });
    const empty = await expectNoWrites(gw.db, () => gw.gql(CreateGroupDocument, { input: { name: " " } }));
    expect(empty.data!.createGroup).toMatchObject({ __typename: "ValidationError", issues: [{ field: "input.name" }] });
  });

  it("updateGroup records the changes, and nothing for no change", async () => {
    const group = await create("Before");
    const res = await gw.gql(UpdateGroupDocument, { id: group.id, input: { name: "After", description: "now" } });
    expect(res.data!.updateGroup).toMatchObject({ group: { name: "After", description: "now" } });
    const [event] = (await eventsOf("group.updated")).filter((e) => (e.data as { groupId: string }).groupId === rowId(group.id));
    expect(event.data).toMatchObject({ changes: { name: { from: "Before", to: "After" }, description: { from: null, to: "now" } } });
    const same = await expectNoWrites(gw.db, () => gw.gql(UpdateGroupDocument, { id: group.id, input: { name: "After" } }));
    expect(same.data!.updateGroup).toMatchObject({ group: { name: "After" } });
  });

  it("addGroupMembers adds each customer once, one customer.group_added per customer added; repeating it records nothing", async () => {
    const group = await create("Members");
    const res = await gw.gql(AddGroupMembersDocument, { groupId: group.id, customerIds: [customers[0], customers[1], customers[0]] });
    expect(res.data!.addGroupMembers).toMatchObject({ group: { memberCount: 2 } });
    const added = (await eventsOf("customer.group_added")).filter((e) => (e.data as { groupId: string }).groupId === rowId(group.id));
    expect(added.map((e) => e.customerId).sort()).toEqual([rowId(customers[0]), rowId(customers[1])].sort());
    const again = await expectNoWrites(gw.db, () => gw.gql(AddGroupMembersDocument, { groupId: group.id, customerIds: [customers[1]] }));
    expect(again.data!.addGroupMembers).toMatchObject({ group: { memberCount: 2 } });

    const page = (await gw.gql(GroupDocument, { id: group.id, first: 1 })).data!.group!;
    expect(page.members.pageInfo.hasNextPage).toBe(true);
    const nextRes = await gw.gql(GroupDocument, { id: group.id, first: 1, after: page.members.pageInfo.endCursor });
    expect(nextRes.errors).toBeUndefined();
    const next = nextRes.data!.group!;
    expect([...page.members.edges, ...next.members.edges].map((e) => e.node.id).sort()).toEqual([customers[0], customers[1]].sort());
    const mine = (await gw.gql(CustomerGroupsDocument, { id: customers[0] })).data!.customer!;
    expect(mine.groups.edges.map((e) => e.node.name)).toContain("Members");
  });

  it("removeGroupMembers audits each customer removed and ignores non-members", async () => {
    const group = await create("Leavers");
    await gw.gql(AddGroupMembersDocument, { groupId: group.id, customerIds: [customers[0], customers[1]] });
    const res = await gw.gql(RemoveGroupMembersDocument, { groupId: group.id, customerIds: [customers[0], customers[2]] });
    expect(res.data!.removeGroupMembers).toMatchObject({ group: { memberCount: 1 } });
    const removed = (await eventsOf("customer.group_removed")).filter((e) => (e.data as { groupId: string }).groupId === rowId(group.id));
    expect(removed.map((e) => e.customerId)).toEqual([rowId(customers[0])]);
    const none = await expectNoWrites(gw.db, () => gw.gql(RemoveGroupMembersDocument, { groupId: group.id, customerIds: [customers[2]] }));
    expect(none.data!.removeGroupMembers).toMatchObject({ group: { memberCount: 1 } });
  });

  it("an unknown customer or group, or an empty list, is refused and nothing is written", async () => {
    const group = await create("Strict");
    const unknown = await expectNoWrites(gw.db, () =>
      gw.gql(AddGroupMembersDocument, { groupId: group.id, customerIds: [customers[0], "Q3VzdG9tZXI6bm9wZQ=="] }),
    );
    expect(unknown.data!.addGroupMembers).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
    const noGroup = await expectNoWrites(gw.db, () =>
      gw.gql(AddGroupMembersDocument, { groupId: customers[0], customerIds: [customers[0]] }),
    );
    expect(noGroup.data!.addGroupMembers).toMatchObject({ __typename: "NotFoundError", code: "GROUP_NOT_FOUND" });
    const empty = await expectNoWrites(gw.db, () => gw.gql(AddGroupMembersDocument, { groupId: group.id, customerIds: [] }));
    expect(empty.data!.addGroupMembers).toMatchObject({ __typename: "ValidationError", issues: [{ field: "customerIds" }] });
  });

  it("deleteGroup removes its memberships with one group.deleted; deleting a customer removes theirs and keeps the events", async () => {
    const group = await create("Doomed");
    const extra = (await gw.createCustomer({ uid: "g-temp", username: "g-temp" })).id;
    await gw.gql(AddGroupMembersDocument, { groupId: group.id, customerIds: [customers[2], extra] });
    expect((await gw.gql(DeleteCustomerDocument, { id: extra })).data!.deleteCustomer).toMatchObject({
      __typename: "DeleteCustomerPayload",
    });
    expect((await gw.gql(GroupDocument, { id: group.id })).data!.group).toMatchObject({ memberCount: 1 });
    expect((await eventsOf("customer.group_added")).some((e) => e.customerId === rowId(extra))).toBe(true);
    const res = await gw.gql(DeleteGroupDocument, { id: group.id });
    expect(res.data!.deleteGroup).toMatchObject({ deletedGroupId: group.id });
    expect((await eventsOf("group.deleted")).map((e) => e.data)).toContainEqual({
      groupId: rowId(group.id),
      name: "Doomed",
      memberCount: 1,
    });
    expect(await gw.db.groupMembership.count({ where: { groupId: rowId(group.id) } })).toBe(0);
    expect((await gw.gql(GroupDocument, { id: group.id })).data!.group).toBeNull();
  });

  it("groups lists the tenant's groups by name, page by page", async () => {
    const first = (await gw.gql(GroupsDocument, { first: 2 })).data!.groups;
    const rest = (await gw.gql(GroupsDocument, { first: 50, after: first.pageInfo.endCursor })).data!.groups;
    const names = [...first.edges, ...rest.edges].map((e) => e.node.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain("Members");
  });
});
