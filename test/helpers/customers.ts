import type { CreateCustomerInput } from "../generated/graphql.ts";
import { PASSWORD, type TestGateway } from "./gateway.ts";

/**
 * A maker of numbered customers of tenant A for one test file: each call creates
 * `<prefix><n>@example.com` with PASSWORD (or the given password; null: none) and answers its id
 * and email. `input` adds to (or replaces) the created customer's fields, given that email.
 */
export function customerMaker(gw: TestGateway, prefix: string, input: (email: string) => Partial<CreateCustomerInput> = () => ({})) {
  let n = 0;
  return async (password: string | null = PASSWORD) => {
    const email = `${prefix}${++n}@example.com`;
    const { id } = await gw.createCustomerWithPassword({ emails: [{ address: email }], ...input(email) }, password);
    return { id, email };
  };
}
