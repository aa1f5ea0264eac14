import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { isUuid } from "../customers/guards.ts";
import { findCustomObjects, type PageQuery } from "./search.ts";

const readScope = { adminScope: "CUSTOMERS_READ" } as const;

builder.queryFields((t) => ({
  customObject: t.prismaField({
    type: "CustomObject",
    nullable: true,
    authScopes: readScope,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => {
      const relations = { ...query };
      const id = localIdOrNull(args.id, "CustomObject");
      if (!id || !isUuid(id)) return null;
      return ctx.db.customObject.findFirst({ ...relations, where: { id, tenantId: adminService(ctx).tenantId } });
    },
  }),
  customObjects: t.prismaConnection({
    type: "CustomObject",
    cursor: "id",
    authScopes: readScope,
    description: "The tenant's objects of one name, newest first.",
    args: {
      name: t.arg.string({ required: true }),
      filter: t.arg({
        type: "JSONObject",
        description: "Only objects whose data contains this (jsonb @>): every key given, with an equal or containing value.",
      }),
    },
    resolve: (query, _root, args, ctx) =>
      findCustomObjects(adminService(ctx), { name: args.name, filter: args.filter }, query as PageQuery),
  }),
}));
