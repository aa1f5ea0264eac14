import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddEmailNotifyDocument,
  CustomerNotificationsDocument,
  IssuePasswordResetTokenNotifyDocument,
  NotificationsDocument,
  RemovePhoneNotifyDocument,
  ResetPasswordDocument,
  SetPasswordNotifyDocument,
  UpdateCustomerNotifyDocument,
} from "./generated/graphql.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";
import { rowId } from "./helpers/ids.ts";
import { createApp as newApp, globalOrg, notificationsSettled } from "./helpers/notifications.ts";
import { startSmtp, type TestSmtp } from "./helpers/smtp.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

// Customer notifications over a real SMTP server: the outbox row written with the change, the
// worker's claim and send, the message as received (branding, escaping), retries, the
// organization rule and what a failed mutation leaves behind (nothing).

let gw: TestGateway;
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  gw = await createTestGateway({
    env: {
      SMTP_URL: smtp.url,
      SMTP_FROM: "fallback@gateway.test",
      NOTIFICATION_WORKER_INTERVAL_MS: "50",
      NOTIFICATION_RETRY_BASE_MS: "50",
      NOTIFICATION_MAX_ATTEMPTS: "3",
    },
  });
});
afterAll(async () => {
  await gw?.close();
  await smtp?.close();
});

const BRANDING = {
  displayName: "Acme Support",
  senderAddress: "support@acme.test",
  primaryColor: "#ff6600",
  accentColor: "#003366",
  logoUrl: "https://acme.test/logo.png",
};

let counter = 0;
const customer = (firstName = "Ada", extra: object = {}) =>
  gw.createCustomer({ firstName, emails: [{ address: `person${++counter}@mail.test` }], ...extra });

async function lastMessage(count: number) {
  const messages = await smtp.received(count);
  return messages[count - 1];
}

describe("notifying a customer over SMTP", () => {
  it("updateCustomer with notify sends the branded, rendered message once the change commits; HTML escapes the customer's values", async () => {
    const app = await newApp(gw, { name: "Acme web", branding: BRANDING });
    const c = await customer("Grace");
    const before = smtp.messages.length;
    const res = await gw.gql(UpdateCustomerNotifyDocument, {
      id: c.id,
      input: { firstName: "<script>alert(1)</script>" },
      notify: { application: app.id },
    });
    expect(res.data!.updateCustomer.__typename).toBe("UpdateCustomerPayload");
    const mail = await lastMessage(before + 1);
    expect(mail.from!.value).toEqual([{ address: "support@acme.test", name: "Acme Support" }]);
    expect(smtp.envelopes[before]).toEqual([c.emails[0].address]);
    expect(mail.subject).toBe("Your Acme Support profile was updated");
    expect(mail.text).toContain("Hello <script>alert(1)</script>,");
    expect(mail.text).toContain("firstName");
    expect(mail.html).toContain("Hello &lt;script&gt;alert(1)&lt;/script&gt;,");
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain('<img src="https://acme.test/logo.png" alt="Acme Support"');
    expect(mail.html).toContain("#ff6600");

    const [sent] = await notificationsSettled(gw, c.id, 1);
    expect(sent).toMatchObject({ kind: "PROFILE_UPDATED", status: "SENT", channel: "SMTP", attempts: 1, recipient: c.emails[0].address });
    expect(sent.application).toMatchObject({ id: app.id, name: "Acme web" });
    expect(sent.attemptLog).toMatchObject([{ number: 1, ok: true }]);
    const row = await gw.db.notification.findUniqueOrThrow({ where: { id: rowId(sent.id) } });
    expect([row.textBody, row.htmlBody, row.claimToken]).toEqual([null, null, null]);
    const types = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.customerId === rowId(c.id)).map((e) => e.type);
    expect(types).toEqual(["customer.created", "customer.updated", "customer.notification_queued", "customer.notification_sent"]);
  });

  it("issuePasswordResetToken with notify answers no token: the link goes only into the message, and it resets the password", async () => {
    const app = await newApp(gw, {
      name: "Reset app",
      branding: { displayName: "Resets" },
      passwordResetUrl: "https://acme.test/reset?lang=en",
    });
    const c = await customer();
    const before = smtp.messages.length;
    const res = await gw.gql(IssuePasswordResetTokenNotifyDocument, { customerId: c.id, notify: { application: app.id } });
    const payload = res.data!.issuePasswordResetToken;
    if (payload.__typename !== "IssuePasswordResetTokenPayload") throw new Error(JSON.stringify(res));
    expect(payload.issued.token).toBeNull();
    const mail = await lastMessage(before + 1);
    expect(mail.from!.value).toEqual([{ address: "fallback@gateway.test", name: "Resets" }]);
    const link = /https:\/\/acme\.test\/reset\?lang=en&token=([A-Za-z0-9_-]{43})/.exec(mail.text!);
    expect(link).not.toBeNull();
    const token = link![1];
    expect(mail.html).toContain(`<a href="https://acme.test/reset?lang=en&amp;token=${token}">`);
    const trail = JSON.stringify((await auditTrail(gw.db, gw.tenants.A.id)).map((e) => e.data));
    expect(trail).not.toContain(token);
    const reset = await gw.gql(ResetPasswordDocument, { token, newPassword: "a brand new passphrase" }, { tenant: gw.tenants.A.slug });
    expect(reset.data!.resetPassword).toMatchObject({ passwordReset: true });
    await notificationsSettled(gw, c.id, 1);
    const rows = await gw.db.notification.findMany({ where: { customerId: rowId(c.id) } });
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("setPassword, addEmail and removePhone notify with their kinds; an application's own template replaces the default", async () => {
    const app = await newApp(gw, {
      name: "Templated",
      branding: { displayName: "Templated" },
      templates: [
        {
          kind: "AUTHENTICATOR_ADDED",
          subject: "New sign-in method for {{customer.firstName}}",
          text: "Added: {{authenticator.kind}} {{authenticator.label}}",
          html: "<p>Added <b>{{authenticator.label}}</b></p>",
        },
      ],
    });
    const c = await customer("Alan", { phones: [{ number: "+14155550100" }] });
    const before = smtp.messages.length;
    const notify = { application: app.id };
    expect(
      (await gw.gql(SetPasswordNotifyDocument, { customerId: c.id, password: "admin chose this one", notify })).data!.setPassword
        .__typename,
    ).toBe("SetPasswordPayload");
    expect(
      (await gw.gql(AddEmailNotifyDocument, { customerId: c.id, email: { address: "second@mail.test" }, notify })).data!.addEmail
        .__typename,
    ).toBe("AddEmailPayload");
    expect(
      (await gw.gql(RemovePhoneNotifyDocument, { customerId: c.id, phone: "+14155550100", notify })).data!.removePhone.__typename,
    ).toBe("RemovePhonePayload");
    const sent = await notificationsSettled(gw, c.id, 3);
    expect(sent.map((n) => n.kind).sort()).toEqual(["AUTHENTICATOR_ADDED", "AUTHENTICATOR_REMOVED", "PASSWORD_CHANGED"]);
    const mails = (await smtp.received(before + 3)).slice(before);
    const added = mails.find((m) => m.subject === "New sign-in method for Alan")!;
    expect(added.text).toBe("Added: Email address second@mail.test");
    expect(added.html).toContain("<p>Added <b>second@mail.test</b></p>");
    expect(mails.map((m) => m.subject)).toContain("Your Templated password was changed");
    expect(mails.find((m) => m.subject === "A sign-in method was removed from your Templated account")!.text).toContain("+14155550100");
  });

  it("retries when the SMTP server refuses, with the attempts in the delivery log, and fails after the last attempt", async () => {
    const app = await newApp(gw, { name: "Retry app", branding: { displayName: "Retry" } });
    const c = await customer();
    smtp.refuse(2);
    await gw.gql(SetPasswordNotifyDocument, { customerId: c.id, password: "first retried password", notify: { application: app.id } });
    const [retried] = await notificationsSettled(gw, c.id, 1);
    expect(retried).toMatchObject({ status: "SENT", attempts: 3 });
    expect(retried.attemptLog.map((a) => a.ok)).toEqual([false, false, true]);
    expect(retried.attemptLog[0].detail).toContain("451");

    const d = await customer();
    smtp.refuse(3);
    await gw.gql(SetPasswordNotifyDocument, { customerId: d.id, password: "second retried password", notify: { application: app.id } });
    const [failed] = await notificationsSettled(gw, d.id, 1);
    expect(failed).toMatchObject({ status: "FAILED", attempts: 3 });
    expect(failed.lastError).toContain("try again later");
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "customer.notification_failed");
    expect(events.map((e) => e.customerId)).toContain(rowId(d.id));
    const listed = (await gw.gql(NotificationsDocument, { status: "FAILED" })).data!.notifications.edges.map((e) => e.node.id);
    expect(listed).toEqual([failed.id]);
  });
});

describe("which application may notify whom (seed 002, About clients)", () => {
  it("a member of an organization only through an application of that organization; anyone else only through one of no organization", async () => {
    const acme = await gw.db.organization.create({ data: { tenantId: gw.tenants.A.id, name: "Acme Corp" } });
    const other = await gw.db.organization.create({ data: { tenantId: gw.tenants.A.id, name: "Other Corp" } });
    const plain = await newApp(gw, { name: "Consumer app", branding: { displayName: "Consumer" } });
    const acmeApp = await newApp(gw, { name: "Acme portal", organizationId: globalOrg(acme.id), branding: { displayName: "Acme portal" } });
    const otherApp = await newApp(gw, { name: "Other portal", organizationId: globalOrg(other.id), branding: { displayName: "Other" } });
    const member = await customer("Member");
    await gw.db.organizationMembership.create({
      data: { tenantId: gw.tenants.A.id, organizationId: acme.id, customerId: rowId(member.id) },
    });
    const loner = await customer("Loner");

    const refused = async (customerId: string, application: string) => {
      const res = await expectNoWrites(gw.db, () =>
        gw.gql(UpdateCustomerNotifyDocument, { id: customerId, input: { lastName: "Changed" }, notify: { application } }),
      );
      return res.data!.updateCustomer;
    };
    expect(await refused(member.id, plain.id)).toMatchObject({ __typename: "RuleViolationError", code: "APPLICATION_NOT_ALLOWED" });
    expect(await refused(member.id, otherApp.id)).toMatchObject({ code: "APPLICATION_NOT_ALLOWED" });
    expect(await refused(loner.id, acmeApp.id)).toMatchObject({ code: "APPLICATION_NOT_ALLOWED" });

    const ok = await gw.gql(UpdateCustomerNotifyDocument, {
      id: member.id,
      input: { lastName: "Changed" },
      notify: { application: acmeApp.id },
    });
    expect(ok.data!.updateCustomer.__typename).toBe("UpdateCustomerPayload");
    const ok2 = await gw.gql(UpdateCustomerNotifyDocument, {
      id: loner.id,
      input: { lastName: "Changed" },
      notify: { application: plain.id },
    });
    expect(ok2.data!.updateCustomer.__typename).toBe("UpdateCustomerPayload");
    const [sent] = await notificationsSettled(gw, member.id, 1);
    expect(sent.application!.name).toBe("Acme portal");
    expect((await notificationsSettled(gw, loner.id, 1))[0].application!.name).toBe("Consumer app");
  });
});

describe("nothing is queued when the mutation fails, and nothing is changed when the notification cannot be", () => {
  it("a refused change queues nothing; a customer without a primary email (NOT_NOTIFIABLE) or an unknown application leaves the change unmade", async () => {
    const app = await newApp(gw, { name: "Failing app", branding: { displayName: "Failing" } });
    const c = await customer();
    const bad = await expectNoWrites(gw.db, () =>
      gw.gql(SetPasswordNotifyDocument, { customerId: c.id, password: "short", notify: { application: app.id } }),
    );
    expect(bad.data!.setPassword).toMatchObject({ code: "VALIDATION_FAILED" });

    const mute = await gw.createCustomer({ firstName: "Mute", phones: [{ number: "+14155550199" }] });
    const none = await expectNoWrites(gw.db, () =>
      gw.gql(UpdateCustomerNotifyDocument, { id: mute.id, input: { firstName: "Changed" }, notify: { application: app.id } }),
    );
    expect(none.data!.updateCustomer).toMatchObject({ __typename: "RuleViolationError", code: "NOT_NOTIFIABLE" });

    for (const application of [c.id, "not-an-id", app.id.slice(0, -2)]) {
      const unknown = await expectNoWrites(gw.db, () =>
        gw.gql(UpdateCustomerNotifyDocument, { id: c.id, input: { firstName: "Changed" }, notify: { application } }),
      );
      expect(unknown.data!.updateCustomer).toMatchObject({ __typename: "NotFoundError", code: "APPLICATION_NOT_FOUND" });
    }
  });
});

describe("tenant isolation", () => {
  it("tenant A cannot notify through tenant B's application, nor read B's notifications", async () => {
    const appB = await newApp(gw, { name: "B app", branding: { displayName: "B" } }, "B");
    const b = await gw.createCustomer({ firstName: "Bee", emails: [{ address: "bee@b.test" }] }, "B");
    await gw.gql(UpdateCustomerNotifyDocument, { id: b.id, input: { lastName: "B" }, notify: { application: appB.id } }, "B");
    const [sentB] = await notificationsSettled(gw, b.id, 1, "B");

    const c = await customer();
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(UpdateCustomerNotifyDocument, { id: c.id, input: { lastName: "A" }, notify: { application: appB.id } }),
    );
    expect(res.data!.updateCustomer).toMatchObject({ code: "APPLICATION_NOT_FOUND" });
    const listedA = (await gw.gql(NotificationsDocument, {})).data!.notifications.edges.map((e) => e.node.id);
    expect(listedA).not.toContain(sentB.id);
    expect((await gw.gql(CustomerNotificationsDocument, { id: b.id })).data!.customer).toBeNull();
  });
});
