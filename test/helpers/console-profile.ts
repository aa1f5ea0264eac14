import {
  CreateCustomObjectDocument,
  DefineCustomFieldDocument,
  GrantConsentDocument,
  RetireCustomFieldDocument,
  SignInDocument,
  UpdateCustomerCustomFieldsDocument,
  type DefineCustomFieldInput,
} from "../generated/graphql.ts";
import { PASSWORD, type TestGateway } from "./gateway.ts";

/** A desktop Firefox's User-Agent: the session shows it as "Firefox 120" on "desktop". */
export const FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
/** A public address the gateway's bundled GeoIP database locates (US); only ever a header value here. */
export const PUBLIC_IP = "8.8.8.8";

async function define(gateway: TestGateway, input: DefineCustomFieldInput): Promise<string> {
  const answer = (await gateway.gql(DefineCustomFieldDocument, { input })).data?.defineCustomField;
  if (answer?.__typename !== "DefineCustomFieldPayload") throw new Error(`defineCustomField failed: ${JSON.stringify(answer)}`);
  return answer.customField.id;
}

/**
 * Accounts of tenant A (one per email) with everything the profile tabs show, all made through the
 * API: a key held before the store defined any field (so it has no definition) and one whose
 * definition is then retired; three defined fields with values; two sessions each (one from a
 * Firefox at PUBLIC_IP, seen through a trusted proxy's X-Forwarded-For); consents
 * (marketing.email granted twice, so v1 is superseded, and terms); a custom object "wishlist".
 */
export async function profileFixture(gateway: TestGateway, emails: string[]) {
  const customers = [];
  for (const email of emails)
    customers.push(
      await gateway.createSignedInCustomer({
        firstName: "Ada",
        lastName: "Lovelace",
        emails: [{ address: email }],
        customFields: { legacyCode: "L-1", oldNote: "hidden once retired" },
      }),
    );
  await define(gateway, { key: "tier", type: "INTEGER", minimum: 1, maximum: 10, access: "CUSTOMER_READ", description: "Loyalty tier." });
  await define(gateway, { key: "interests", type: "STRING_LIST", maxItems: 2, access: "CUSTOMER_EDIT" });
  await define(gateway, { key: "plan", type: "ENUM", enumValues: ["basic", "pro"], access: "ADMIN_ONLY" });
  await gateway.gql(RetireCustomFieldDocument, { id: await define(gateway, { key: "oldNote", type: "STRING" }) });
  return Promise.all(customers.map(({ customer }) => populate(gateway, customer.id, customer.emails[0]!.address)));
}

async function populate(gateway: TestGateway, id: string, email: string) {
  await gateway.gql(UpdateCustomerCustomFieldsDocument, { id, customFields: { tier: 3, interests: ["golf"], plan: "basic" } });
  const firefox = await gateway.gql(
    SignInDocument,
    { identifier: email, password: PASSWORD },
    { tenant: gateway.tenants.A.slug, headers: { "user-agent": FIREFOX, "x-forwarded-for": PUBLIC_IP } },
  );
  if (firefox.data?.signIn.__typename !== "SignInPayload") throw new Error(`sign-in failed: ${JSON.stringify(firefox)}`);
  for (const [purpose, version] of [
    ["marketing.email", "v1"],
    ["marketing.email", "v2"],
    ["terms", "2024-01"],
  ])
    await gateway.gql(GrantConsentDocument, { customerId: id, input: { purpose: purpose!, version: version!, source: "signup-form" } });
  const object = await gateway.gql(CreateCustomObjectDocument, { customerId: id, name: "wishlist", data: { items: ["book"] } });
  if (object.data?.createCustomObject.__typename !== "CreateCustomObjectPayload") throw new Error(`createCustomObject failed`);
  return { id, customObjectId: object.data.createCustomObject.customObject.id };
}
