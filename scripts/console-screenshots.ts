import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { DisableCustomerDocument, UpdateCustomerDocument } from "../test/generated/graphql.ts";
import { openBrowser } from "../test/helpers/browser.ts";
import { addMember, gqlFromPage, signInToConsole } from "../test/helpers/console.ts";
import { profileFixture } from "../test/helpers/console-profile.ts";
import { createTestGateway } from "../test/helpers/gateway.ts";

// `npm run console:screenshots`: the README's console pictures, taken in Chromium from a gateway on
// a fresh embedded database with made-up accounts. It builds on the browser tests' fixtures (fresh
// gateway, team member, a profile with sessions, consents and custom objects), so the pictures
// show what those tests check. Needs /usr/bin/chromium and a built console (npm run console:build).

const OUT = join(import.meta.dirname, "..", "docs", "console");
const PEOPLE = [
  ["Grace", "Hopper"],
  ["Alan", "Turing"],
  ["Katherine", "Johnson"],
  ["Edsger", "Dijkstra"],
  ["Barbara", "Liskov"],
  ["Donald", "Knuth"],
  ["Frances", "Allen"],
  ["John", "Backus"],
  ["Margaret", "Hamilton"],
  ["Tim", "Berners-Lee"],
];

const gateway = await createTestGateway({ env: { TRUST_PROXY: "true" } });
const browser = await openBrowser();
try {
  const consoleUrl = new URL("/console", await gateway.listen()).href;
  const [ada] = await profileFixture(gateway, ["ada@example.com"]);
  const ids: string[] = [];
  for (const [firstName, lastName] of PEOPLE) {
    const email = `${firstName!.toLowerCase()}.${lastName!.toLowerCase()}@example.com`;
    ids.push((await gateway.createCustomer({ firstName, lastName, emails: [{ address: email, verified: ids.length % 3 !== 0 }] })).id);
  }
  await gateway.gql(DisableCustomerDocument, { id: ids[3]! });

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await signInToConsole(page, consoleUrl, await addMember(gateway));
  await mkdir(OUT, { recursive: true });

  await page.getByRole("link", { name: "Grace Hopper" }).waitFor();
  await page.screenshot({ path: join(OUT, "accounts.png"), fullPage: true });

  await page.goto(`${consoleUrl}/accounts/${encodeURIComponent(ada!.id)}/sessions`);
  await page.getByRole("tabpanel").getByRole("table").first().waitFor();
  await page.screenshot({ path: join(OUT, "account.png"), fullPage: true });

  await page.getByRole("link", { name: "Live feed" }).click();
  await page.getByRole("status").filter({ hasText: "Live" }).first().waitFor();
  // Two changes by the API key, three by this console session (named by the member).
  for (const id of ids.slice(0, 2)) await gateway.gql(UpdateCustomerDocument, { id, input: { nickname: "demo" } });
  for (const id of ids.slice(4, 7)) await gqlFromPage(page, `mutation ($id: ID!) { disableCustomer(id: $id) { __typename } }`, { id });
  await page.locator("table.events tbody tr").nth(4).waitFor();
  await page.screenshot({ path: join(OUT, "live.png") });
  console.log(`Screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await gateway.close();
}
