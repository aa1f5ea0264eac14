import { openContacts } from "../customers/phones-at-rest.ts";
import type { Tx } from "../db/transact.ts";
import type { AuditEvent } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import { unsealAuditData } from "../pii/audit-seal.ts";
import { openProfiles } from "../pii/profile.ts";
import type { ServiceContext } from "../service-context.ts";

// Reading one customer's data for the account-information document. No secret is ever loaded:
// the password hash is omitted from the customer row, refresh and one-time tokens (which hold
// token hashes) are not included at all.

/**
 * The newest audit events a document holds at most. A customer's trail can be long (every
 * sign-in and refresh adds to it); past this the document keeps the newest ones, says it was
 * truncated and how many there are. Cost at the limit: ten 1,000-row pages and a count.
 */
export const MAX_AUDIT_EVENTS = 10_000;

/** Audit events read per statement: bounds what one statement hands to JavaScript at once. */
const AUDIT_PAGE_SIZE = 1_000;

/**
 * The customer of the caller's tenant with everything hanging off it, and the keys and access
 * of the tenant's active custom-field definitions, in one statement (relation joins; the tenant's
 * PII keys when a phone or a profile field is sealed, cached a minute). Null for an unknown,
 * malformed or other tenant's id.
 */
export async function loadCustomerData(tx: Tx, ctx: ServiceContext, customerId: string) {
  if (!isUuid(customerId)) return null;
  const data = await tx.customer.findUnique({
    where: { id_tenantId: { id: customerId, tenantId: ctx.tenantId } },
    relationLoadStrategy: "join",
    omit: { passwordHash: true },
    include: {
      // Contacts added together share createdAt: the primary one first, as readers expect.
      contacts: { orderBy: [{ primary: "desc" }, { createdAt: "asc" }, { id: "asc" }] },
      identities: { orderBy: [{ linkedAt: "asc" }, { id: "asc" }] },
      sessions: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      // Oldest first; on a tie of grantedAt the one that ended first is the older (see consentHistory).
      consents: { orderBy: [{ grantedAt: "asc" }, { revokedAt: { sort: "asc", nulls: "last" } }, { id: "asc" }] },
      customObjects: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      tenant: { select: { customFieldDefinitions: { where: { retiredAt: null }, select: { key: true, access: true } } } },
    },
  });
  if (!data) return null;
  // Sealed at rest, opened: phones (customers/phones-at-rest.ts), birthdate, addresses and PII custom fields (pii/profile.ts).
  const [opened] = await openProfiles(ctx.db, tx, ctx.tenantId, [data]);
  return { ...opened!, contacts: await openContacts(ctx, tx, data.contacts) };
}

export type CustomerData = NonNullable<Awaited<ReturnType<typeof loadCustomerData>>>;

export interface AuditTrail {
  /** Oldest first: the newest `limit` events about the customer. */
  events: AuditEvent[];
  truncated: boolean;
  /** All events about the customer, including those left out. */
  total: number;
}

/**
 * The audit events about a customer, newest `limit` of them, read newest first in keyset pages
 * on (tenant_id, customer_id, seq) so no statement holds more than a page; one row past the limit
 * tells whether anything was left out, and only then a count (an index scan over the customer's
 * events) says how much.
 */
export async function loadAuditTrail(tx: Tx, ctx: ServiceContext, customerId: string, limit = MAX_AUDIT_EVENTS): Promise<AuditTrail> {
  const newestFirst: AuditEvent[] = [];
  let before: bigint | null = null;
  for (;;) {
    const take = Math.min(AUDIT_PAGE_SIZE, limit + 1 - newestFirst.length);
    const page: AuditEvent[] = await tx.auditEvent.findMany({
      where: { tenantId: ctx.tenantId, customerId, ...(before === null ? {} : { seq: { lt: before } }) },
      orderBy: { seq: "desc" },
      take,
    });
    newestFirst.push(...page);
    if (page.length < take || newestFirst.length > limit) break;
    before = page[page.length - 1].seq;
  }
  const truncated = newestFirst.length > limit;
  const events = await unsealAuditData(ctx.db, newestFirst.slice(0, limit).reverse(), tx);
  const total = truncated ? await tx.auditEvent.count({ where: { tenantId: ctx.tenantId, customerId } }) : events.length;
  return { events, truncated, total };
}
