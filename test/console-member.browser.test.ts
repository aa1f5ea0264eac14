import { generate } from "otplib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { browserMissing, isLocal, openBrowser, skipBrowserTests, watchedPage, type WatchedPage } from "./helpers/browser.ts";
import { addMember, TEAM_PASSWORD } from "./helpers/console.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";

// The member's own page in Chromium: turn an authenticator app on (QR code drawn in the page, the
// key shown for typing), sign in again with its code, change the password.

const NEW_PASSWORD = "a brand new console password";
const STEP_MS = 30_000;

// The gateway runs in this process: its clock is pinned a second into a 30-second step and moved a
// step at a time, so each sign-in has a fresh code (a code is accepted once) whatever the real time.
let t0 = 0;
const atStep = (k: number) => vi.setSystemTime(t0 + k * STEP_MS);
const codeAt = (secret: string, k: number) => generate({ secret, epoch: (t0 + k * STEP_MS) / 1000 });

/**
 * Chromium reports a refused request as a console error; these are the refusals this test provokes
 * (the signed-out probe and the code step: 401; a wrong first code: 400; a wrong current password: 403).
 */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of (400|401|403)/.test(e));

describe.skipIf(skipBrowserTests)(`the member's own page in Chromium${browserMissing ? ` (${browserMissing})` : ""}`, () => {
  let gateway: TestGateway;
  let consoleUrl: string;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  let email: string;
  let secret: string;

  beforeAll(async () => {
    t0 = Math.floor(Date.now() / STEP_MS) * STEP_MS + 1000;
    vi.useFakeTimers({ toFake: ["Date"], now: t0 });
    gateway = await createTestGateway();
    consoleUrl = new URL("/console", await gateway.listen()).href;
    browser = await openBrowser();
    watched = await watchedPage(browser);
    page = watched.page;
    email = await addMember(gateway, ["CUSTOMERS_READ"]);
  });

  afterAll(async () => {
    vi.useRealTimers();
    await browser?.close();
    await gateway?.close();
  });

  const fillSignIn = async (password: string) => {
    await page.goto(consoleUrl);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  };

  it("turns an authenticator app on with the code it shows; the QR code is drawn in the page", async () => {
    await fillSignIn(TEAM_PASSWORD);
    await page.getByRole("link", { name: /^Member / }).click();
    expect(new URL(page.url()).pathname).toBe("/console/me");
    await page.getByRole("button", { name: "Turn on an authenticator app" }).click();
    await page.getByRole("img", { name: "QR code for your authenticator app" }).locator("svg").waitFor();
    secret = (await page.locator("code.totp-key").innerText()).trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel("Code from your authenticator app").fill("000000");
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toMatch(/not right/);
    await page.getByLabel("Code from your authenticator app").fill(await codeAt(secret, 0));
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.getByRole("status").innerText()).toBe("The authenticator app is on.");
    expect(await page.getByText("On: signing in asks for the code your app shows.").isVisible()).toBe(true);
  });

  it("signs in again only with the app's code", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await fillSignIn(TEAM_PASSWORD);
    const code = page.getByLabel("Code from your authenticator app");
    await code.waitFor();
    expect(await page.getByLabel("Password").getAttribute("readonly")).not.toBeNull();
    await code.fill("123456");
    await code.press("Enter");
    await expect.poll(() => page.getByRole("alert").innerText()).toBe("The code is not right.");
    atStep(1);
    await code.fill(await codeAt(secret, 1));
    await code.press("Enter");
    await page.getByRole("button", { name: "Sign out" }).waitFor();
  });

  it("changes the password: a wrong current one is refused, then only the new one signs in", async () => {
    await page.getByRole("link", { name: /^Member / }).click();
    await page.getByLabel("Current password").fill("not the password at all");
    await page.getByLabel("New password (12 characters or more)").fill(NEW_PASSWORD);
    await page.getByLabel("New password again").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toBe("The current password is not right");
    await page.getByLabel("Current password").fill(TEAM_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.getByRole("status").innerText()).toBe("Password changed.");

    await page.getByRole("button", { name: "Sign out" }).click();
    await fillSignIn(TEAM_PASSWORD);
    await expect.poll(() => page.getByRole("alert").innerText()).toBe("The email or the password is not right.");
    await fillSignIn(NEW_PASSWORD);
    atStep(2);
    await page.getByLabel("Code from your authenticator app").fill(await codeAt(secret, 2));
    await page.getByLabel("Code from your authenticator app").press("Enter");
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    expect(watched.requests.filter((request) => !isLocal(request))).toEqual([]);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });
});
