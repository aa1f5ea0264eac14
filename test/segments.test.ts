import { beforeAll, describe, expect, it } from "vitest";
import {
  CreateSegmentDocument,
  DeleteSegmentDocument,
  SegmentDocument,
  SegmentsDocument,
  UpdateSegmentDocument,
  type SegmentInput,
} from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { seedFilterFixture } from "./helpers/filter-fixture.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { rowId } from "./helpers/ids.ts";

// Segments: saved filters, audited, validated when saved and again when run.

const gw = useTestGateway();
beforeAll(() => seedFilterFixture(gw));

const GOLD_OR_LATE: SegmentInput["filter"] = {
  or: [{ customFields: [{ key: "tier", equals: "gold" }] }, { lastLoginAt: { gte: "2024-02-01T00:00:00.000Z" } }],
};

async function create(input: SegmentInput) {
  const res = await gw.gql(CreateSegmentDocument, { input });
  const payload = res.data!.createSegment;
  if (payload.__typename !== "CreateSegmentPayload") throw new Error(JSON.stringify(payload));
  return payload.segment;
}

const eventsOf = async (type: string) => (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === type);

describe("segments", () => {
  it("createSegment saves the filter as given and records segment.created", async () => {
    const segment = await create({ name: "Gold or recent", description: "for the newsletter", filter: GOLD_OR_LATE });
    expect(segment).toMatchObject({ name: "Gold or recent", description: "for the newsletter", filter: GOLD_OR_LATE });
    const [event] = await eventsOf("segment.created");
    expect(event.data).toEqual({
      segmentId: rowId(segment.id),
      name: "Gold or recent",
      description: "for the newsletter",
      filter: GOLD_OR_LATE,
    });
  });

  it("segment(id) lists its customers page by page, in any order, with count and totalCount", async () => {
    const segment = await create({ name: "Everyone with a score", filter: { customFields: [{ key: "score", exists: true }] } });
    const orderBy = { field: "CUSTOM_FIELD" as const, customField: "score", direction: "ASC" as const };
    const first = (await gw.gql(SegmentDocument, { id: segment.id, first: 3, orderBy })).data!.segment!;
    expect(first.count).toBe(4);
    expect(first.customers.totalCount).toBe(4);
    expect(first.customers.edges.map((e) => e.node.uid)).toEqual(["barbara", "ada", "alan"]);
    const after = first.customers.pageInfo.endCursor;
    const second = (await gw.gql(SegmentDocument, { id: segment.id, first: 3, after, orderBy })).data!.segment!;
    expect(second.customers.edges.map((e) => e.node.uid)).toEqual(["grace"]);
    expect(second.customers.pageInfo.hasNextPage).toBe(false);
  });

  it("refuses an invalid filter with the path under input and saves nothing", async () => {
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(CreateSegmentDocument, { input: { name: "bad", filter: { and: [{ customFields: [{ key: "score", contains: "1" }] }] } } }),
    );
    expect(res.data!.createSegment).toMatchObject({
      __typename: "ValidationError",
      issues: [{ field: "input.filter.and.0.customFields.0.contains", message: expect.stringContaining("not an operator of INTEGER") }],
    });
  });

  it("refuses a name already taken, an empty name, and saves nothing", async () => {
    await create({ name: "Taken", filter: {} });
    const taken = await expectNoWrites(gw.db, () => gw.gql(CreateSegmentDocument, { input: { name: "Taken", filter: {} } }));
    expect(taken.data!.createSegment).toMatchObject({ __typename: "ConflictError", code: "SEGMENT_NAME_TAKEN", field: "name" });
    const empty = await gw.gql(CreateSegmentDocument, { input: { name: "  ", filter: {} } });
    expect(empty.data!.createSegment).toMatchObject({ __typename: "ValidationError", issues: [{ field: "input.name" }] });
  });

  it("updateSegment changes what is given, records the changes, and nothing for no change", async () => {
    const segment = await create({ name: "Before", filter: { status: ["ACTIVE"] } });
    const res = await gw.gql(UpdateSegmentDocument, { id: segment.id, input: { name: "After", filter: { email: { verified: true } } } });
    expect(res.data!.updateSegment).toMatchObject({ segment: { name: "After", description: null, filter: { email: { verified: true } } } });
    const updated = await eventsOf("segment.updated");
    expect(updated.map((e) => e.data)).toEqual([
      {
        segmentId: rowId(segment.id),
        name: "After",
        changes: { name: { from: "Before", to: "After" }, filter: { from: { status: ["ACTIVE"] }, to: { email: { verified: true } } } },
      },
    ]);
    await gw.gql(UpdateSegmentDocument, { id: segment.id, input: { name: "After" } });
    expect(await eventsOf("segment.updated")).toHaveLength(1);
    const bad = await expectNoWrites(gw.db, () =>
      gw.gql(UpdateSegmentDocument, { id: segment.id, input: { filter: { customFields: [{ key: "gone", equals: 1 }] } } }),
    );
    expect(bad.data!.updateSegment).toMatchObject({
      __typename: "ValidationError",
      issues: [{ field: "input.filter.customFields.0.key" }],
    });
  });

  it("a field retired after saving makes running the segment a typed error naming it", async () => {
    await gw.db.customFieldDefinition.create({ data: { tenantId: gw.tenants.A.id, key: "legacy", type: "STRING" } });
    const segment = await create({ name: "Legacy", filter: { customFields: [{ key: "legacy", equals: "x" }] } });
    await gw.db.customFieldDefinition.update({
      where: { tenantId_key: { tenantId: gw.tenants.A.id, key: "legacy" } },
      data: { retiredAt: new Date() },
    });
    const res = await gw.gql(SegmentDocument, { id: segment.id, first: 5 });
    // customers and count both fail; the first to fail nulls the segment, so one error is reported.
    expect(res.errors).toHaveLength(1);
    expect(["customers", "count"]).toContain(res.errors![0].path![1]);
    expect(res.errors![0].extensions).toEqual({
      code: "VALIDATION_FAILED",
      issues: [{ field: "filter.customFields.0.key", message: "no active custom field has this key (unknown or retired)" }],
    });
  });

  it("deleteSegment removes it and records segment.deleted; a second delete is not found", async () => {
    const segment = await create({ name: "Short-lived", filter: { status: ["BLOCKED"] } });
    const res = await gw.gql(DeleteSegmentDocument, { id: segment.id });
    expect(res.data!.deleteSegment).toEqual({ __typename: "DeleteSegmentPayload", deletedSegmentId: segment.id });
    expect((await gw.gql(SegmentDocument, { id: segment.id })).data!.segment).toBeNull();
    expect((await eventsOf("segment.deleted")).map((e) => e.data)).toEqual([
      { segmentId: rowId(segment.id), name: "Short-lived", filter: { status: ["BLOCKED"] } },
    ]);
    const again = await gw.gql(DeleteSegmentDocument, { id: segment.id });
    expect(again.data!.deleteSegment).toMatchObject({ __typename: "NotFoundError", code: "SEGMENT_NOT_FOUND" });
  });

  it("segments lists the tenant's segments newest first, page by page", async () => {
    const all = (await gw.gql(SegmentsDocument, { first: 50 })).data!.segments.edges.map((e) => e.node.name);
    expect(all.length).toBeGreaterThanOrEqual(5);
    const page1 = (await gw.gql(SegmentsDocument, { first: 2 })).data!.segments;
    const page2 = (await gw.gql(SegmentsDocument, { first: 2, after: page1.pageInfo.endCursor })).data!.segments;
    expect([...page1.edges, ...page2.edges].map((e) => e.node.name)).toEqual(all.slice(0, 4));
    const times = (await gw.gql(SegmentsDocument, { first: 50 })).data!.segments.edges.map((e) => Date.parse(e.node.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
