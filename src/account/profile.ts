import type { Customer } from "../generated/prisma/client.ts";
import { SELF_EDITABLE } from "../customers/input.ts";
import { updateCustomer, type UpdateCustomerInput } from "../customers/service.ts";
import type { ServiceContext } from "../service-context.ts";

export type OwnProfileInput = Pick<UpdateCustomerInput, (typeof SELF_EDITABLE)[number] | "customFields">;

/**
 * A customer's update of their own profile: updateCustomer's rules, diff and `customer.updated`
 * event, restricted to SELF_EDITABLE (keys outside it are dropped here, whatever the caller sent,
 * so username, company and status stay admin-only) and to custom fields defined as CUSTOMER_EDIT
 * (any other key is a ValidationError naming it, and nothing is written). Cost: as updateCustomer.
 */
export function updateOwnProfile(ctx: ServiceContext & { customerId: string }, input: Record<string, unknown>): Promise<Customer> {
  const allowed = Object.fromEntries(SELF_EDITABLE.filter((k) => k in input).map((k) => [k, input[k]])) as OwnProfileInput;
  if (input.customFields != null) allowed.customFields = input.customFields as OwnProfileInput["customFields"];
  return updateCustomer(ctx, ctx.customerId, allowed, { selfService: true });
}
