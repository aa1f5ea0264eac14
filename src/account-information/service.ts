import { transact } from "../db/transact.ts";
import type { ServiceContext } from "../service-context.ts";
import { accountDocument, type AccountDocument, type Audience } from "./document.ts";
import { loadAuditTrail, loadCustomerData } from "./gather.ts";
import { accountDocumentHtml } from "./html.ts";

// "Download every information related to the account" (support, and the customer for
// themself): the customer's profile, contacts, identities, sessions, consent history, custom
// objects, custom fields and the audit events about them, as JSON or as a self-contained HTML
// page. Groups and roles join the document when they exist.

export type AccountInformationFormat = "JSON" | "HTML";

export interface AccountInformationFile {
  format: AccountInformationFormat;
  fileName: string;
  contentType: string;
  content: string;
  /** The document as an object (what `content` holds for JSON). */
  document: AccountDocument;
}

/**
 * Everything about one customer of the caller's tenant, and `customer.account_information_downloaded`
 * (data: format) recorded in the same transaction. For a CUSTOMER actor the document is the one
 * `me` would show: their own account only (any other id is not found), without admin-only fields,
 * custom fields not defined as customer-readable, or staff credential ids. Null for an unknown,
 * malformed or other tenant's customer, recording nothing.
 * Cost: one transaction — one statement for the customer with all its rows and the tenant's
 * definitions, one per 1,000 audit events (at most MAX_AUDIT_EVENTS, plus a count past it), the
 * audit event. The download's own event is not in the document: it is written at commit.
 */
export async function downloadAccountInformation(
  ctx: ServiceContext,
  customerId: string,
  format: AccountInformationFormat,
): Promise<AccountInformationFile | null> {
  const audience: Audience = ctx.actor.kind === "CUSTOMER" ? "CUSTOMER" : "ADMIN";
  if (audience === "CUSTOMER" && customerId !== ctx.actor.id) return null;
  const document = await transact(ctx, async (tx, audit) => {
    const data = await loadCustomerData(tx, ctx, customerId);
    if (!data) return null;
    const trail = await loadAuditTrail(tx, ctx, data.id);
    await audit({ type: "customer.account_information_downloaded", customerId: data.id, data: { format } });
    return accountDocument(data, trail, audience);
  });
  if (!document) return null;
  const fileName = `account-information-${document.customer.id}.${format.toLowerCase()}`;
  return format === "JSON"
    ? { format, fileName, contentType: "application/json; charset=utf-8", content: JSON.stringify(document, null, 2), document }
    : { format, fileName, contentType: "text/html; charset=utf-8", content: accountDocumentHtml(document), document };
}
