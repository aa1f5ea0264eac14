import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { diff, transact, type Tx } from "../db/transact.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import type { Customer, Prisma } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import { assertContactsFree, normalizeContacts, type NewContact } from "./contacts.ts";
import { phonePii, storedContact } from "./phones-at-rest.ts";
import { newPasswordHash, passwordSetData } from "./passwords.ts";
import { assertIdentityFree, assertUsernameFree, translateConflict } from "./guards.ts";
import { requireCustomer } from "../db/customer-lock.ts";
import { assertCustomerEditable, loadFieldSchema } from "../custom-fields/access.ts";
import { validateCustomFields } from "../custom-fields/validator.ts";
import { queueNotification, type NotifyRequest } from "../notifications/queue.ts";
import { profileStore, SEALED_COLUMNS } from "./at-rest.ts";
import { contactInput, customFields, emailAddress, identityInput, nameSearch, phoneNumber, profileFields, uid } from "./input.ts";

const createInput = z
  .object({
    uid: uid.optional(),
    ...profileFields,
    emails: z.array(contactInput(emailAddress)).max(10).default([]),
    phones: z.array(contactInput(phoneNumber)).max(10).default([]),
    customFields: customFields.default({}),
    identities: z.array(identityInput).max(20).default([]),
    password: z.string().optional(),
  })
  .refine((c) => c.emails.length + c.phones.length + c.identities.length > 0 || c.username, {
    message: "a customer needs at least an email, a phone, a username or an identity",
    path: ["emails"],
  });

export type CreateCustomerInput = z.input<typeof createInput>;

/**
 * Creates a customer with its emails, phones and identities, skipping any verification flow.
 * Emails and phones must be free in the tenant; the first of each becomes primary unless one is
 * marked. An initial `password` follows setPassword's policy (VALIDATION_FAILED on `password`) and
 * needs `auth`. `customFields` must pass the tenant's definitions (custom-fields/validator.ts),
 * whose defaults fill absent keys. One transaction: customer + contacts + identities +
 * `customer.created` (and `customer.password_set`). Cost: the argon2 hash when there is a password
 * (before the transaction), the definitions (two statements: their lock, then the read), the uniqueness checks, one INSERT
 * per table, one for the audit events; with phones, the tenant's PII keys (sealed at rest: phones-at-rest.ts).
 */
export async function createCustomer(
  ctx: ServiceContext,
  input: CreateCustomerInput,
  auth?: Pick<AuthRuntime, "config">,
): Promise<Customer> {
  const { password, ...data } = parseInput(createInput, input);
  const contacts = [...normalizeContacts("EMAIL", data.emails, "emails"), ...normalizeContacts("PHONE", data.phones, "phones")];
  const { emails: _e, phones: _p, identities, ...profile } = data;
  if (password !== undefined && !auth) throw new Error("createCustomer: a password needs the auth runtime");
  const passwordHash = password !== undefined ? await newPasswordHash(auth!, password) : null;
  try {
    return await transact(ctx, async (tx, audit) => {
      const schema = await loadFieldSchema(tx, ctx.tenantId);
      profile.customFields = validateCustomFields(schema, profile.customFields, "create") as typeof profile.customFields;
      const pii = contacts.some((c) => c.kind === "PHONE") ? await phonePii(ctx, tx) : null;
      await assertContactsFree(tx, ctx, contacts, pii);
      if (profile.username) await assertUsernameFree(tx, ctx, profile.username);
      if (data.uid && (await tx.customer.findUnique({ where: { tenantId_uid: { tenantId: ctx.tenantId, uid: data.uid } } }))) {
        throw new ConflictError("UID_TAKEN", "uid", "another customer has this uid");
      }
      for (const identity of identities) await assertIdentityFree(tx, ctx, identity.provider, identity.providerUserId);
      const id = randomUUID();
      const stored = await profileStore(tx, ctx).store(id, profile, schema.definitions);
      const rows = contacts.map((c) => storedContact(pii, c));
      const customer = await insertCustomer(tx, ctx, { ...profile, ...stored, id, uid: data.uid }, rows, identities, passwordHash);
      await audit({
        type: "customer.created",
        customerId: customer.id,
        data: createdEventData(customer.uid, contacts, identities),
      });
      if (passwordHash) await audit({ type: "customer.password_set", customerId: customer.id, data: passwordSetData(false, 0, 0) });
      return customer;
    });
  } catch (error) {
    throw translateConflict(error);
  }
}

/** The data of a `customer.created` event: what identifies the new customer. */
export function createdEventData(uid: string, contacts: NewContact[], identities: { provider: string; providerUserId: string }[]) {
  return {
    uid,
    emails: contacts.filter((c) => c.kind === "EMAIL").map((c) => c.normalized),
    phones: contacts.filter((c) => c.kind === "PHONE").map((c) => c.normalized),
    identities: identities.map((i) => ({ provider: i.provider, providerUserId: i.providerUserId })),
  };
}

type Profile = Omit<z.output<typeof createInput>, "emails" | "phones" | "identities" | "password" | "addresses" | "customFields"> &
  Omit<Prisma.CustomerUncheckedCreateInput, "tenantId" | "uid" | "nameSearch">;

// One INSERT per table (a nested create would read the customer back afterwards).
async function insertCustomer(
  tx: Tx,
  ctx: ServiceContext,
  profile: Profile,
  contacts: NewContact[],
  identities: z.output<typeof identityInput>[],
  passwordHash: string | null,
): Promise<Customer> {
  const tenantId = ctx.tenantId;
  const customer = await tx.customer.create({
    data: {
      ...profile,
      uid: profile.uid ?? randomBytes(16).toString("hex"),
      nameSearch: nameSearch(profile),
      tenantId,
      ...(passwordHash ? { passwordHash, passwordChangedAt: new Date() } : {}),
    },
  });
  if (contacts.length > 0) await tx.contact.createMany({ data: contacts.map((c) => ({ ...c, tenantId, customerId: customer.id })) });
  if (identities.length > 0) {
    await tx.identity.createMany({
      data: identities.map((i) => ({ ...i, profile: i.profile as Prisma.InputJsonValue, tenantId, customerId: customer.id })),
    });
  }
  return customer;
}

const updateInput = z.object({ ...profileFields, customFields: customFields.optional() });
export type UpdateCustomerInput = z.input<typeof updateInput>;

/**
 * Partially updates a profile: absent fields stay, null clears. `customFields` merges into the
 * existing object key by key; a null value deletes that key (not a required one); the keys given
 * must pass the tenant's definitions, and with `selfService` (the customer's own change) be
 * defined as CUSTOMER_EDIT. The audit event carries a before/after diff of the changed fields
 * only; an update that changes nothing records nothing. Cost: the locked read, the definitions
 * (two statements, their lock and the read, only when customFields is given), the update, the
 * audit event.
 */
export async function updateCustomer(
  ctx: ServiceContext,
  customerId: string,
  input: UpdateCustomerInput,
  options: { selfService?: boolean; notify?: NotifyRequest } = {},
): Promise<Customer> {
  const patch = parseInput(updateInput, input);
  try {
    return await transact(ctx, async (tx, audit) => {
      const store = profileStore(tx, ctx);
      const stored = await requireCustomer(tx, ctx, customerId);
      const before = await store.open(stored);
      const { customFields: fieldPatch, ...profile } = patch;
      const next: Record<string, unknown> = Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined));
      if (next.addresses === null) next.addresses = [];
      const schema = fieldPatch ? await loadFieldSchema(tx, ctx.tenantId) : null;
      if (schema && fieldPatch) {
        if (options.selfService) assertCustomerEditable(schema, fieldPatch);
        next.customFields = mergeCustomFields(before.customFields, validateCustomFields(schema, fieldPatch, "patch"));
      }
      if (typeof next.username === "string" && next.username !== before.username) await assertUsernameFree(tx, ctx, next.username);
      const changes = diff(before as unknown as Record<string, unknown>, next);
      if (Object.keys(changes).length === 0) return stored;
      const merged = { ...before, ...next } as Customer;
      const sealed = SEALED_COLUMNS.some((c) => c in changes)
        ? await store.store(before.id, merged, schema?.definitions ?? null, stored)
        : {};
      const customer = await tx.customer.update({
        where: { id: before.id },
        data: { ...(next as Prisma.CustomerUpdateInput), ...sealed, nameSearch: nameSearch(merged) },
      });
      await audit({ type: "customer.updated", customerId: customer.id, data: { changes } });
      if (options.notify) {
        const variables = { changedFields: Object.keys(changes) };
        await queueNotification(tx, ctx, audit, { ...options.notify, customerId: customer.id, kind: "PROFILE_UPDATED", variables });
      }
      return customer;
    });
  } catch (error) {
    throw translateConflict(error);
  }
}

function mergeCustomFields(current: unknown, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  if (JSON.stringify(merged).length > 16_384) {
    throw new ValidationError([{ field: "customFields", message: "larger than 16 KiB after merging" }]);
  }
  return merged;
}

/**
 * Deletes a customer irreversibly with everything it owns (contacts, identities, sessions,
 * consents, custom objects — by cascade). The `customer.deleted` event survives it.
 */
export async function deleteCustomer(ctx: ServiceContext, customerId: string): Promise<Customer> {
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    await tx.customer.delete({ where: { id: customer.id } });
    await audit({ type: "customer.deleted", customerId: customer.id, data: { uid: customer.uid } });
    return customer;
  });
}
