import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "../graphql/builder.ts";
import { answeringId, mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { APPLICATION_DATA, TENANT_ADMIN } from "../graphql/policies.ts";
import type { NotificationKind as Kind } from "../generated/prisma/enums.ts";
import {
  createApplication,
  deleteApplication,
  findApplication,
  listApplications,
  updateApplication,
  type Branding,
  type TemplateInput,
} from "./applications.ts";
import { KIND_VARIABLES, NOTIFICATION_KINDS, type Template } from "./templates.ts";

// Applications (clients): TENANT_ADMIN manages them; CUSTOMERS_READ reads them (to choose the one a
// notification goes through). The NotifyInput of admin mutations is here too (customers/ imports it).

export const NotificationKindEnum = builder.enumType("NotificationKind", { values: NOTIFICATION_KINDS });

const BrandingRef = builder.objectRef<Branding>("ApplicationBranding").implement({
  authScopes: APPLICATION_DATA,
  fields: (t) => ({
    displayName: t.exposeString("displayName"),
    senderAddress: t.string({ nullable: true, resolve: (b) => b.senderAddress ?? null }),
    primaryColor: t.string({ nullable: true, resolve: (b) => b.primaryColor ?? null }),
    accentColor: t.string({ nullable: true, resolve: (b) => b.accentColor ?? null }),
    logoUrl: t.string({ nullable: true, resolve: (b) => b.logoUrl ?? null }),
  }),
});

const TemplateRef = builder.objectRef<Template & { kind: Kind }>("NotificationTemplate").implement({
  authScopes: APPLICATION_DATA,
  description: "A mustache template of one kind of notification. HTML bodies escape every value.",
  fields: (t) => ({
    kind: t.field({ type: NotificationKindEnum, resolve: (x) => x.kind }),
    subject: t.exposeString("subject"),
    text: t.exposeString("text"),
    html: t.string({ nullable: true, resolve: (x) => x.html ?? null }),
    variables: t.stringList({ description: "The names this kind's templates may use.", resolve: (x) => KIND_VARIABLES[x.kind] }),
  }),
});

export const ApplicationRef = builder.prismaNode("Application", {
  ...adminOnlyNode(APPLICATION_DATA),
  description: "A client customers reach their account through; brands the notifications sent in its name.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique within the tenant." }),
    organizationId: t.id({
      nullable: true,
      description:
        "The Organization it belongs to (only that organization's members are notified through it); null: customers in no organization.",
      resolve: (a) => (a.organizationId ? encodeGlobalID("Organization", a.organizationId) : null),
    }),
    branding: t.field({ type: BrandingRef, resolve: (a) => a.branding as unknown as Branding }),
    passwordResetUrl: t.exposeString("passwordResetUrl", { nullable: true }),
    templates: t.field({
      type: [TemplateRef],
      description: "Its own templates; a kind absent here sends the default template (with this branding).",
      resolve: (a) =>
        Object.entries(a.templates as unknown as Record<string, Template>).map(([kind, tpl]) => ({ ...tpl, kind: kind as Kind })),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.queryFields((t) => ({
  application: t.prismaField({
    type: "Application",
    nullable: true,
    authScopes: APPLICATION_DATA,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "Application");
      return id ? findApplication(adminService(ctx), id, query) : null;
    },
  }),
  applications: t.prismaConnection(
    {
      type: "Application",
      cursor: "id",
      authScopes: APPLICATION_DATA,
      description: "The tenant's applications by name.",
      resolve: (query, _root, _args, ctx) => listApplications(adminService(ctx), query),
    },
    { name: "ApplicationConnection" },
  ),
}));

const BrandingInput = builder.inputType("ApplicationBrandingInput", {
  fields: (t) => ({
    displayName: t.string({ required: true, description: "1 to 100 characters: the From name and the name in messages." }),
    senderAddress: t.string({ description: "The From address; absent: SMTP_FROM." }),
    primaryColor: t.string({ description: "#rrggbb" }),
    accentColor: t.string({ description: "#rrggbb" }),
    logoUrl: t.string({ description: "An https:// URL." }),
  }),
});

const TemplateInputType = builder.inputType("NotificationTemplateInput", {
  description:
    "Mustache: {{customer.firstName}} etc. (NotificationTemplate.variables); unknown names, partials and {{{ }}} in html are refused.",
  fields: (t) => ({
    kind: t.field({ type: NotificationKindEnum, required: true }),
    subject: t.string({ required: true }),
    text: t.string({ required: true }),
    html: t.string(),
  }),
});

const ApplicationInput = builder.inputType("ApplicationInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1 to 100 characters, unique within the tenant." }),
    organizationId: t.id({ description: "An Organization global ID; absent: an application of no organization." }),
    branding: t.field({ type: BrandingInput, required: true }),
    passwordResetUrl: t.string({ description: "https:// URL the reset token is appended to (?token=)." }),
    templates: t.field({ type: [TemplateInputType] }),
  }),
});

const ApplicationPatch = builder.inputType("ApplicationPatch", {
  description:
    "Only the fields given change; templates given replace all of them; null clears organizationId, passwordResetUrl and templates.",
  fields: (t) => ({
    name: t.string(),
    organizationId: t.id(),
    branding: t.field({ type: BrandingInput }),
    passwordResetUrl: t.string(),
    templates: t.field({ type: [TemplateInputType] }),
  }),
});

const returnsApplication = mutationResult(ApplicationRef, "application", TENANT_ADMIN);
const applicationId = (id: string) => localIdOrNull(id, "Application") ?? "";
const organizationId = (id: string | null | undefined) => (id == null ? id : (localIdOrNull(id, "Organization") ?? "not-an-id"));

builder.mutationFields((t) => ({
  createApplication: t.field({
    ...returnsApplication,
    args: { input: t.arg({ type: ApplicationInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createApplication(adminService(ctx), {
        ...input,
        organizationId: organizationId(input.organizationId),
        templates: input.templates as TemplateInput[] | null,
      }),
  }),
  updateApplication: t.field({
    ...returnsApplication,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ApplicationPatch, required: true }) },
    resolve: (_root, { id, input }, ctx) =>
      updateApplication(adminService(ctx), applicationId(id), {
        ...input,
        organizationId: organizationId(input.organizationId),
        templates: input.templates as TemplateInput[] | null | undefined,
      }),
  }),
  deleteApplication: t.field({
    ...mutationResult("ID", "deletedApplicationId", TENANT_ADMIN),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => deleteApplication(adminService(ctx), applicationId(id))),
  }),
}));

/** The `notify` argument of admin mutations that change a customer's profile or sign-in methods. */
export const NotifyInput = builder.inputType("NotifyInput", {
  description:
    "Notify the customer of this change through an application (its branding and templates). A member of an organization can be " +
    "notified only through that organization's applications, anyone else only through applications of no organization " +
    "(APPLICATION_NOT_ALLOWED); a customer without a primary email cannot be (NOT_NOTIFIABLE). Either error leaves the change unmade.",
  fields: (t) => ({ application: t.id({ required: true, description: "An Application global ID." }) }),
});

/** The service form of a `notify` argument (an id of the wrong type finds no application). */
export const notifyRequest = (notify: { application: string } | null | undefined) =>
  notify ? { applicationId: localIdOrNull(notify.application, "Application") ?? "" } : undefined;
