import type { AuditWriter, Tx } from "../db/transact.ts";
import { NotFoundError, RuleViolationError } from "../errors.ts";
import type { Application, Customer } from "../generated/prisma/client.ts";
import type { NotificationKind } from "../generated/prisma/enums.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { applicationTemplate, type Branding } from "./applications.ts";
import { DEFAULT_TEMPLATES, renderTemplate } from "./templates.ts";

// The outbox side of customer notifications. queueNotification runs inside the transaction of the
// change it reports: the message is rendered and written there, so a change that rolls back queues
// nothing and one that commits always has its message. An undeliverable notification (no primary
// email, an application the customer may not be notified through) throws, and the change with it.
// The worker (worker.ts) sends it afterwards.

/** What an admin mutation's `notify` argument asks for. */
export interface NotifyRequest {
  applicationId: string;
}

/** The variables a kind carries besides the customer and the application (templates.ts KIND_VARIABLES). */
export interface NotificationVariables {
  changedFields?: string[];
  resetToken?: { token: string; expiresAt: Date };
  authenticator?: { kind: string; label: string };
}

export interface QueueNotificationInput {
  customerId: string;
  applicationId: string;
  kind: NotificationKind;
  variables?: NotificationVariables;
}

/**
 * Seed 002 ("About clients"): a member of an organization is notified only through an application
 * of an organization they belong to (its branding); a customer in no organization only through an
 * application of no organization.
 */
async function assertApplicationFor(tx: Tx, ctx: ServiceContext, application: Application, customerId: string) {
  const memberships = await tx.organizationMembership.findMany({
    where: { tenantId: ctx.tenantId, customerId },
    select: { organizationId: true },
  });
  const allowed =
    application.organizationId === null
      ? memberships.length === 0
      : memberships.some((m) => m.organizationId === application.organizationId);
  if (!allowed) {
    throw new RuleViolationError(
      "APPLICATION_NOT_ALLOWED",
      application.organizationId === null
        ? "the customer belongs to an organization: notify through one of its applications"
        : "the customer is not a member of this application's organization",
    );
  }
}

function resetLink(application: Application, token: string): string | null {
  if (!application.passwordResetUrl) return null;
  const url = new URL(application.passwordResetUrl);
  url.searchParams.set("token", token);
  return url.toString();
}

function view(customer: Customer, application: Application, email: string, variables: NotificationVariables) {
  const branding = application.branding as unknown as Branding;
  const reset = variables.resetToken;
  return {
    customer: { firstName: customer.firstName ?? "", lastName: customer.lastName ?? "", email },
    application: {
      name: application.name,
      displayName: branding.displayName,
      logoUrl: branding.logoUrl ?? null,
      primaryColor: branding.primaryColor ?? "#333333",
      accentColor: branding.accentColor ?? "#666666",
    },
    changedFields: variables.changedFields ?? [],
    authenticator: variables.authenticator ?? { kind: "", label: "" },
    ...(reset ? { token: reset.token, resetLink: resetLink(application, reset.token), expiresAt: reset.expiresAt.toISOString() } : {}),
  };
}

/**
 * Queues one notification in the caller's transaction (the customer locked by the caller): checks
 * the application (APPLICATION_NOT_FOUND, APPLICATION_NOT_ALLOWED) and the primary email
 * (NOT_NOTIFIABLE), renders the application's template for `kind` (or the default) and writes the
 * outbox row. Records `customer.notification_queued` (kind, application, recipient — never the body).
 * Cost: three reads (application, memberships, customer) and one INSERT.
 */
export async function queueNotification(tx: Tx, ctx: ServiceContext, audit: AuditWriter, input: QueueNotificationInput): Promise<string> {
  const application = isUuid(input.applicationId)
    ? await tx.application.findFirst({ where: { id: input.applicationId, tenantId: ctx.tenantId } })
    : null;
  if (!application) throw new NotFoundError("APPLICATION_NOT_FOUND");
  await assertApplicationFor(tx, ctx, application, input.customerId);
  const customer = await tx.customer.findFirst({ where: { id: input.customerId, tenantId: ctx.tenantId } });
  if (!customer) throw new NotFoundError("CUSTOMER_NOT_FOUND");
  if (!customer.primaryEmail) throw new RuleViolationError("NOT_NOTIFIABLE", "the customer has no primary email to notify");
  const template = applicationTemplate(application, input.kind) ?? DEFAULT_TEMPLATES[input.kind];
  const message = renderTemplate(template, view(customer, application, customer.primaryEmail, input.variables ?? {}));
  const branding = application.branding as unknown as Branding;
  const notification = await tx.notification.create({
    data: {
      tenantId: ctx.tenantId,
      customerId: customer.id,
      applicationId: application.id,
      kind: input.kind,
      recipient: customer.primaryEmail,
      sender: formatSender(branding.displayName, branding.senderAddress ?? null),
      subject: message.subject,
      textBody: message.text,
      htmlBody: message.html,
    },
  });
  await audit({
    type: "customer.notification_queued",
    customerId: customer.id,
    data: { notificationId: notification.id, kind: input.kind, applicationId: application.id, recipient: customer.primaryEmail },
  });
  return notification.id;
}

/**
 * The From header: the display name with the application's address, or with an empty address that
 * the worker fills with SMTP_FROM (the row stays readable without the deployment's configuration).
 */
function formatSender(displayName: string, address: string | null): string {
  return JSON.stringify({ name: displayName, address });
}
