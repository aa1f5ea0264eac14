import { queryFromInfo } from "@pothos/plugin-prisma";
import type { GraphQLResolveInfo } from "graphql";
import type { ServiceContext } from "../service-context.ts";
import { builder } from "../graphql/builder.ts";
import { assertForwardOnly } from "../graphql/common.ts";
import { adminService, type GraphQLContext } from "../graphql/context.ts";
import { sqlRead, sqlReadById } from "../graphql/sql-read/root.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { CUSTOMERS_READ } from "../graphql/policies.ts";
import { findCustomer, type CustomerKey } from "./lookup.ts";
import { CustomerRef } from "./schema.ts";
import { CustomerFilterInput, CustomerOrder } from "./filter.schema.ts";
import type { CustomerFilter } from "./filter.ts";
import type { CustomerOrder as Order } from "./sort.ts";
import { loadCustomers, searchCustomers, type CustomerSearch } from "./search.ts";

// Admin: finding customers — by id, by one exact key (customerByUid/Email/Username/Phone), or a
// filtered, keyset-paginated search.

/** A page of a customer search (customers, Segment.customers) with its counts, asked for separately. */
export const CustomerConnection = builder.connectionObject({
  type: CustomerRef,
  name: "CustomerConnection",
  fields: (c) => ({
    totalCount: c.int({
      description: "All matches, not just this page. Costs a count over every match: ask only when needed.",
      resolve: (conn) => (conn as unknown as { search: CustomerSearch }).search.count(),
    }),
    estimatedCount: c.int({
      description: "The database planner's estimate of all matches: no rows read, so cheap on any result size; approximate.",
      resolve: (conn) => (conn as unknown as { search: CustomerSearch }).search.estimate(),
    }),
  }),
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
  filter?: CustomerFilter | Record<string, unknown> | null;
  orderBy?: Order | null;
}

/**
 * One page of a customer search and its pageInfo: shared by `customers`, `Segment.customers`
 * and the SQL read below. `filterPath` names where the filter came from in error paths.
 */
export async function customerPage(service: ServiceContext, args: PageArgs, filterPath = "filter") {
  assertForwardOnly(args);
  const search = await searchCustomers(service, {
    filter: args.filter as CustomerFilter | null | undefined,
    first: args.first ?? 20,
    after: args.after,
    orderBy: args.orderBy,
    filterPath,
  });
  const { page } = search;
  const pageInfo = { hasNextPage: page.hasNextPage, hasPreviousPage: false, startCursor: page.startCursor, endCursor: page.endCursor };
  const cursorOf = new Map(page.ids.map((id, i) => [id, page.cursors[i]]));
  return { search, pageInfo, cursor: (row: { id: string }) => cursorOf.get(row.id) ?? "" };
}

/** Customers by row id, null for one deleted since: the `load` of a `t.loadable` customer field (AuditEvent, ConnectorDelivery). */
export async function loadCustomersOrNull(ids: string[], ctx: GraphQLContext) {
  const found = new Map((await loadCustomers(adminService(ctx), ids)).map((c) => [c.id, c]));
  return ids.map((id) => found.get(id) ?? null);
}

/** The connection of a customer search: loads the page's customers with the selection's relations. */
export async function customerConnection(
  service: ServiceContext,
  args: PageArgs,
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
  filterPath?: string,
) {
  const { search, pageInfo, cursor } = await customerPage(service, args, filterPath);
  const query = queryFromInfo({ context: ctx, info, path: ["edges", "node"] });
  const nodes = await loadCustomers(service, search.page.ids, query);
  return { edges: nodes.map((node) => ({ cursor: cursor(node), node })), pageInfo, search };
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
        cursorFields: ["id"],
        page: async (args, ctx) => {
          const service = adminService(ctx as GraphQLContext);
          const { search, pageInfo, cursor } = await customerPage(service, args);
          return { rows: { tenantId: service.tenantId, ids: search.page.ids }, pageInfo, cursor: (row) => cursor(row as { id: string }) };
        },
      }),
      resolve: (_root, args, ctx, info) => customerConnection(adminService(ctx), args, ctx, info),
    },
    CustomerConnection,
  ),
}));
