import { z } from "zod";
import { isUniqueViolation } from "../db/unique.ts";
import { diff, transact, type Tx } from "../db/transact.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { Application, Prisma } from "../generated/prisma/client.ts";
import type { NotificationKind } from "../generated/prisma/enums.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { checkTemplate, NOTIFICATION_KINDS, type Template } from "./templates.ts";

// Applications (clients): a name, an optional organization, the branding and the notification
// templates of the messages sent in their name. Managed by TENANT_ADMIN (src/notifications/applications.schema.ts).

export interface Branding {
  displayName: string;
  senderAddress?: string | null;
  primaryColor?: string | null;
  accentColor?: string | null;
  logoUrl?: string | null;
}

export interface TemplateInput extends Template {
  kind: NotificationKind;
}

export interface ApplicationInput {
  name: string;
  organizationId?: string | null;
  branding: Branding;
  passwordResetUrl?: string | null;
  templates?: TemplateInput[] | null;
}

export type ApplicationPatch = Partial<{ [K in keyof ApplicationInput]: ApplicationInput[K] | null }>;

const httpsUrl = z
  .url({ protocol: /^https$/, message: "an https:// URL" })
  .max(2000, "at most 2000 characters")
  .refine((u) => !/[\s"'<>]/.test(u), "no spaces, quotes or angle brackets");
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour as #rrggbb");

const branding = z.object({
  displayName: z.string().trim().min(1, "give a display name").max(100, "at most 100 characters"),
  senderAddress: z.email("an email address").max(254).nullish(),
  primaryColor: color.nullish(),
  accentColor: color.nullish(),
  logoUrl: httpsUrl.nullish(),
});

const template = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  subject: z.string().min(1, "give a subject").max(500, "at most 500 characters"),
  text: z.string().min(1, "give a text body").max(20_000, "at most 20000 characters"),
  html: z.string().max(100_000, "at most 100000 characters").nullish(),
});

const fields = {
  name: z.string().trim().min(1, "give a name").max(100, "at most 100 characters"),
  branding,
  passwordResetUrl: httpsUrl.nullish(),
  templates: z.array(template).max(NOTIFICATION_KINDS.length).nullish(),
};

/** Templates as stored (by kind), after every one was checked; VALIDATION_FAILED names the bad part. */
function storedTemplates(list: z.output<typeof template>[] | null | undefined): Prisma.InputJsonObject {
  const byKind: Record<string, Template> = {};
  const issues = (list ?? []).flatMap((t, i) => {
    if (byKind[t.kind]) return [{ field: `input.templates.${i}.kind`, message: `${t.kind} is given twice` }];
    byKind[t.kind] = { subject: t.subject, text: t.text, html: t.html ?? null };
    return checkTemplate(t.kind, t, `input.templates.${i}`);
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return byKind as unknown as Prisma.InputJsonObject;
}

async function assertOrganization(tx: Tx, ctx: ServiceContext, organizationId: string | null | undefined) {
  if (!organizationId) return;
  const found = isUuid(organizationId) && (await tx.organization.findFirst({ where: { id: organizationId, tenantId: ctx.tenantId } }));
  if (!found) throw new ValidationError([{ field: "input.organizationId", message: "no such organization" }]);
}

async function translate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error, "name")) throw new ConflictError("APPLICATION_NAME_TAKEN", "name", "another application has this name");
    throw error;
  }
}

type Relations = { include?: Prisma.ApplicationInclude; select?: Prisma.ApplicationSelect };

/** One application of the tenant, or null. */
export async function findApplication(ctx: ServiceContext, id: string, relations: Relations = {}): Promise<Application | null> {
  return isUuid(id) ? ctx.db.application.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : null;
}

/** A page of the tenant's applications by name, as Pothos's prismaConnection asks for it. */
export function listApplications(ctx: ServiceContext, page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations) {
  const cursor = page.cursor?.id;
  if (cursor !== undefined && (typeof cursor !== "string" || !isUuid(cursor)))
    throw new ValidationError([{ field: "after", message: "not a cursor returned by this list" }]);
  return ctx.db.application.findMany({
    ...(page as object),
    cursor: cursor ? { id_tenantId: { id: cursor, tenantId: ctx.tenantId } } : undefined,
    where: { tenantId: ctx.tenantId },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
}

const eventData = (a: Application) => ({ applicationId: a.id, name: a.name, organizationId: a.organizationId });

/** Creates an application. Records `application.created`. Cost: one transaction (organization check, INSERT, event). */
export async function createApplication(ctx: ServiceContext, input: ApplicationInput): Promise<Application> {
  const parsed = parseInput(z.object({ ...fields, organizationId: z.string().nullish() }), input, "input");
  const templates = storedTemplates(parsed.templates);
  return translate(
    transact(ctx, async (tx, audit) => {
      await assertOrganization(tx, ctx, parsed.organizationId);
      const application = await tx.application.create({
        data: {
          tenantId: ctx.tenantId,
          name: parsed.name,
          organizationId: parsed.organizationId ?? null,
          branding: parsed.branding as Prisma.InputJsonObject,
          passwordResetUrl: parsed.passwordResetUrl ?? null,
          templates,
        },
      });
      await audit({ type: "application.created", data: { ...eventData(application), templates: Object.keys(templates) } });
      return application;
    }),
  );
}

/**
 * Changes what is given (templates given replace all of them; null clears organization,
 * passwordResetUrl and templates). Records `application.updated` with the changed fields; a change
 * to nothing records nothing.
 */
export async function updateApplication(ctx: ServiceContext, id: string, patch: ApplicationPatch): Promise<Application> {
  const parsed = parseInput(
    z.object({
      name: fields.name.nullish(),
      branding: branding.nullish(),
      passwordResetUrl: fields.passwordResetUrl,
      templates: fields.templates,
    }),
    patch,
    "input",
  );
  const templates = patch.templates === undefined ? undefined : storedTemplates(parsed.templates);
  return translate(
    transact(ctx, async (tx, audit) => {
      const before = isUuid(id) ? await tx.application.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
      if (!before) throw new NotFoundError("APPLICATION_NOT_FOUND");
      if (patch.organizationId) await assertOrganization(tx, ctx, patch.organizationId);
      const next = {
        name: parsed.name ?? before.name,
        organizationId: patch.organizationId === undefined ? before.organizationId : patch.organizationId,
        branding: (parsed.branding ?? before.branding) as Prisma.InputJsonObject,
        passwordResetUrl: parsed.passwordResetUrl === undefined ? before.passwordResetUrl : parsed.passwordResetUrl,
        templates: templates ?? (before.templates as Prisma.InputJsonObject),
      };
      const changes = diff(before as Record<string, unknown>, next);
      if (Object.keys(changes).length === 0) return before;
      const application = await tx.application.update({ where: { id: before.id }, data: next });
      await audit({ type: "application.updated", data: { ...eventData(application), changes } });
      return application;
    }),
  );
}

/** Deletes an application; its sent notifications stay in the log (application: null). Records `application.deleted`. */
export async function deleteApplication(ctx: ServiceContext, id: string): Promise<void> {
  await transact(ctx, async (tx, audit) => {
    const application = isUuid(id) ? await tx.application.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
    if (!application) throw new NotFoundError("APPLICATION_NOT_FOUND");
    await tx.application.delete({ where: { id: application.id } });
    await audit({ type: "application.deleted", data: eventData(application) });
  });
}

/** An application's template for `kind`, or null when it uses the default. */
export function applicationTemplate(application: Application, kind: NotificationKind): Template | null {
  return ((application.templates as Record<string, Template | undefined>)[kind] ?? null) as Template | null;
}
