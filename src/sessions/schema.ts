import type { Session } from "../generated/prisma/client.ts";
import { builder } from "../graphql/builder.ts";
import { mutationResult } from "../graphql/common.ts";
import { customerOwnedNode } from "../graphql/nodes.ts";
import { adminService } from "../graphql/context.ts";
import { localId } from "../graphql/ids.ts";
import { CUSTOMER_DATA, CUSTOMERS_WRITE } from "../graphql/policies.ts";
import { activeWhere, endedWhere, isActive, revokeSession } from "./service.ts";

interface Geo {
  country: string | null;
  region: string | null;
  city: string | null;
}

const GeoRef = builder.objectRef<Geo>("Geo").implement({
  authScopes: CUSTOMER_DATA,
  description:
    "Coarse location, as resolved from the IP address when the session started (GEOIP). Data: IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0 — credit it wherever you show it.",
  fields: (t) => ({
    country: t.exposeString("country", { nullable: true, description: "ISO 3166-1 alpha-2." }),
    region: t.exposeString("region", { nullable: true }),
    city: t.exposeString("city", { nullable: true }),
  }),
});

const geoOf = (s: Session): Geo | null =>
  s.geoCountry || s.geoRegion || s.geoCity ? { country: s.geoCountry, region: s.geoRegion, city: s.geoCity } : null;

export const SessionRef = builder.prismaNode("Session", {
  ...customerOwnedNode,
  description: "One signed-in device of a customer. Kept after it ends (revoked or expired).",
  fields: (t) => ({
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastSeenAt: t.expose("lastSeenAt", { type: "DateTime" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", description: "The latest the session can last, however much it is used." }),
    idleExpiresAt: t.expose("idleExpiresAt", {
      type: "DateTime",
      nullable: true,
      description: "Unless used (refreshed) before this, the session ends here (SESSION_IDLE_TIMEOUT_SECONDS). Null: no idle limit.",
    }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
    active: t.boolean({ description: "Not revoked, not expired and not idle past its idle timeout.", resolve: (s) => isActive(s) }),
    ip: t.exposeString("ip", { nullable: true }),
    userAgent: t.exposeString("userAgent", { nullable: true }),
    browser: t.exposeString("browser", { nullable: true, description: 'Name and major version, e.g. "Firefox 120".' }),
    os: t.exposeString("os", { nullable: true, description: 'e.g. "Ubuntu", "iOS 17.1".' }),
    device: t.exposeString("device", { nullable: true, description: "desktop, mobile, tablet, …" }),
    geo: t.field({ type: GeoRef, nullable: true, resolve: geoOf }),
    customer: t.relation("customer"),
  }),
});

builder.prismaObjectField("Customer", "sessions", (t) =>
  t.relatedConnection("sessions", {
    cursor: "id",
    description: "Newest first. active: true lists live sessions only, false ended ones; absent lists all.",
    totalCount: true,
    args: { active: t.arg.boolean() },
    query: ({ active }) => ({
      where: active == null ? {} : active ? activeWhere() : endedWhere(),
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    }),
  }),
);

builder.mutationFields((t) => ({
  revokeSession: t.field({
    ...mutationResult(SessionRef, "session", CUSTOMERS_WRITE),
    description: "Signs one session out. A session that already ended is returned unchanged.",

    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => revokeSession(adminService(ctx), localId(id, "Session", "SESSION_NOT_FOUND")),
  }),
}));
