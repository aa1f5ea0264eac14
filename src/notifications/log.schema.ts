import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { CUSTOMERS_READ, NOTIFICATION_DATA } from "../graphql/policies.ts";
import { NotificationKindEnum } from "./applications.schema.ts";
import { findNotification, listNotifications } from "./log.ts";

// The notification delivery log: Query.notification(s), Customer.notifications, and each
// notification's attempts. Readable with CUSTOMERS_READ (it is about customers).

const NotificationStatusEnum = builder.enumType("NotificationStatus", { values: ["PENDING", "SENDING", "SENT", "FAILED"] as const });

builder.prismaObject("NotificationAttempt", {
  authScopes: NOTIFICATION_DATA,
  description: "One try at sending a notification.",
  fields: (t) => ({
    number: t.exposeInt("number"),
    ok: t.exposeBoolean("ok"),
    detail: t.exposeString("detail", { nullable: true, description: "The SMTP server's answer or the error (never the message)." }),
    durationMs: t.exposeInt("durationMs"),
    at: t.expose("at", { type: "DateTime" }),
  }),
});

builder.prismaNode("Notification", {
  ...adminOnlyNode(NOTIFICATION_DATA),
  description: "A message to a customer about a change to their account, and how its delivery went.",
  fields: (t) => ({
    kind: t.expose("kind", { type: NotificationKindEnum }),
    status: t.expose("status", { type: NotificationStatusEnum }),
    recipient: t.exposeString("recipient"),
    subject: t.exposeString("subject"),
    channel: t.exposeString("channel", { nullable: true, description: "SMTP or CONNECTORS, once sent." }),
    attempts: t.exposeInt("attempts"),
    lastError: t.exposeString("lastError", { nullable: true }),
    nextAttemptAt: t.field({
      type: "DateTime",
      description: "When the next attempt is due (while PENDING or SENDING).",
      nullable: true,
      resolve: (n) => (n.status === "PENDING" || n.status === "SENDING" ? n.nextAttemptAt : null),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    sentAt: t.expose("sentAt", { type: "DateTime", nullable: true }),
    customer: t.relation("customer"),
    application: t.relation("application", { nullable: true, description: "Null once the application was deleted." }),
    attemptLog: t.relation("attemptLog", { query: { orderBy: { number: "asc" } } }),
  }),
});

builder.prismaObjectField("Customer", "notifications", (t) =>
  t.relatedConnection("notifications", {
    cursor: "id",
    authScopes: CUSTOMERS_READ,
    description: "Notifications sent (or being sent) to the customer, newest first.",
    totalCount: true,
    query: () => ({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
  }),
);

builder.queryFields((t) => ({
  notification: t.prismaField({
    type: "Notification",
    nullable: true,
    authScopes: CUSTOMERS_READ,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "Notification");
      return id ? findNotification(adminService(ctx), id, query) : null;
    },
  }),
  notifications: t.prismaConnection(
    {
      type: "Notification",
      cursor: "id",
      authScopes: CUSTOMERS_READ,
      description: "The tenant's notifications, newest first; status: only those in that state.",
      args: { status: t.arg({ type: NotificationStatusEnum }) },
      resolve: (query, _root, args, ctx) => listNotifications(adminService(ctx), { status: args.status }, query),
    },
    { name: "NotificationConnection" },
  ),
}));
