// What a root field declares to be served by the SQL read (plugin.ts): which model its rows are,
// and how to find them — by ids within the caller's tenant, the tenant taken from the credential
// by the domain's own code (adminService). Everything below the root is planned from the
// selection and the Prisma model.

import { isUuid } from "../../ids.ts";
import { adminService, type GraphQLContext } from "../context.ts";
import { localIdOrNull } from "../ids.ts";

/** What a root field declares (in `extensions.sqlRead`) to be served by this mechanism. */
export type SqlRoot =
  | { kind: "one"; model: string; rows(args: Record<string, unknown>, ctx: unknown): Promise<RowsQuery> }
  | {
      kind: "page";
      model: string;
      /** The columns `cursor` of the page reads. */
      cursorFields: string[];
      page(args: Record<string, unknown>, ctx: unknown): Promise<RootPage>;
    };

/** The `extensions` of a root field served by the SQL read (src/graphql/sql-read/plugin.ts). */
export const sqlRead = (root: SqlRoot) => ({ sqlRead: root });

export interface RowsQuery {
  tenantId: string;
  ids: string[];
}

export interface RootPage {
  rows: RowsQuery;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** The edge cursor of a loaded row (its columns decoded as Prisma would). */
  cursor(row: Record<string, unknown>): string;
}

/**
 * `extensions` of an admin root field `(id: ID!)` answering one row of `model` by its global ID:
 * (id, tenant of the credential), as the find* services look it up; a malformed or foreign ID finds nothing.
 */
export const sqlReadById = (model: string) =>
  sqlRead({
    kind: "one",
    model,
    rows: async (args, ctx) => {
      const id = localIdOrNull(String(args.id), model);
      return { tenantId: adminService(ctx as GraphQLContext).tenantId, ids: id && isUuid(id) ? [id] : [] };
    },
  });
