import { grantConsent, revokeConsent } from "../../src/consents/service.ts";
import { createCustomObject } from "../../src/custom-objects/service.ts";
import { createCustomer } from "../../src/customers/service.ts";
import type { CustomFieldType } from "../../src/generated/prisma/enums.ts";
import type { TestGateway } from "./gateway.ts";

// Five customers of tenant A, different in every dimension the filter language reads, and the
// custom-field definitions that type their fields. Definitions are rows written directly: what
// the filter reads of them is key, type, enum values, searchable and retiredAt.

export const FIELDS: { key: string; type: CustomFieldType; searchable?: boolean; enumValues?: string[] }[] = [
  { key: "tier", type: "ENUM", enumValues: ["gold", "silver"], searchable: true },
  { key: "score", type: "INTEGER", searchable: true },
  { key: "ratio", type: "DECIMAL" },
  { key: "born", type: "DATE" },
  { key: "seen", type: "DATETIME", searchable: true },
  { key: "vip", type: "BOOLEAN" },
  { key: "tags", type: "STRING_LIST" },
  { key: "skills", type: "STRING_LIST", searchable: true },
  { key: "nick", type: "STRING", searchable: true },
];

export interface Person {
  uid: string;
  lastName: string | null;
  email: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  score: number | null;
}

export const PEOPLE: Person[] = [
  {
    uid: "ada",
    lastName: "Lovelace",
    email: "ada@example.com",
    lastLoginAt: "2024-03-01T00:00:00.000Z",
    createdAt: "2023-01-01T00:00:00.000Z",
    score: 10,
  },
  { uid: "alan", lastName: "Turing", email: "alan@example.com", lastLoginAt: null, createdAt: "2023-01-02T00:00:00.000Z", score: 20 },
  {
    uid: "grace",
    lastName: "Hopper",
    email: "grace@navy.example",
    lastLoginAt: "2024-02-01T00:00:00.000Z",
    createdAt: "2023-01-03T00:00:00.000Z",
    score: 30,
  },
  { uid: "linus", lastName: null, email: "linus@example.org", lastLoginAt: null, createdAt: "2023-01-04T00:00:00.000Z", score: null },
  {
    uid: "barbara",
    lastName: "Liskov",
    email: null,
    lastLoginAt: "2024-01-15T00:00:00.000Z",
    createdAt: "2023-01-05T00:00:00.000Z",
    score: 5,
  },
];

/** Creates the definitions and the five customers in tenant A; answers uid → row id. */
export async function seedFilterFixture(gw: TestGateway): Promise<Map<string, string>> {
  const tenantId = gw.tenants.A.id;
  for (const f of FIELDS) {
    await gw.db.customFieldDefinition.create({
      data: { tenantId, key: f.key, type: f.type, enumValues: f.enumValues ?? [], searchable: f.searchable ?? false },
    });
  }
  const ctx = gw.serviceContext("A");
  const email = (value: string, verified: boolean) => [{ value, primary: true, verified }];
  const made = {
    ada: await createCustomer(ctx, {
      uid: "ada",
      firstName: "Ada",
      lastName: "Lovelace",
      username: "ada",
      emails: [...email("ada@example.com", true), { value: "countess@math.example", primary: false, verified: false }],
      phones: [{ value: "+14155550101", primary: true, verified: true }],
      identities: [{ provider: "google", providerUserId: "g-ada" }],
      customFields: {
        tier: "gold",
        score: 10,
        ratio: 1.5,
        born: "1990-01-01",
        seen: "2024-01-01T10:00:00.000Z",
        vip: true,
        tags: ["a", "b"],
        nick: "Countess",
        skills: ["math"],
      },
    }),
    alan: await createCustomer(ctx, {
      uid: "alan",
      firstName: "Alan",
      lastName: "Turing",
      username: "alan",
      emails: email("alan@example.com", false),
      identities: [{ provider: "github", providerUserId: "gh-alan" }],
      customFields: { tier: "silver", score: 20, ratio: 2.25, born: "1985-06-23", vip: false, tags: ["b"], nick: "Prof" },
    }),
    grace: await createCustomer(ctx, {
      uid: "grace",
      firstName: "Grace",
      lastName: "Hopper",
      emails: email("grace@navy.example", true),
      identities: [
        { provider: "google", providerUserId: "g-grace" },
        { provider: "password", providerUserId: "p-grace" },
      ],
      customFields: { score: 30, seen: "2024-06-01T00:00:00.000Z", skills: ["cobol", "math"] },
    }),
    linus: await createCustomer(ctx, { uid: "linus", firstName: "Linus", emails: email("linus@example.org", false) }),
    barbara: await createCustomer(ctx, {
      uid: "barbara",
      firstName: "Barbara",
      lastName: "Liskov",
      phones: [{ value: "+14155550105", primary: true, verified: false }],
      customFields: { tier: "gold", score: 5, nick: "bl_100%" },
    }),
  };
  await grantConsent(ctx, made.ada.id, { purpose: "marketing", version: "2", source: "test" });
  await grantConsent(ctx, made.alan.id, { purpose: "marketing", version: "1", source: "test" });
  await revokeConsent(ctx, made.alan.id, "marketing", { source: "test" });
  await grantConsent(ctx, made.grace.id, { purpose: "terms", version: "1", source: "test" });
  await createCustomObject(ctx, made.ada.id, { name: "wishlist", data: { sku: "x1", qty: 2 } });
  await createCustomObject(ctx, made.grace.id, { name: "wishlist", data: { sku: "x2" } });
  await createCustomObject(ctx, made.alan.id, { name: "purchases", data: { sku: "x1" } });
  for (const p of PEOPLE) {
    await gw.db.customer.update({
      where: { id: made[p.uid as keyof typeof made].id },
      data: { createdAt: new Date(p.createdAt), lastLoginAt: p.lastLoginAt ? new Date(p.lastLoginAt) : null },
    });
  }
  await gw.db.customer.update({ where: { id: made.barbara.id }, data: { status: "DISABLED" } });
  return new Map(Object.entries(made).map(([uid, c]) => [uid, c.id]));
}
