import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserMissing, openBrowser, skipBrowserTests } from "./helpers/browser.ts";
import { addMember, signInToConsole } from "./helpers/console.ts";
import { profileFixture } from "./helpers/console-profile.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";

// Every screen of the console checked by axe-core 4.14 (Deque's engine, the one browser devtools
// and CI linters use) against WCAG 2.1 A and AA: names and labels, roles, landmarks, contrast.
// axe is injected into the page, so this one context bypasses the page's CSP (the CSP has its own
// tests); nothing else about the page changes.

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe's WCAG A/AA violations of what the page shows now, as "rule: element" lines (empty when none). */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(
    async (tags) =>
      (await (window as unknown as { axe: { run(o: object): Promise<{ violations: Violation[] }> } }).axe.run({ runOnly: tags }))
        .violations,
    TAGS,
  );
  return found.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")} — ${v.help}`));
}

describe.skipIf(skipBrowserTests)(
  `console accessibility (axe-core, WCAG 2.1 AA) in Chromium${browserMissing ? ` (${browserMissing})` : ""}`,
  () => {
    let gateway: TestGateway;
    let consoleUrl: string;
    let browser: Browser;
    let page: Page;
    let accountId: string;

    beforeAll(async () => {
      gateway = await createTestGateway({ env: { TRUST_PROXY: "true" } });
      consoleUrl = new URL("/console", await gateway.listen()).href;
      browser = await openBrowser();
      page = await (await browser.newContext({ bypassCSP: true })).newPage();
      accountId = (await profileFixture(gateway, ["a11y@example.com"]))[0]!.id;
    });

    afterAll(async () => {
      await browser?.close();
      await gateway?.close();
    });

    it("the sign-in form (and the check itself sees an unlabelled input and low contrast)", async () => {
      await page.goto(consoleUrl);
      await page.getByLabel("Email").waitFor();
      expect(await violations(page)).toEqual([]);
      await page.evaluate(() => {
        const bad = document.createElement("div");
        bad.innerHTML = '<input type="text"><p class="hint">faint</p>';
        bad.querySelector("p")!.style.color = "#ddd";
        document.querySelector("main")!.append(bad);
      });
      const found = await violations(page);
      expect(found.some((line) => line.startsWith("label "))).toBe(true);
      expect(found.some((line) => line.startsWith("color-contrast "))).toBe(true);
    });

    it("every screen of the header, the member's own page and every tab of an account", async () => {
      await signInToConsole(page, consoleUrl, await addMember(gateway));
      const found: string[] = [];
      const check = async (path: string, ready: () => Promise<unknown>) => {
        await page.goto(`${consoleUrl}${path}`);
        await ready();
        found.push(...(await violations(page)).map((line) => `${path}: ${line}`));
      };
      const heading = () => page.getByRole("heading", { level: 1 }).first().waitFor();
      for (const path of ["", "/live", "/team-log", "/connectors", "/data", "/me"]) await check(path, heading);
      for (const tab of await tabIds(page, consoleUrl, accountId)) {
        await check(`/accounts/${encodeURIComponent(accountId)}/${tab}`, () => page.getByRole("tabpanel").locator("*").first().waitFor());
      }
      expect(found).toEqual([]);
    });
  },
);

/** The account page's tab ids, as its tab links name them. */
async function tabIds(page: Page, consoleUrl: string, accountId: string): Promise<string[]> {
  await page.goto(`${consoleUrl}/accounts/${encodeURIComponent(accountId)}`);
  await page.getByRole("tab").first().waitFor();
  const hrefs = await page.getByRole("tab").evaluateAll((tabs) => tabs.map((tab) => tab.getAttribute("href") ?? ""));
  return hrefs.map((href) => href.split("/").at(-1)!);
}
