import { customerReadable, visibleTo } from "../custom-fields/access.ts";
import { effectiveStatus } from "../customers/status.ts";
import type { AuditEvent, Prisma } from "../generated/prisma/client.ts";
import { sameJson } from "../json.ts";
import { isActive } from "../sessions/service.ts";
import type { AuditTrail, CustomerData } from "./gather.ts";

// The account-information document: everything about one customer, as plain JSON. Its shape is
// documented in the README ("Account information download") and is the same for both formats
// (the HTML page renders this object). Ids are row ids (uuids); times are ISO 8601 in UTC.

/** Who the document is for: an admin (everything), or the customer themself (what `me` shows them). */
export type Audience = "ADMIN" | "CUSTOMER";

/**
 * Customer fields only admins read (`authScopes: ADMIN_ONLY` on the Customer type):
 * test/account-information.test.ts checks this list against the schema.
 */
export const ADMIN_ONLY_PROFILE_FIELDS = ["blockReason", "blockedUntil"] as const;

type Json = Prisma.JsonValue;

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function accountDocument(data: CustomerData, trail: AuditTrail, audience: Audience, now = new Date()) {
  const readable = customerReadable(data.tenant.customFieldDefinitions);
  const forCustomer = audience === "CUSTOMER";
  const customFields = asRecord(data.customFields);
  return {
    generatedAt: now.toISOString(),
    audience,
    customer: profile(data, forCustomer, now),
    emails: contacts(data, "EMAIL", "address"),
    phones: contacts(data, "PHONE", "number"),
    identities: data.identities.map((i) => ({
      id: i.id,
      provider: i.provider,
      providerUserId: i.providerUserId,
      profile: i.profile,
      linkedAt: iso(i.linkedAt),
      lastUsedAt: iso(i.lastUsedAt),
    })),
    sessions: data.sessions.map((s) => sessionEntry(s, forCustomer, now)),
    consents: data.consents.map((c) => ({
      id: c.id,
      purpose: c.purpose,
      version: c.version,
      source: c.source,
      active: c.revokedAt === null,
      grantedAt: iso(c.grantedAt),
      revokedAt: iso(c.revokedAt),
      revokeSource: c.revokeSource,
    })),
    customObjects: data.customObjects.map((o) => ({
      id: o.id,
      name: o.name,
      data: o.data,
      createdAt: iso(o.createdAt),
      updatedAt: iso(o.updatedAt),
    })),
    customFields: forCustomer ? visibleTo(readable, customFields) : customFields,
    auditEvents: trail.events.map((e) => auditEntry(e, forCustomer ? readable : null)),
    truncated: trail.truncated,
    auditEventsTotal: trail.total,
  };
}

/** The Customer fields (as the API names them), less the admin-only ones for the customer. */
function profile(data: CustomerData, forCustomer: boolean, now: Date) {
  return {
    id: data.id,
    uid: data.uid,
    username: data.username,
    firstName: data.firstName,
    middleName: data.middleName,
    lastName: data.lastName,
    nickname: data.nickname,
    birthdate: data.birthdate?.toISOString().slice(0, 10) ?? null,
    gender: data.gender,
    locale: data.locale,
    timezone: data.timezone,
    company: data.company,
    jobTitle: data.jobTitle,
    addresses: data.addresses,
    status: effectiveStatus(data, now),
    ...(forCustomer ? {} : { blockReason: data.blockReason, blockedUntil: iso(data.blockedUntil) }),
    passwordChangedAt: iso(data.passwordChangedAt),
    createdAt: iso(data.createdAt),
    updatedAt: iso(data.updatedAt),
    lastLoginAt: iso(data.lastLoginAt),
  };
}

const contacts = (data: CustomerData, kind: "EMAIL" | "PHONE", valueName: string) =>
  data.contacts
    .filter((c) => c.kind === kind)
    .map((c) => ({
      [valueName]: c.normalized,
      enteredAs: c.value,
      primary: c.primary,
      verified: c.verified,
      verifiedAt: iso(c.verifiedAt),
      addedAt: iso(c.createdAt),
    }));

const sessionEntry = (s: CustomerData["sessions"][number], forCustomer: boolean, now: Date) => ({
  id: s.id,
  active: isActive(s, now),
  createdAt: iso(s.createdAt),
  lastSeenAt: iso(s.lastSeenAt),
  expiresAt: iso(s.expiresAt),
  idleExpiresAt: iso(s.idleExpiresAt),
  revokedAt: iso(s.revokedAt),
  // "admin:<credential id>" names a staff credential: the customer learns only who ended it.
  revokedBy: forCustomer ? (s.revokedBy?.split(":")[0] ?? null) : s.revokedBy,
  ip: s.ip,
  userAgent: s.userAgent,
  browser: s.browser,
  os: s.os,
  device: s.device,
  geo: { country: s.geoCountry, region: s.geoRegion, city: s.geoCity },
});

export type AccountDocument = ReturnType<typeof accountDocument>;

const isRecord = (v: unknown): v is Record<string, Json> => v !== null && typeof v === "object" && !Array.isArray(v);
const asRecord = (v: Json): Record<string, Json> => (isRecord(v) ? v : {});

/** One audit event; for the customer (`readable` set) without staff ids and admin-only values. */
function auditEntry(e: AuditEvent, readable: Set<string> | null) {
  return {
    seq: e.seq.toString(),
    type: e.type,
    occurredAt: iso(e.occurredAt),
    actor: { kind: e.actorKind, id: readable && e.actorKind === "ADMIN" ? null : e.actorId },
    ip: e.ip,
    userAgent: e.userAgent,
    data: readable ? customerVisibleData(e.data, readable) : e.data,
  };
}

/**
 * An event's data as the customer may see it: updates carry a before/after diff of Customer
 * fields (`data.changes`, see diff() in db/transact.ts), which drops the admin-only fields and
 * narrows customFields to the keys the customer reads, as `me` does.
 */
function customerVisibleData(data: Json, readable: Set<string>): Json {
  if (!isRecord(data) || !isRecord(data.changes)) return data;
  const changes: Record<string, Json> = { ...data.changes };
  for (const field of ADMIN_ONLY_PROFILE_FIELDS) delete changes[field];
  const fields = changes.customFields;
  if (isRecord(fields)) {
    const from = visibleTo(readable, asRecord(fields.from ?? null)) as Record<string, Json>;
    const to = visibleTo(readable, asRecord(fields.to ?? null)) as Record<string, Json>;
    if (sameJson(from, to)) delete changes.customFields;
    else changes.customFields = { from, to };
  }
  return { ...data, changes };
}
