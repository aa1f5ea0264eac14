import { ValidationError } from "../errors.ts";
import type { Notification, Prisma } from "../generated/prisma/client.ts";
import type { NotificationStatus } from "../generated/prisma/enums.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";

// The delivery log: notifications (status, attempts, last error) and their attempts. Bodies are not
// exposed: they are cleared once a notification is sent or failed, and a reset link is a secret.

type Relations = { include?: Prisma.NotificationInclude; select?: Prisma.NotificationSelect };

/** One notification of the tenant, or null. */
export async function findNotification(ctx: ServiceContext, id: string, relations: Relations = {}): Promise<Notification | null> {
  return isUuid(id) ? ctx.db.notification.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : null;
}

/** A page of the tenant's notifications, newest first, optionally of one status. Cost: one statement on (tenant_id, created_at, id). */
export function listNotifications(
  ctx: ServiceContext,
  filter: { status?: NotificationStatus | null },
  page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations,
) {
  const cursor = page.cursor?.id;
  if (cursor !== undefined && (typeof cursor !== "string" || !isUuid(cursor)))
    throw new ValidationError([{ field: "after", message: "not a cursor returned by this list" }]);
  return ctx.db.notification.findMany({
    ...(page as object),
    cursor: cursor ? { id_tenantId: { id: cursor, tenantId: ctx.tenantId } } : undefined,
    where: { tenantId: ctx.tenantId, ...(filter.status ? { status: filter.status } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}
