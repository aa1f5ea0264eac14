import { describe, expect, it } from "vitest";
import {
  ApplicationDocument,
  ApplicationsDocument,
  CreateApplicationDocument,
  DeleteApplicationDocument,
  UpdateApplicationDocument,
  type ApplicationInput,
} from "./generated/graphql.ts";
import { rowId } from "./helpers/ids.ts";
import { createApp, globalOrg } from "./helpers/notifications.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Applications (clients): branding and notification templates checked when saved, audited changes.

const gw = useTestGateway();
const eventsOf = async (type: string) => (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === type);

async function refused(input: ApplicationInput) {
  const res = await expectNoWrites(gw.db, () => gw.gql(CreateApplicationDocument, { input }));
  const payload = res.data!.createApplication;
  if (payload.__typename !== "ValidationError") throw new Error(JSON.stringify(res));
  return payload.issues;
}

describe("applications", () => {
  it("createApplication stores branding and templates, lists the variables each kind may use, and records application.created", async () => {
    const org = await gw.db.organization.create({ data: { tenantId: gw.tenants.A.id, name: "Org" } });
    const app = await createApp(gw, {
      name: "Portal",
      organizationId: globalOrg(org.id),
      branding: {
        displayName: "Portal",
        primaryColor: "#112233",
        logoUrl: "https://portal.test/logo.svg",
        senderAddress: "hi@portal.test",
      },
      passwordResetUrl: "https://portal.test/reset",
      templates: [
        { kind: "PASSWORD_RESET", subject: "Reset {{customer.firstName}}", text: "{{resetLink}}", html: "<a href='{{resetLink}}'>go</a>" },
      ],
    });
    expect(app).toMatchObject({
      name: "Portal",
      organizationId: globalOrg(org.id),
      branding: { displayName: "Portal", primaryColor: "#112233", accentColor: null, senderAddress: "hi@portal.test" },
    });
    expect(app.templates).toHaveLength(1);
    expect(app.templates[0].variables).toContain("resetLink");
    expect(app.templates[0].variables).toContain("customer.firstName");
    const [event] = await eventsOf("application.created");
    expect(event.data).toEqual({ applicationId: rowId(app.id), name: "Portal", organizationId: org.id, templates: ["PASSWORD_RESET"] });
    expect((await gw.gql(ApplicationDocument, { id: app.id })).data!.application!.name).toBe("Portal");
    expect((await gw.gql(ApplicationsDocument, {})).data!.applications.edges.map((e) => e.node.name)).toContain("Portal");
  });

  it("refuses bad branding: colours, a non-https logo, a bad sender address, an unknown organization", async () => {
    const issues = await refused({
      name: "Bad",
      organizationId: globalOrg("00000000-0000-4000-8000-000000000000"),
      branding: { displayName: "", primaryColor: "red", logoUrl: "http://insecure.test/logo.png", senderAddress: "not an address" },
    });
    expect(issues.map((i) => i.field).sort()).toEqual([
      "input.branding.displayName",
      "input.branding.logoUrl",
      "input.branding.primaryColor",
      "input.branding.senderAddress",
    ]);
    const org = await refused({ name: "Bad org", organizationId: "not-an-id", branding: { displayName: "x" } });
    expect(org).toEqual([{ field: "input.organizationId", message: "no such organization" }]);
  });

  it("refuses templates with unknown variables, partials, unescaped HTML output, syntax errors or a kind given twice", async () => {
    const issues = await refused({
      name: "Templates",
      branding: { displayName: "T" },
      templates: [
        { kind: "PASSWORD_CHANGED", subject: "Hi {{customer.frstName}}", text: "{{> footer}}", html: "<p>{{{customer.firstName}}}</p>" },
        { kind: "PROFILE_UPDATED", subject: "{{#changedFields}}{{.}}{{/changedFields}}", text: "{{resetLink}}", html: "{{#open}}" },
        { kind: "PROFILE_UPDATED", subject: "x", text: "y" },
      ],
    });
    expect(issues).toEqual([
      { field: "input.templates.0.subject", message: "unknown variable customer.frstName" },
      { field: "input.templates.0.text", message: "partials are not supported ({{> footer}})" },
      { field: "input.templates.0.html", message: "unescaped output is not allowed in HTML ({{{customer.firstName}}})" },
      { field: "input.templates.1.text", message: "unknown variable resetLink" },
      { field: "input.templates.1.html", message: expect.stringContaining("Unclosed section") },
      { field: "input.templates.2.kind", message: "PROFILE_UPDATED is given twice" },
    ]);
  });

  it("updateApplication changes what is given and records the diff; a name taken is a conflict; deleteApplication removes it", async () => {
    const app = await createApp(gw, { name: "Changing", branding: { displayName: "Before" } });
    await createApp(gw, { name: "Taken", branding: { displayName: "Taken" } });
    const res = await gw.gql(UpdateApplicationDocument, {
      id: app.id,
      input: { branding: { displayName: "After", accentColor: "#abcdef" } },
    });
    const payload = res.data!.updateApplication;
    if (payload.__typename !== "UpdateApplicationPayload") throw new Error(JSON.stringify(res));
    expect(payload.application.branding).toMatchObject({ displayName: "After", accentColor: "#abcdef" });
    const [updated] = await eventsOf("application.updated");
    expect(Object.keys(updated.data as object)).toContain("changes");
    expect(Object.keys((updated.data as { changes: object }).changes)).toEqual(["branding"]);

    const same = await expectNoWrites(gw.db, () => gw.gql(UpdateApplicationDocument, { id: app.id, input: { name: "Changing" } }));
    expect(same.data!.updateApplication.__typename).toBe("UpdateApplicationPayload");
    const taken = await expectNoWrites(gw.db, () => gw.gql(UpdateApplicationDocument, { id: app.id, input: { name: "Taken" } }));
    expect(taken.data!.updateApplication).toMatchObject({ __typename: "ConflictError", code: "APPLICATION_NAME_TAKEN" });

    const deleted = await gw.gql(DeleteApplicationDocument, { id: app.id });
    expect(deleted.data!.deleteApplication).toMatchObject({ deletedApplicationId: app.id });
    expect((await gw.gql(ApplicationDocument, { id: app.id })).data!.application).toBeNull();
    expect((await eventsOf("application.deleted")).map((e) => (e.data as { name: string }).name)).toEqual(["Changing"]);
  });

  it("another tenant's application answers not found and is never listed", async () => {
    const appB = await createApp(gw, { name: "Tenant B app", branding: { displayName: "B" } }, "B");
    expect((await gw.gql(ApplicationDocument, { id: appB.id })).data!.application).toBeNull();
    expect((await gw.gql(ApplicationsDocument, {})).data!.applications.edges.map((e) => e.node.name)).not.toContain("Tenant B app");
    const update = await expectNoWrites(gw.db, () => gw.gql(UpdateApplicationDocument, { id: appB.id, input: { name: "Hijacked" } }));
    expect(update.data!.updateApplication).toMatchObject({ code: "APPLICATION_NOT_FOUND" });
    const del = await expectNoWrites(gw.db, () => gw.gql(DeleteApplicationDocument, { id: appB.id }));
    expect(del.data!.deleteApplication).toMatchObject({ code: "APPLICATION_NOT_FOUND" });
  });
});
