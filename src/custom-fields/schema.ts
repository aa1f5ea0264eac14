import { IncompatibleValuesError } from "../errors.ts";
import { CustomFieldAccess, CustomFieldIndexState, CustomFieldType } from "../generated/prisma/enums.ts";
import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { CUSTOM_FIELD_DATA, TENANT_ADMIN } from "../graphql/policies.ts";
import type { DefinitionUpdate } from "./definition-input.ts";
import {
  allowsUndefinedFields,
  defineCustomField,
  listDefinitions,
  setAllowUndefinedFields,
  setCustomFieldRetired,
  updateCustomField,
} from "./service.ts";
import type { FieldRules } from "./validator.ts";

// Admins define the tenant's custom fields (typed, validated on every write, optionally indexed
// for search, with per-audience visibility); see service.ts.

const TypeEnum = builder.enumType(CustomFieldType, { name: "CustomFieldType" });
const AccessEnum = builder.enumType(CustomFieldAccess, {
  name: "CustomFieldAccess",
  description:
    "ADMIN_ONLY: hidden from the customer. CUSTOMER_READ: shown on me. CUSTOMER_EDIT: shown on me and editable in updateMyProfile.",
});
const IndexStateEnum = builder.enumType(CustomFieldIndexState, { name: "CustomFieldIndexState" });

export const CustomFieldDefinitionRef = builder.prismaNode("CustomFieldDefinition", {
  ...adminOnlyNode(CUSTOM_FIELD_DATA),
  description: "The type, rules, search index and visibility of one key of Customer.customFields.",
  fields: (t) => {
    const rule = (name: keyof FieldRules) => (d: { rules: unknown }) => (d.rules as FieldRules)[name] ?? null;
    return {
      key: t.exposeString("key", { description: "Immutable." }),
      type: t.expose("type", { type: TypeEnum }),
      description: t.exposeString("description", { nullable: true }),
      required: t.exposeBoolean("required"),
      defaultValue: t.field({
        type: "JSON",
        nullable: true,
        description: "Written on create when absent.",
        resolve: (d) => d.defaultValue,
      }),
      enumValues: t.exposeStringList("enumValues"),
      minLength: t.int({ nullable: true, resolve: rule("minLength") as never }),
      maxLength: t.int({ nullable: true, resolve: rule("maxLength") as never }),
      pattern: t.string({ nullable: true, description: "RE2 syntax.", resolve: rule("pattern") as never }),
      minimum: t.field({ type: "JSON", nullable: true, resolve: rule("minimum") }),
      maximum: t.field({ type: "JSON", nullable: true, resolve: rule("maximum") }),
      maxItems: t.int({ nullable: true, resolve: rule("maxItems") as never }),
      searchable: t.exposeBoolean("searchable"),
      pii: t.exposeBoolean("pii"),
      access: t.expose("access", { type: AccessEnum }),
      indexState: t.expose("indexState", { type: IndexStateEnum }),
      indexNames: t.exposeStringList("indexNames"),
      retiredAt: t.expose("retiredAt", { type: "DateTime", nullable: true }),
      createdAt: t.expose("createdAt", { type: "DateTime" }),
      updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    };
  },
});

type InputFields = PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<never>, "InputObject">;

/** Define and update take the same fields; update never takes the key, and absent means unchanged. */
const definitionFields = (t: InputFields, required: boolean) => ({
  type: t.field({ type: TypeEnum, required }),
  description: t.string(),
  required: t.boolean(),
  defaultValue: t.field({ type: "JSON", description: "A value of the field's type passing its rules." }),
  enumValues: t.stringList({ description: "ENUM only: the allowed values." }),
  minLength: t.int({ description: "STRING, STRING_LIST items." }),
  maxLength: t.int({ description: "STRING, STRING_LIST items." }),
  pattern: t.string({
    description: "STRING, STRING_LIST items: an RE2 pattern (no backreferences, no lookaround), matched in linear time.",
  }),
  minimum: t.field({ type: "JSON", description: "INTEGER, DECIMAL: a number; DATE, DATETIME: a date string." }),
  maximum: t.field({ type: "JSON", description: "As minimum." }),
  maxItems: t.int({ description: "STRING_LIST." }),
  searchable: t.boolean({ description: "Indexed for filters and sorting (built after the change commits)." }),
  pii: t.boolean(),
  access: t.field({ type: AccessEnum }),
});

const DefineCustomFieldInput = builder.inputType("DefineCustomFieldInput", {
  fields: (t) => ({ key: t.string({ required: true }), ...definitionFields(t as never, true) }),
});

const UpdateCustomFieldInput = builder.inputType("UpdateCustomFieldInput", {
  description: "Absent fields stay as they are; null clears a rule, the description or the default.",
  fields: (t) => definitionFields(t as never, false),
});

// Beside the default typed errors, a definition change can meet values that do not fit it.
const incompatible: (typeof IncompatibleValuesError)[] = [IncompatibleValuesError];
const returnsDefinition = {
  type: CustomFieldDefinitionRef,
  authScopes: TENANT_ADMIN,
  errors: { dataField: { name: "customField" }, types: incompatible },
} as const;
const definitionId = (id: string) => localIdOrNull(id, "CustomFieldDefinition") ?? "";

builder.queryFields((t) => ({
  customFieldDefinitions: t.field({
    type: [CustomFieldDefinitionRef],
    authScopes: CUSTOM_FIELD_DATA,
    description: "The tenant's custom-field definitions, oldest first.",
    args: { includeRetired: t.arg.boolean({ defaultValue: false }) },
    resolve: (_root, args, ctx) => listDefinitions(adminService(ctx), args.includeRetired ?? false),
  }),
  allowUndefinedCustomFields: t.boolean({
    authScopes: CUSTOM_FIELD_DATA,
    description: "Whether customFields may hold keys without a definition once the tenant has definitions.",
    resolve: (_root, _args, ctx) => allowsUndefinedFields(adminService(ctx)),
  }),
}));

builder.mutationFields((t) => ({
  defineCustomField: t.field({
    ...returnsDefinition,
    description: "Defines a custom field. Records custom_field.defined; a searchable field answers once its indexes are built.",
    args: { input: t.arg({ type: DefineCustomFieldInput, required: true }) },
    resolve: (_root, { input }, ctx) => defineCustomField(adminService(ctx), input as never),
  }),
  updateCustomField: t.field({
    ...returnsDefinition,
    description:
      "Changes a field (not its key); a type or rule change checks the values customers hold first. Records custom_field.updated.",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateCustomFieldInput, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateCustomField(adminService(ctx), definitionId(id), input as DefinitionUpdate),
  }),
  retireCustomField: t.field({
    ...returnsDefinition,
    description: "Writes stop accepting the key and its indexes are dropped; values stay. Records custom_field.retired.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => setCustomFieldRetired(adminService(ctx), definitionId(id), true),
  }),
  restoreCustomField: t.field({
    ...returnsDefinition,
    description: "Undoes retireCustomField once the values customers hold fit the definition. Records custom_field.restored.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => setCustomFieldRetired(adminService(ctx), definitionId(id), false),
  }),
  setAllowUndefinedCustomFields: t.field({
    type: "Boolean",
    authScopes: TENANT_ADMIN,
    errors: { dataField: { name: "allowUndefinedCustomFields" } },
    description: "Whether writes may use keys without a definition once the tenant has definitions. Records tenant.updated.",
    args: { allow: t.arg.boolean({ required: true }) },
    resolve: (_root, { allow }, ctx) => setAllowUndefinedFields(adminService(ctx), allow),
  }),
}));
