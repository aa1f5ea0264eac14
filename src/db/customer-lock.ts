import type { Customer } from "../generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import type { Tx } from "./transact.ts";

/**
 * Loads a customer of the caller's tenant and locks its row until the transaction ends, so
 * concurrent changes to one customer apply one after the other. Throws CUSTOMER_NOT_FOUND.
 * Every domain that hangs off a customer (sessions, identities, consents, objects) starts here.
 */
export async function requireCustomer(tx: Tx, ctx: ServiceContext, customerId: string): Promise<Customer> {
  if (!isUuid(customerId)) throw new NotFoundError("CUSTOMER_NOT_FOUND");
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM customer WHERE id = ${customerId}::uuid AND tenant_id = ${ctx.tenantId}::uuid FOR UPDATE`;
  if (locked.length === 0) throw new NotFoundError("CUSTOMER_NOT_FOUND");
  return tx.customer.findUniqueOrThrow({ where: { id: customerId } });
}
