import { builder } from "../graphql/builder.ts";
import { mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { CUSTOMERS_READ } from "../graphql/policies.ts";
import { CustomerFilterInput } from "../customers/filter.schema.ts";
import type { CustomerFilter } from "../customers/filter.ts";
import { ALL_FIELDS } from "./fields.ts";
import { createCustomerExport, type CustomerExportLink } from "./links.ts";
import { EXPORT_FORMATS, type ExportSelection } from "./selection.ts";

// Customer exports: a checked selection becomes a short-lived download link (GET /exports/<link>,
// download.ts). Reading customers is what it takes (CUSTOMERS_READ).

export const CustomerExportFormat = builder.enumType("CustomerExportFormat", { values: EXPORT_FORMATS });

const upperSnake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
export const CustomerExportField = builder.enumType("CustomerExportField", {
  description: "A field of the exported record (CSV column / JSON key of the same name, e.g. FIRST_NAME → firstName).",
  values: Object.fromEntries(ALL_FIELDS.map((f) => [upperSnake(f), { value: f }])),
});

export const CustomerExportSelection = builder.inputType("CustomerExportSelection", {
  description:
    "Which customers: all of them, a segment, a filter (both: customers in the segment that match the filter), within time windows.",
  fields: (t) => ({
    segmentId: t.id(),
    filter: t.field({ type: CustomerFilterInput }),
    createdAfter: t.field({ type: "DateTime", description: "Created at or after this instant." }),
    createdBefore: t.field({ type: "DateTime", description: "Created strictly before this instant." }),
    updatedAfter: t.field({ type: "DateTime", description: "Last changed at or after this instant." }),
    updatedBefore: t.field({ type: "DateTime", description: "Last changed strictly before this instant." }),
  }),
});

const CreateCustomerExportInput = builder.inputType("CreateCustomerExportInput", {
  fields: (t) => ({
    format: t.field({ type: CustomerExportFormat, defaultValue: "CSV" }),
    selection: t.field({ type: CustomerExportSelection, description: "Default: every customer of the tenant." }),
    fields: t.field({
      type: [CustomerExportField],
      description:
        "Default: the profile fields and the custom fields. ADDRESSES, EMAILS, PHONES, IDENTITIES, CONSENTS, CUSTOM_OBJECTS on request.",
    }),
  }),
});

const CustomerExportLinkRef = builder.objectRef<CustomerExportLink>("CustomerExportLink").implement({
  description: "Where to download an export: GET the url (on the gateway's origin) before it expires; no credential headers needed.",
  authScopes: CUSTOMERS_READ,
  fields: (t) => ({
    url: t.exposeString("url", { description: "Path of the download on the gateway, e.g. /exports/eyJ…" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    format: t.expose("format", { type: CustomerExportFormat }),
  }),
});

/** The selection as the service takes it: the segment's global ID decoded (a wrong one finds nothing). */
export const serviceSelection = (selection: typeof CustomerExportSelection.$inferInput | null | undefined): ExportSelection | null =>
  selection
    ? {
        ...selection,
        segmentId: selection.segmentId == null ? null : (localIdOrNull(selection.segmentId, "Segment") ?? "none"),
        filter: selection.filter as CustomerFilter | null | undefined,
      }
    : null;

builder.mutationFields((t) => ({
  createCustomerExport: t.field({
    ...mutationResult(CustomerExportLinkRef, "export", CUSTOMERS_READ),
    description:
      "Checks the selection and answers a download link valid for 10 minutes. Records export.created; the download records " +
      "export.completed (rows, bytes). A bad filter is a ValidationError and creates nothing.",
    args: { input: t.arg({ type: CreateCustomerExportInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createCustomerExport(adminService(ctx), ctx.auth.keys.masterKey, { ...input, selection: serviceSelection(input.selection) }),
  }),
}));
