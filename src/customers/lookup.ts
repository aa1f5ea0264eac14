import type { Customer, Prisma } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { isUuid } from "../ids.ts";
import { emailAddress, phoneNumber, uid, username } from "./input.ts";
import { phonePii, storedKeys } from "./phones-at-rest.ts";

/** Which relations to load along (the shape Pothos hands its resolvers). */
export type RelationQuery = { include?: Prisma.CustomerInclude; select?: Prisma.CustomerSelect };

export type CustomerKey = { id: string } | { uid: string } | { email: string } | { username: string } | { phone: string };

/**
 * Finds one customer of the caller's tenant by id, uid, email, username or phone (each an exact,
 * indexed lookup; email and username case-insensitively; a phone through its blind index). Null when there is none.
 */
export async function findCustomer(ctx: ServiceContext, key: CustomerKey, relations: RelationQuery = {}): Promise<Customer | null> {
  const tenantId = ctx.tenantId;
  const query = { ...relations };
  if ("id" in key) return isUuid(key.id) ? ctx.db.customer.findFirst({ ...query, where: { id: key.id, tenantId } }) : null;
  if ("uid" in key)
    return parsed(uid, key.uid, (v) => ctx.db.customer.findUnique({ ...query, where: { tenantId_uid: { tenantId, uid: v } } }));
  if ("username" in key) {
    return parsed(username, key.username, (v) =>
      ctx.db.customer.findUnique({ ...query, where: { tenantId_username: { tenantId, username: v } } }),
    );
  }
  const [kind, normalized] =
    "email" in key
      ? (["EMAIL", emailAddress.safeParse(key.email).data?.toLowerCase()] as const)
      : (["PHONE", phoneNumber.safeParse(key.phone).data] as const);
  if (!normalized) return null;
  // A phone is stored under its blind index, or (rows from before sealing) its E.164: phones-at-rest.ts.
  const keys = kind === "PHONE" ? storedKeys(await phonePii(ctx), kind, normalized) : [normalized];
  const contact = await ctx.db.contact.findFirst({
    where: { tenantId, kind, normalized: { in: keys } },
    select: { customer: Object.keys(query).length ? query : true },
  });
  return contact?.customer ?? null;
}

async function parsed<T>(
  schema: { safeParse(v: unknown): { data?: string } },
  raw: string,
  find: (v: string) => Promise<T>,
): Promise<T | null> {
  const value = schema.safeParse(raw).data;
  return value === undefined ? null : find(value);
}
