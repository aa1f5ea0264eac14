import { queryFromInfo } from "@pothos/plugin-prisma";
import { builder } from "../graphql/builder.ts";
import { assertForwardOnly, SortDirection, TimeRange } from "../graphql/common.ts";
import { adminService, type GraphQLContext } from "../graphql/context.ts";
import { sqlRead, sqlReadById } from "../graphql/sql-read/root.ts";
import type { Customer } from "../generated/prisma/client.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { CUSTOMERS_READ } from "../graphql/policies.ts";
import { findCustomer, type CustomerKey } from "./lookup.ts";
import { CustomerRef, CustomerStatusEnum } from "./schema.ts";
import { countCustomers, cursorOf, loadCustomers, searchCustomerIds, type CustomerFilter } from "./search.ts";

// Admin: finding customers — by id, by one exact key (customerByUid/Email/Username/Phone), or a
// filtered, keyset-paginated search.

const StringMatch = builder.inputType("StringMatch", {
  description: "Give one or more; they combine with AND. Matching is case-insensitive for emails, usernames and names.",
  fields: (t) => ({
    equals: t.string(),
    startsWith: t.string(),
    contains: t.string(),
  }),
});

const CustomerFilterInput = builder.inputType("CustomerFilter", {
  description: "Every given criterion must hold (AND).",
  fields: (t) => ({
    status: t.field({ type: [CustomerStatusEnum], description: "Any of these statuses." }),
    email: t.field({ type: StringMatch, description: "Any of the customer's emails matches." }),
    phone: t.field({ type: StringMatch, description: "Any of the customer's phones (E.164) matches." }),
    username: t.field({ type: StringMatch }),
    name: t.field({ type: StringMatch, description: "Matches first, middle, last name and nickname." }),
    createdAt: t.field({ type: TimeRange }),
    lastLoginAt: t.field({ type: TimeRange }),
    customFields: t.field({ type: "JSONObject", description: "Each key must be present with an equal value." }),
  }),
});

const CustomerOrder = builder.inputType("CustomerOrder", {
  description: "Customers are ordered by creation time (ties broken by id).",
  fields: (t) => ({ direction: t.field({ type: SortDirection, required: true, defaultValue: "DESC" }) }),
});

/** customerBy<Key>(value): one exact, indexed lookup each, generated from one definition. */
const LOOKUPS = {
  Uid: { key: (uid: string): CustomerKey => ({ uid }), description: undefined },
  Email: { key: (email: string): CustomerKey => ({ email }), description: "Exact, case-insensitive." },
  Username: { key: (username: string): CustomerKey => ({ username }), description: "Exact, case-insensitive." },
  Phone: { key: (phone: string): CustomerKey => ({ phone }), description: "Exact; spaces, dashes and parentheses are ignored." },
} as const;

for (const [name, { key, description }] of Object.entries(LOOKUPS)) {
  builder.queryField(`customerBy${name}`, (t) =>
    t.prismaField({
      type: "Customer",
      nullable: true,
      authScopes: CUSTOMERS_READ,
      description,
      args: { value: t.arg.string({ required: true }) },
      resolve: (query, _root, args, ctx) => findCustomer(adminService(ctx), key(args.value), query),
    }),
  );
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
  before?: string | null;
  last?: number | null;
  filter?: unknown;
  orderBy?: { direction?: "ASC" | "DESC" | null } | null;
}

/** One page of customer ids and its pageInfo: shared by the resolver and the SQL read below. */
async function customerPage(args: PageArgs, ctx: GraphQLContext) {
  assertForwardOnly(args);
  const service = adminService(ctx);
  const filter = (args.filter ?? {}) as CustomerFilter;
  const page = await searchCustomerIds(service, {
    filter,
    first: args.first ?? 20,
    after: args.after,
    direction: args.orderBy?.direction ?? "DESC",
  });
  const pageInfo = { hasNextPage: page.hasNextPage, hasPreviousPage: false, startCursor: page.startCursor, endCursor: page.endCursor };
  return { service, filter, page, pageInfo };
}

builder.queryFields((t) => ({
  customer: t.prismaField({
    type: "Customer",
    nullable: true,
    authScopes: CUSTOMERS_READ,
    args: { id: t.arg.id({ required: true }) },
    extensions: sqlReadById("Customer"),
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "Customer");
      return id ? findCustomer(adminService(ctx), { id }, query) : null;
    },
  }),
  customers: t.connection(
    {
      type: CustomerRef,
      authScopes: CUSTOMERS_READ,
      description: "Keyset-paginated search: forward only (first/after), at most 100 a page.",
      args: {
        filter: t.arg({ type: CustomerFilterInput }),
        orderBy: t.arg({ type: CustomerOrder }),
      },
      extensions: sqlRead({
        kind: "page",
        model: "Customer",
        cursorFields: ["id", "createdAt"],
        page: async (args, ctx) => {
          const { service, page, pageInfo } = await customerPage(args, ctx as GraphQLContext);
          return { rows: { tenantId: service.tenantId, ids: page.ids }, pageInfo, cursor: (row) => cursorOf(row as Customer) };
        },
      }),
      resolve: async (_root, args, ctx, info) => {
        const { service, filter, page, pageInfo } = await customerPage(args, ctx);
        const query = queryFromInfo({ context: ctx, info, path: ["edges", "node"] });
        const nodes = await loadCustomers(service, page.ids, query);
        return {
          edges: nodes.map((node) => ({ cursor: cursorOf(node), node })),
          pageInfo,
          count: () => countCustomers(service, filter),
        };
      },
    },
    {
      name: "CustomerConnection",
      fields: (c) => ({
        totalCount: c.int({
          description: "All matches, not just this page. Costs a count over every match: ask only when needed.",
          resolve: (conn) => (conn as unknown as { count: () => Promise<number> }).count(),
        }),
      }),
    },
  ),
}));
