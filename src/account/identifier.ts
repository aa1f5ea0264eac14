import type { Tx } from "../db/transact.ts";
import { requireCustomer } from "../db/customer-lock.ts";
import { phoneNumber } from "../customers/input.ts";
import type { CustomerKey } from "../customers/lookup.ts";
import { NotFoundError } from "../errors.ts";
import type { Customer } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";

export type IdentifierKind = "email" | "phone" | "username";

/**
 * What a sign-in identifier is: an email if it has an @, a phone if it starts with + (E.164),
 * a username otherwise. Pure.
 */
export function parseIdentifier(identifier: string): { kind: IdentifierKind; key: CustomerKey } {
  const value = identifier.trim();
  if (value.includes("@")) return { kind: "email", key: { email: value } };
  if (value.startsWith("+")) return { kind: "phone", key: { phone: value } };
  return { kind: "username", key: { username: value } };
}

/**
 * The limiter key of what an attempt names, whether or not anyone has it: tenant, kind and the
 * identifier trimmed and lower-cased — phones without their formatting, so that "+49 30 …" and
 * "+4930…" share one budget. Pure.
 */
export function identifierAccount(ctx: ServiceContext, kind: IdentifierKind, identifier: string): string {
  const value = identifier.trim().toLowerCase();
  return `${ctx.tenantId}:${kind}:${kind === "phone" ? (phoneNumber.safeParse(value).data ?? value) : value}`;
}

/** requireCustomer, but null instead of CUSTOMER_NOT_FOUND (a customer deleted mid-sign-in). */
export async function lockCustomer(tx: Tx, ctx: ServiceContext, customerId: string): Promise<Customer | null> {
  try {
    return await requireCustomer(tx, ctx, customerId);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
