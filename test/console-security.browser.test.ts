import { generate } from "otplib";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConfirmTotpDocument,
  CreateGroupDocument,
  CreateOrganizationDocument,
  CreateRoleDocument,
  CreateVerificationPolicyDocument,
  CustomerAccessDocument,
  CustomerAuthenticatorsDocument,
  CustomerGroupsDocument,
  CustomerVerificationsDocument,
  EnrollTotpDocument,
  LinkIdentityDocument,
  ResetPasswordDocument,
  VerifyCustomerIdentityDocument,
} from "./generated/graphql.ts";
import { browserMissing, isLocal, openBrowser, skipBrowserTests, watchedPage, type WatchedPage } from "./helpers/browser.ts";
import { addMember, TEAM_PASSWORD } from "./helpers/console.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";
import { createApp, notificationsSettled } from "./helpers/notifications.ts";
import { startSmtp, type TestSmtp } from "./helpers/smtp.ts";

// The account page's security tabs (Authenticators, Identity verification, Groups and roles,
// Notifications) in headless Chromium against a listening gateway, its notification worker and a
// real local SMTP server. Every change is made through the page and checked through the API.

async function signIn(page: Page, consoleUrl: string, email: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEAM_PASSWORD);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Chromium reports a 401 answer as a console error: the signed-out session probe (GET /console/session) is one, by design. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401/.test(e));

/** Throws unless a setup mutation answered its payload. */
function ok<T extends { __typename: string }, N extends string>(payload: T | undefined, typename: N): Extract<T, { __typename: N }> {
  if (payload?.__typename !== typename) throw new Error(`setup failed: ${JSON.stringify(payload)}`);
  return payload as Extract<T, { __typename: N }>;
}

/** What the page's own session may do through the API: a password reset it is not offered. */
const resetFromPage = (page: Page, customerId: string) =>
  page.evaluate(async (id) => {
    const session = await (await fetch("/console/session")).json();
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": session.csrfToken, "x-console-store": session.stores[0].keyId },
      body: JSON.stringify({ query: `mutation ($id: ID!) { issuePasswordResetToken(customerId: $id) { __typename } }`, variables: { id } }),
    });
    return (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  }, customerId);

describe.skipIf(skipBrowserTests)(`admin console security tabs in Chromium${browserMissing ? ` (${browserMissing})` : ""}`, () => {
  let gateway: TestGateway;
  let smtp: TestSmtp;
  let consoleUrl: string;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  let memberName: string;
  let counter = 0;

  const panel = () => page.getByRole("tabpanel");
  const openTab = async (customerId: string, tab: string, target: Page = page) => {
    await target.goto(`${consoleUrl}/accounts/${encodeURIComponent(customerId)}/${tab}`);
    await target.getByRole("tabpanel").locator("table, form, p:not(.loading)").first().waitFor();
  };
  const customer = (firstName: string) =>
    gateway.createCustomer({ firstName, emails: [{ address: `sec${++counter}-${Date.now()}@mail.test` }] });
  const rowOf = (table: Locator, text: string) => table.locator("tbody tr", { hasText: text });

  beforeAll(async () => {
    smtp = await startSmtp();
    gateway = await createTestGateway({
      env: { SMTP_URL: smtp.url, SMTP_FROM: "desk@gateway.test", NOTIFICATION_WORKER_INTERVAL_MS: "50" },
    });
    consoleUrl = new URL("/console", await gateway.listen()).href;
    browser = await openBrowser();
    watched = await watchedPage(browser);
    page = watched.page;
    const member = await addMember(gateway, ["CUSTOMERS_WRITE", "AUDIT_READ"]);
    await signIn(page, consoleUrl, member);
    memberName = (await page.locator(".member").innerText()).trim();
    await createApp(gateway, { name: "Acme web", branding: { displayName: "Acme" }, passwordResetUrl: "https://acme.test/reset" });
    const org = ok(
      (await gateway.gql(CreateOrganizationDocument, { input: { name: "Globex" } })).data?.createOrganization,
      "CreateOrganizationPayload",
    );
    await createApp(gateway, { name: "Globex portal", branding: { displayName: "Globex" }, organizationId: org.organization.id });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await smtp?.close();
  });

  it("sends a password reset through the chosen application, lists it as sent, and shows the API's refusal for another", async () => {
    const c = await customer("Ada");
    await openTab(c.id, "notifications");
    await panel().getByLabel("Application").selectOption({ label: "Acme web" });
    expect(await panel().getByLabel("Message").locator("option:checked").innerText()).toBe("Password reset link");
    await panel().getByRole("button", { name: "Send" }).click();
    await panel().getByRole("status").getByText("Password reset sent through Acme web").waitFor();

    const list = panel().locator("table.notifications");
    await expect.poll(() => rowOf(list, "PASSWORD_RESET").locator("td:nth-child(5)").innerText(), { timeout: 15_000 }).toBe("SENT");
    expect(await rowOf(list, "PASSWORD_RESET").locator("td:nth-child(6)").innerText()).toBe("SMTP");
    const [sent] = await notificationsSettled(gateway, c.id, 1);
    expect(sent).toMatchObject({
      kind: "PASSWORD_RESET",
      status: "SENT",
      recipient: c.emails[0].address,
      application: { name: "Acme web" },
    });
    const mail = (await smtp.received(1)).find((m) => m.to && JSON.stringify(m.to).includes(c.emails[0].address))!;
    const token = /https:\/\/acme\.test\/reset\?token=([\w-]+)/.exec(mail.text ?? "")![1]!;
    expect(await page.content()).not.toContain(token); // the token exists only in the message

    await panel().getByLabel("Application").selectOption({ label: "Globex portal" });
    await panel().getByRole("button", { name: "Send" }).click();
    await expect.poll(() => panel().getByRole("alert").innerText()).toContain("not a member of this application's organization");
    expect((await notificationsSettled(gateway, c.id, 1)).length).toBe(1);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("revokes recovery codes and removes a lost authenticator app after a confirmation; without an application the reset token is shown", async () => {
    const signedIn = await gateway.createSignedInCustomer({ firstName: "Grace", emails: [{ address: `grace-${Date.now()}@mail.test` }] });
    const id = signedIn.customer.id;
    const enrolled = ok(
      (await gateway.gql(EnrollTotpDocument, { label: "Work phone" }, signedIn.as)).data?.enrollTotp,
      "EnrollTotpPayload",
    );
    const { factorId, secret } = enrolled.enrollment;
    ok(
      (await gateway.gql(ConfirmTotpDocument, { factorId, code: await generate({ secret }) }, signedIn.as)).data?.confirmTotp,
      "ConfirmTotpPayload",
    );
    const kinds = async () => (await gateway.gql(CustomerAuthenticatorsDocument, { id })).data!.customer!.authenticators.map((a) => a.kind);
    expect(await kinds()).toEqual(["PASSWORD", "EMAIL", "TOTP", "RECOVERY_CODES"]);

    await openTab(id, "authenticators");
    const table = panel().locator("table.records");
    await panel().getByLabel("Tell the customer through").selectOption({ label: "Acme web" });
    await rowOf(table, "Recovery codes").getByRole("button", { name: "Reset recovery codes" }).click();
    await rowOf(table, "Recovery codes").getByRole("button", { name: "Revoke the codes" }).click();
    await panel().getByRole("status").getByText("Recovery codes revoked.").waitFor();
    await expect.poll(kinds).toEqual(["PASSWORD", "EMAIL", "TOTP"]);

    await rowOf(table, "Work phone").getByRole("button", { name: "Remove" }).click();
    const confirm = rowOf(table, "Work phone").getByRole("button", { name: "Remove the app" });
    expect(await confirm.evaluate((button) => button === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    await panel().getByRole("status").getByText("Removed the app “Work phone”.").waitFor();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(2);
    expect(await kinds()).toEqual(["PASSWORD", "EMAIL"]);
    expect((await notificationsSettled(gateway, id, 2)).map((n) => n.kind)).toEqual(["AUTHENTICATOR_REMOVED", "AUTHENTICATOR_REMOVED"]);

    await panel().getByLabel("Tell the customer through").selectOption({ index: 0 });
    await rowOf(table, "Password").getByRole("button", { name: "Send password reset" }).click();
    const status = panel().getByRole("status");
    await status.getByText("give it to the customer yourself").waitFor();
    const token = /yourself: ([\w-]+)/.exec(await status.innerText())![1]!;
    const reset = await gateway.gql(
      ResetPasswordDocument,
      { token, newPassword: "a brand new password 42" },
      { tenant: gateway.tenants.A.slug },
    );
    expect(reset.data?.resetPassword.__typename).toBe("ResetPasswordPayload");
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("unlinks an external identity while another remains, and offers no unlinking of the last one", async () => {
    const c = await customer("Katherine");
    for (const [provider, providerUserId] of [
      ["google", "g-1"],
      ["github", "gh-1"],
    ]) {
      const linked = await gateway.gql(LinkIdentityDocument, {
        customerId: c.id,
        identity: { provider: provider!, providerUserId: providerUserId! },
      });
      ok(linked.data?.linkIdentity, "LinkIdentityPayload");
    }
    await openTab(c.id, "authenticators");
    const table = panel().locator("table.records");
    await rowOf(table, "google: g-1").getByRole("button", { name: "Unlink" }).click();
    await rowOf(table, "google: g-1").getByRole("button", { name: "Unlink the identity" }).click();
    await panel().getByRole("status").getByText("Unlinked google.").waitFor();
    const external = async () =>
      (await gateway.gql(CustomerAuthenticatorsDocument, { id: c.id })).data!.customer!.authenticators.filter((a) => a.kind === "EXTERNAL");
    expect((await external()).map((a) => a.__typename === "ExternalAuthenticator" && a.provider)).toEqual(["github"]);
    await expect.poll(() => rowOf(table, "github: gh-1").innerText()).toContain("The last identity");
    expect(await rowOf(table, "github: gh-1").getByRole("button").count()).toBe(0);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("verifies an identity under a policy, then revokes it with a reason, by the member's name", async () => {
    const c = await customer("Alan");
    const input = { name: `KYC ${Date.now()}`, methods: ["DOCUMENT_CHECK", "VIDEO_CALL"] as ("DOCUMENT_CHECK" | "VIDEO_CALL")[] };
    ok((await gateway.gql(CreateVerificationPolicyDocument, { input })).data?.createVerificationPolicy, "CreateVerificationPolicyPayload");
    await openTab(c.id, "identity-verification");
    await panel().getByLabel("Policy").selectOption({ label: input.name });
    await panel().getByLabel("Method").selectOption({ label: "Video call" });
    expect(await panel().getByRole("button", { name: "Verify identity" }).isDisabled()).toBe(true);
    await panel().getByLabel("Evidence checked").fill("passport shown on a video call");
    await panel().getByRole("button", { name: "Verify identity" }).click();
    await panel().getByRole("status").getByText(`Identity verified under ${input.name} (Video call).`).waitFor();

    const history = async () => (await gateway.gql(CustomerVerificationsDocument, { id: c.id })).data!.customer!;
    const [verified] = (await history()).identityVerifications.edges.map((e) => e.node);
    expect(verified).toMatchObject({
      active: true,
      method: "VIDEO_CALL",
      note: "passport shown on a video call",
      policy: { name: input.name },
    });
    const row = rowOf(panel().locator("table.records"), input.name);
    expect(await row.innerText()).toContain(`by ${verified!.verifiedBy.name}`);
    expect(verified!.verifiedBy.name).toContain(memberName);

    await row.getByRole("button", { name: "Revoke", exact: true }).click();
    expect(await row.getByRole("button", { name: "Revoke verification" }).isDisabled()).toBe(true);
    // The form takes the focus (after it renders): the reason is typed and sent from the keyboard.
    const reason = row.getByLabel("Reason for revoking");
    await expect.poll(() => reason.evaluate((field) => field === document.activeElement)).toBe(true);
    await page.keyboard.type("the passport was reported stolen");
    expect(await row.getByLabel("Reason for revoking").inputValue()).toBe("the passport was reported stolen");
    await page.keyboard.press("Enter");
    await panel().getByRole("status").getByText(`Revoked the ${input.name} verification.`).waitFor();
    const after = await history();
    expect(after.identityVerified).toBe(false);
    expect(after.identityVerifications.edges[0]!.node).toMatchObject({ active: false, revokeReason: "the passport was reported stolen" });
    await expect.poll(() => row.innerText()).toContain("the passport was reported stolen");
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("adds the customer to a group and assigns a role pair, then removes both", async () => {
    const c = await customer("Barbara");
    ok((await gateway.gql(CreateGroupDocument, { input: { name: "Gold" } })).data?.createGroup, "CreateGroupPayload");
    ok(
      (await gateway.gql(CreateRoleDocument, { input: { name: "Editor", permissions: ["docs:write"] } })).data?.createRole,
      "CreateRolePayload",
    );
    const groups = async () =>
      (await gateway.gql(CustomerGroupsDocument, { id: c.id })).data!.customer!.groups.edges.map((e) => e.node.name);
    const pairs = async () =>
      (await gateway.gql(CustomerAccessDocument, { id: c.id })).data!.customer!.roleAssignments.edges.map(
        (e) => `${e.node.role.name}@${e.node.organization?.name ?? "tenant"}`,
      );

    await openTab(c.id, "groups-and-roles");
    await panel()
      .getByRole("combobox", { name: /^Group/ })
      .selectOption({ label: "Gold" });
    await panel().getByRole("button", { name: "Add to group" }).click();
    await panel().getByRole("button", { name: "Remove from Gold" }).waitFor();
    expect(await groups()).toEqual(["Gold"]);

    await panel().getByRole("combobox", { name: /^Role/ }).selectOption({ label: "Editor" });
    await panel().getByLabel("For organization").selectOption({ label: "Globex" });
    await panel().getByRole("button", { name: "Assign role" }).click();
    await panel().getByRole("button", { name: "Unassign Editor for Globex" }).waitFor();
    expect(await pairs()).toEqual(["Editor@Globex"]);

    await panel().getByRole("button", { name: "Remove from Gold" }).click();
    await panel().getByText("Not in any group.").waitFor();
    await panel().getByRole("button", { name: "Unassign Editor for Globex" }).click();
    await panel().getByText("No role assigned.").waitFor();
    expect(await groups()).toEqual([]);
    expect(await pairs()).toEqual([]);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("a member without CUSTOMERS_WRITE sees every change disabled, and the API refuses them", async () => {
    const c = await customer("Reader");
    const policy = ok(
      (await gateway.gql(CreateVerificationPolicyDocument, { input: { name: "Reader KYC", methods: ["IN_PERSON"] } })).data
        ?.createVerificationPolicy,
      "CreateVerificationPolicyPayload",
    );
    const input = { policyId: policy.verificationPolicy.id, method: "IN_PERSON" as const, note: "seen at the desk" };
    ok(
      (await gateway.gql(VerifyCustomerIdentityDocument, { customerId: c.id, input })).data?.verifyCustomerIdentity,
      "VerifyCustomerIdentityPayload",
    );
    const reader = await watchedPage(browser);
    await signIn(reader.page, consoleUrl, await addMember(gateway, ["CUSTOMERS_READ"]));
    const disabled = (name: string) => reader.page.getByRole("tabpanel").getByRole("button", { name, exact: true }).isDisabled();

    await openTab(c.id, "authenticators", reader.page);
    expect(await disabled("Send password reset")).toBe(true);
    await openTab(c.id, "identity-verification", reader.page);
    await reader.page.getByRole("tabpanel").locator("table.records").waitFor();
    expect([await disabled("Verify identity"), await disabled("Revoke")]).toEqual([true, true]);
    await openTab(c.id, "groups-and-roles", reader.page);
    expect([await disabled("Add to group"), await disabled("Assign role")]).toEqual([true, true]);
    await openTab(c.id, "notifications", reader.page);
    expect(await disabled("Send")).toBe(true);

    expect(unexpected(reader.consoleErrors)).toEqual([]);
    expect((await resetFromPage(reader.page, c.id)).errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    expect(reader.requests.filter((request) => !isLocal(request))).toEqual([]);
    await reader.context.close();
  });

  it("asked nothing from outside this machine, and logged no unexpected console error", () => {
    expect(watched.offsite).toEqual([]);
    expect(watched.requests.filter((request) => !isLocal(request))).toEqual([]);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });
});
