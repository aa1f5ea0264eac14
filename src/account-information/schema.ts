import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { CUSTOMER_DATA, CUSTOMERS_READ } from "../graphql/policies.ts";
import { downloadAccountInformation, type AccountInformationFile } from "./service.ts";

// Admin: download everything about one customer (the customer's own download, for themself:
// myAccountInformation in account/my-data.schema.ts).

export const AccountInformationFormatEnum = builder.enumType("AccountInformationFormat", {
  values: {
    JSON: { description: "The document as JSON (application/json); `data` holds it as an object too." },
    HTML: { description: "A readable, self-contained HTML page (inline CSS, no scripts, no external resources)." },
  } as const,
});

export const AccountInformationDocumentRef = builder.objectRef<AccountInformationFile>("AccountInformationDocument").implement({
  authScopes: CUSTOMER_DATA,
  description:
    "Everything about one customer: profile, emails, phones, identities, sessions, consents (full history), custom objects, " +
    "custom fields and the newest audit events about them (README: Account information download). Save `content` as `fileName`.",
  fields: (t) => ({
    format: t.field({ type: AccountInformationFormatEnum, resolve: (f) => f.format }),
    fileName: t.exposeString("fileName"),
    contentType: t.exposeString("contentType"),
    content: t.exposeString("content", { description: "The file: JSON text or an HTML page." }),
    data: t.field({
      type: "JSON",
      nullable: true,
      description: "JSON format only: the document as an object (the same as parsing `content`). Null for HTML.",
      resolve: (f) => (f.format === "JSON" ? f.document : null),
    }),
  }),
});

builder.queryFields((t) => ({
  accountInformation: t.field({
    type: AccountInformationDocumentRef,
    nullable: true,
    authScopes: CUSTOMERS_READ,
    description:
      "Everything about one customer, as JSON or HTML, with every custom field and admin-only field. Records " +
      "customer.account_information_downloaded. Null for an unknown customer, as customer(id) answers.",
    args: {
      customerId: t.arg.id({ required: true }),
      format: t.arg({ type: AccountInformationFormatEnum, required: true, defaultValue: "JSON" }),
    },
    resolve: (_root, args, ctx) => {
      const id = localIdOrNull(args.customerId, "Customer");
      return id ? downloadAccountInformation(adminService(ctx), id, args.format) : null;
    },
  }),
}));
