import { builder } from "../graphql/builder.ts";
import { answeringId, mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { CUSTOMERS_READ, CUSTOMERS_WRITE } from "../graphql/policies.ts";
import { CustomerFilterInput, CustomerOrder } from "../customers/filter.schema.ts";
import type { CustomerFilter } from "../customers/filter.ts";
import { CustomerRef } from "../customers/schema.ts";
import { CustomerConnection, customerConnection } from "../customers/search.schema.ts";
import { countCustomers } from "../customers/search.ts";
import { createSegment, deleteSegment, findSegment, listSegments, segmentFilter, updateSegment } from "./service.ts";

// Segments: saved customer filters. Readable with CUSTOMERS_READ (what they select is customer
// data), changed with CUSTOMERS_WRITE.

export const SegmentRef = builder.prismaNode("Segment", {
  ...adminOnlyNode(CUSTOMERS_READ),
  description: "A saved, named customer filter: the selection that lists, bulk actions and exports take.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique within the tenant." }),
    description: t.exposeString("description", { nullable: true }),
    filter: t.field({
      type: "JSONObject",
      description: "The CustomerFilter as saved (dates as ISO strings).",
      resolve: (s) => s.filter as Record<string, unknown>,
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    customers: t.connection(
      {
        type: CustomerRef,
        description:
          "The customers the filter selects now, as `customers(filter:)` would list them. The filter is checked again against " +
          "the tenant's custom fields: one retired since is a VALIDATION_FAILED error naming it (filter.customFields.N.key).",
        args: { orderBy: t.arg({ type: CustomerOrder }) },
        resolve: (segment, args, ctx, info) =>
          customerConnection(adminService(ctx), { ...args, filter: segmentFilter(segment) }, ctx, info),
      },
      CustomerConnection,
    ),
    count: t.int({
      description: "How many customers the filter selects now (exact: a count over every match).",
      resolve: (segment, _args, ctx) => countCustomers(adminService(ctx), segmentFilter(segment)),
    }),
  }),
});

builder.queryFields((t) => ({
  segment: t.prismaField({
    type: "Segment",
    nullable: true,
    authScopes: CUSTOMERS_READ,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "Segment");
      return id ? findSegment(adminService(ctx), id, query) : null;
    },
  }),
  segments: t.prismaConnection(
    {
      type: "Segment",
      cursor: "id",
      authScopes: CUSTOMERS_READ,
      description: "The tenant's segments, newest first.",
      resolve: (query, _root, _args, ctx) => listSegments(adminService(ctx), query),
    },
    { name: "SegmentConnection" },
  ),
}));

const SegmentInput = builder.inputType("SegmentInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1 to 100 characters, unique within the tenant." }),
    description: t.string({ description: "At most 1000 characters." }),
    filter: t.field({ type: CustomerFilterInput, required: true }),
  }),
});

const SegmentPatch = builder.inputType("SegmentPatch", {
  description: "Only the fields given change; description: null clears it.",
  fields: (t) => ({
    name: t.string(),
    description: t.string(),
    filter: t.field({ type: CustomerFilterInput }),
  }),
});

const returnsSegment = mutationResult(SegmentRef, "segment", CUSTOMERS_WRITE);
const segmentId = (id: string) => localIdOrNull(id, "Segment") ?? "";

builder.mutationFields((t) => ({
  createSegment: t.field({
    ...returnsSegment,
    description:
      "Saves a filter under a name. The filter is checked against the tenant's custom fields first: nothing is saved if it fails.",
    args: { input: t.arg({ type: SegmentInput, required: true }) },
    resolve: (_root, { input }, ctx) => createSegment(adminService(ctx), { ...input, filter: input.filter as CustomerFilter }),
  }),
  updateSegment: t.field({
    ...returnsSegment,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: SegmentPatch, required: true }) },
    resolve: (_root, { id, input }, ctx) =>
      updateSegment(adminService(ctx), segmentId(id), { ...input, filter: input.filter as CustomerFilter | null | undefined }),
  }),
  deleteSegment: t.field({
    ...mutationResult("ID", "deletedSegmentId", CUSTOMERS_WRITE),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => deleteSegment(adminService(ctx), segmentId(id))),
  }),
}));
