import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { localId, localIdOrNull } from "../graphql/ids.ts";
import { createCustomObject, deleteCustomObject, updateCustomObject } from "./service.ts";
import { CustomObjectRef } from "./types.ts";

const writeScope = { adminScope: "CUSTOMERS_WRITE" } as const;
const returnsObject = { type: CustomObjectRef, authScopes: writeScope, errors: { dataField: { name: "customObject" } } } as const;
const objectId = (id: string) => localIdOrNull(id, "CustomObject") ?? "";

builder.mutationFields((t) => ({
  createCustomObject: t.field({
    ...returnsObject,
    args: {
      customerId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true, description: "Letters, digits, dashes, underscores; up to 64, starting with a letter." }),
      data: t.arg({ type: "JSONObject", required: true, description: "At most 64 KiB." }),
    },
    resolve: (_root, args, ctx) =>
      createCustomObject(adminService(ctx), localId(args.customerId, "Customer", "CUSTOMER_NOT_FOUND"), {
        name: args.name,
        data: args.data,
      }),
  }),
  updateCustomObject: t.field({
    ...returnsObject,
    description: "Replaces the data, or with merge: true overlays the given top-level keys on it.",
    args: {
      id: t.arg.id({ required: true }),
      data: t.arg({ type: "JSONObject", required: true }),
      merge: t.arg.boolean({ defaultValue: false }),
    },
    resolve: (_root, args, ctx) => updateCustomObject(adminService(ctx), objectId(args.id), { data: args.data, merge: args.merge }),
  }),
  deleteCustomObject: t.field({
    type: "ID",
    authScopes: writeScope,
    errors: { dataField: { name: "deletedCustomObjectId" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await deleteCustomObject(adminService(ctx), objectId(id));
      return id;
    },
  }),
}));
