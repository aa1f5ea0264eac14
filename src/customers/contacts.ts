import { z } from "zod";
import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { Contact, Customer } from "../generated/prisma/client.ts";
import type { ContactKind } from "../generated/prisma/enums.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { emailAddress, phoneNumber } from "./input.ts";
import { translateConflict } from "./guards.ts";
import { requireCustomer, requireCustomerTouched } from "../db/customer-lock.ts";
import { queueNotification, type NotifyRequest } from "../notifications/queue.ts";
import type { TenantPii } from "../pii/at-rest.ts";
import { contactText, phonePii, storedContact, storedKeys } from "./phones-at-rest.ts";

// Emails and phones behave the same way; `kind` picks which one an operation is about.

const RULES = {
  EMAIL: {
    value: emailAddress,
    normalize: (v: string) => v.toLowerCase(),
    taken: "EMAIL_TAKEN",
    missing: "EMAIL_NOT_FOUND",
    noun: "email",
  },
  PHONE: { value: phoneNumber, normalize: (v: string) => v, taken: "PHONE_TAKEN", missing: "PHONE_NOT_FOUND", noun: "phone" },
} as const;

const MAX_PER_KIND = 10;

export interface NewContact {
  kind: ContactKind;
  value: string;
  normalized: string;
  primary: boolean;
  verified: boolean;
  verifiedAt: Date | null;
}

/** Normalizes a validated list of one kind; exactly one entry ends up primary. */
export function normalizeContacts(
  kind: ContactKind,
  list: { value: string; primary: boolean; verified: boolean }[],
  field: string,
): NewContact[] {
  const seen = new Set<string>();
  const contacts = list.map((c, i) => {
    const normalized = RULES[kind].normalize(c.value);
    if (seen.has(normalized)) throw new ValidationError([{ field: `${field}.${i}.value`, message: `duplicate ${RULES[kind].noun}` }]);
    seen.add(normalized);
    return { kind, value: c.value, normalized, primary: c.primary, verified: c.verified, verifiedAt: c.verified ? new Date() : null };
  });
  if (contacts.filter((c) => c.primary).length > 1) {
    throw new ValidationError([{ field, message: `at most one primary ${RULES[kind].noun}` }]);
  }
  if (contacts.length > 0 && !contacts.some((c) => c.primary)) contacts[0].primary = true;
  return contacts;
}

/**
 * Throws EMAIL_TAKEN / PHONE_TAKEN if any contact belongs to a customer of the tenant already.
 * `pii`: the tenant's keys (phones are looked up by blind index and E.164).
 */
export async function assertContactsFree(tx: Tx, ctx: ServiceContext, contacts: NewContact[], pii: TenantPii | null) {
  if (contacts.length === 0) return;
  const taken = await tx.contact.findFirst({
    where: {
      tenantId: ctx.tenantId,
      OR: contacts.map((c) => ({ kind: c.kind, normalized: { in: storedKeys(pii, c.kind, c.normalized) } })),
    },
  });
  if (taken) throwTaken(taken.kind, contactText(pii, taken));
}

function throwTaken(kind: ContactKind, value: string): never {
  throw new ConflictError(RULES[kind].taken, kind === "EMAIL" ? "emails" : "phones", `${value} belongs to another customer`);
}

const addInput = z.object({ value: z.string(), primary: z.boolean().default(false), verified: z.boolean().default(false) });

/** Adds an email or phone; `primary` demotes the current primary. Records `customer.<kind>_added`. */
export async function addContact(
  ctx: ServiceContext,
  customerId: string,
  kind: ContactKind,
  input: z.input<typeof addInput>,
  notify?: NotifyRequest,
): Promise<Customer> {
  const parsed = parseInput(addInput, input);
  const value = parseInput(RULES[kind].value, parsed.value, "value");
  const [contact] = normalizeContacts(kind, [{ ...parsed, value }], "value");
  try {
    return await transact(ctx, async (tx, audit) => {
      const customer = await requireCustomerTouched(tx, ctx, customerId);
      // normalizeContacts marks a lone contact primary; here primary means "demote the current one".
      await insertContact(tx, ctx, customer.id, { ...contact, primary: parsed.primary }, audit);
      if (notify) await notifyAuthenticator(tx, ctx, audit, notify, customer.id, "AUTHENTICATOR_ADDED", kind, contact.normalized);
      return customer;
    });
  } catch (error) {
    throw translateConflict(error, kind);
  }
}

/**
 * Adds a normalized contact to a customer the caller has locked, in the caller's transaction:
 * EMAIL_TAKEN / PHONE_TAKEN when any customer of the tenant holds it (this one included), at most
 * 10 of a kind, primary when asked or when the customer has none of the kind (demoting the current
 * one). Records `customer.<kind>_added`. Cost: one read for both checks, the insert (and the demotion).
 */
export async function insertContact(tx: Tx, ctx: ServiceContext, customerId: string, contact: NewContact, audit: AuditWriter) {
  const kind = contact.kind;
  // Only phones are sealed: an email's change costs no key lookup.
  const pii = kind === "PHONE" ? await phonePii(ctx, tx) : null;
  const keys = storedKeys(pii, kind, contact.normalized);
  const found = await tx.contact.findMany({
    where: {
      OR: [
        { tenantId: ctx.tenantId, kind, normalized: { in: keys } },
        { customerId, kind },
      ],
    },
  });
  if (found.some((c) => keys.includes(c.normalized))) throwTaken(kind, contact.normalized);
  const existing = found.filter((c) => c.customerId === customerId);
  if (existing.length >= MAX_PER_KIND) {
    throw new ValidationError([{ field: "value", message: `a customer has at most ${MAX_PER_KIND} of each kind` }]);
  }
  const primary = contact.primary || existing.length === 0;
  if (primary) await tx.contact.updateMany({ where: { customerId, kind, primary: true }, data: { primary: false } });
  await tx.contact.create({ data: { ...storedContact(pii, contact), primary, tenantId: ctx.tenantId, customerId } });
  await audit({
    type: `customer.${RULES[kind].noun}_added`,
    customerId,
    data: { [RULES[kind].noun]: contact.normalized, primary, verified: contact.verified },
  });
}

/**
 * Removes an email or phone. If it was primary, the oldest remaining one (verified first)
 * becomes primary. Records `customer.<kind>_removed`.
 */
export async function removeContact(
  ctx: ServiceContext,
  customerId: string,
  kind: ContactKind,
  value: string,
  notify?: NotifyRequest,
): Promise<Customer> {
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const { contact, text, pii } = await findContact(tx, ctx, customer, kind, value);
    await tx.contact.delete({ where: { id: contact.id } });
    let promoted: string | null = null;
    if (contact.primary) {
      const next = await tx.contact.findFirst({
        where: { customerId: customer.id, kind },
        orderBy: [{ verified: "desc" }, { createdAt: "asc" }],
      });
      if (next) {
        await tx.contact.update({ where: { id: next.id }, data: { primary: true } });
        promoted = contactText(pii, next);
      }
    }
    await audit({
      type: `customer.${RULES[kind].noun}_removed`,
      customerId: customer.id,
      data: { [RULES[kind].noun]: text, newPrimary: promoted },
    });
    if (notify) await notifyAuthenticator(tx, ctx, audit, notify, customer.id, "AUTHENTICATOR_REMOVED", kind, text);
    return touch(tx, customer);
  });
}

/** Marks an email or phone verified or unverified. No-op (and no event) if already so. */
export async function setContactVerified(
  ctx: ServiceContext,
  customerId: string,
  kind: ContactKind,
  value: string,
  verified: boolean,
): Promise<Customer> {
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const { contact, text } = await findContact(tx, ctx, customer, kind, value);
    if (contact.verified === verified) return customer;
    await tx.contact.update({ where: { id: contact.id }, data: { verified, verifiedAt: verified ? new Date() : null } });
    await audit({
      type: `customer.${RULES[kind].noun}_${verified ? "verified" : "unverified"}`,
      customerId: customer.id,
      data: { [RULES[kind].noun]: text },
    });
    return touch(tx, customer);
  });
}

/** Makes an existing email or phone the primary one. */
export async function setPrimaryContact(ctx: ServiceContext, customerId: string, kind: ContactKind, value: string): Promise<Customer> {
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const { contact, text, pii } = await findContact(tx, ctx, customer, kind, value);
    if (contact.primary) return customer;
    const previous = await tx.contact.findFirst({ where: { customerId: customer.id, kind, primary: true } });
    await tx.contact.updateMany({ where: { customerId: customer.id, kind, primary: true }, data: { primary: false } });
    await tx.contact.update({ where: { id: contact.id }, data: { primary: true } });
    await audit({
      type: `customer.primary_${RULES[kind].noun}_changed`,
      customerId: customer.id,
      data: { changes: { [`primary_${RULES[kind].noun}`]: { from: previous ? contactText(pii, previous) : null, to: text } } },
    });
    return touch(tx, customer);
  });
}

/**
 * The customer's contact of `kind` given as entered (or as stored: authenticators/admin.ts passes a
 * row's `normalized`), its clear text and the tenant's keys.
 */
async function findContact(tx: Tx, ctx: ServiceContext, customer: Customer, kind: ContactKind, value: string) {
  const rule = RULES[kind];
  const parsed = rule.value.safeParse(value);
  // Only phones are sealed: an email's change costs no key lookup.
  const pii = kind === "PHONE" ? await phonePii(ctx, tx) : null;
  const keys = parsed.success ? storedKeys(pii, kind, rule.normalize(parsed.data)) : [value];
  const contact: Contact | null = await tx.contact.findFirst({ where: { customerId: customer.id, kind, normalized: { in: keys } } });
  if (!contact) throw new NotFoundError(rule.missing);
  return { contact, text: contactText(pii, contact), pii };
}

/** Contacts are part of the profile: changing one bumps the customer's updatedAt. */
function touch(tx: Tx, customer: Customer): Promise<Customer> {
  return tx.customer.update({ where: { id: customer.id }, data: { updatedAt: new Date() } });
}

/** Queues the customer's notification that an email or phone (a sign-in method) was added or removed, in the caller's transaction. */
async function notifyAuthenticator(
  tx: Tx,
  ctx: ServiceContext,
  audit: AuditWriter,
  notify: NotifyRequest,
  customerId: string,
  kind: "AUTHENTICATOR_ADDED" | "AUTHENTICATOR_REMOVED",
  contactKind: ContactKind,
  value: string,
) {
  const variables = { authenticator: { kind: contactKind === "EMAIL" ? "Email address" : "Phone number", label: value } };
  await queueNotification(tx, ctx, audit, { ...notify, customerId, kind, variables });
}
