import { Prisma, type Customer } from "../generated/prisma/client.ts";
import { NotFoundError } from "../errors.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import type { Tx } from "./transact.ts";

// Every Customer field under its Prisma name, for a raw SELECT … FOR UPDATE (Prisma has no row
// locks). Columns are the snake_case of the field names (prisma/schema.prisma maps them so); the
// enum is read as text, as Prisma reads it. test/customers-writes.test.ts compares the result
// with Prisma's own findUnique, so a field added without this naming fails there.
const CUSTOMER_COLUMNS = Prisma.raw(
  Object.values(Prisma.CustomerScalarFieldEnum)
    .map((field) => `${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}${field === "status" ? "::text" : ""} AS "${field}"`)
    .join(", "),
);

/**
 * Loads a customer of the caller's tenant and locks its row until the transaction ends, so
 * concurrent changes to one customer apply one after the other. Throws CUSTOMER_NOT_FOUND.
 * Every domain that hangs off a customer (sessions, identities, consents, objects) starts here.
 * Cost: one statement.
 */
export async function requireCustomer(tx: Tx, ctx: ServiceContext, customerId: string): Promise<Customer> {
  if (!isUuid(customerId)) throw new NotFoundError("CUSTOMER_NOT_FOUND");
  const [customer] = await tx.$queryRaw<Customer[]>`
    SELECT ${CUSTOMER_COLUMNS} FROM customer WHERE id = ${customerId}::uuid AND tenant_id = ${ctx.tenantId}::uuid FOR UPDATE`;
  if (!customer) throw new NotFoundError("CUSTOMER_NOT_FOUND");
  return customer;
}

/**
 * requireCustomer for a change that always touches the profile (adding a contact): locks the row,
 * stamps `updatedAt` and loads the customer in one UPDATE … RETURNING. Throws CUSTOMER_NOT_FOUND;
 * a change that then fails rolls the stamp back with everything else.
 */
export async function requireCustomerTouched(tx: Tx, ctx: ServiceContext, customerId: string): Promise<Customer> {
  if (!isUuid(customerId)) throw new NotFoundError("CUSTOMER_NOT_FOUND");
  const [customer] = await tx.customer.updateManyAndReturn({
    where: { id: customerId, tenantId: ctx.tenantId },
    data: { updatedAt: new Date() },
  });
  if (!customer) throw new NotFoundError("CUSTOMER_NOT_FOUND");
  return customer;
}
