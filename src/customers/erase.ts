import { requireCustomer } from "../db/customer-lock.ts";
import { transact } from "../db/transact.ts";
import { RuleViolationError } from "../errors.ts";
import type { Customer } from "../generated/prisma/client.ts";
import { keyringOf } from "../pii/keyring.ts";
import type { ServiceContext } from "../service-context.ts";

/**
 * Erases a customer (GDPR art. 17) by crypto-shredding: deletes the customer with everything it
 * owns, its customer key included (src/pii/), in one transaction. The PII inside its past audit
 * events was sealed with that key, so it becomes unreadable while the audit rows stay byte for
 * byte (their hash chain still verifies). Records `customer.erased`, which carries no PII.
 *
 * Without MASTER_KEY events were never sealed, so erasure cannot keep its promise: it refuses with
 * ERASURE_UNAVAILABLE instead of deleting. deleteCustomer shreds the same way (the key goes by
 * cascade); eraseCustomer is the one that guarantees it and says so in the trail.
 */
export async function eraseCustomer(ctx: ServiceContext, customerId: string): Promise<Customer> {
  const keyring = keyringOf(ctx.db);
  if (!keyring) throw new RuleViolationError("ERASURE_UNAVAILABLE", "MASTER_KEY is not set: audit events hold unsealed personal data");
  const customer = await transact(ctx, async (tx, audit) => {
    const found = await requireCustomer(tx, ctx, customerId);
    await tx.customer.delete({ where: { id: found.id } });
    await audit({ type: "customer.erased", customerId: found.id });
    return found;
  });
  keyring.forgetCustomer(customer.id);
  return customer;
}
