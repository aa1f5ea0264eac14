import { describe, expect, it } from "vitest";
import {
  CreateAdminCredentialDocument,
  CreateSecurityQuestionDocument,
  CustomerSecurityAnswersDocument,
  ImpersonateCustomerDocument,
  RecoveryQuestionsDocument,
  ResetPasswordDocument,
  RetireSecurityQuestionDocument,
  SecurityQuestionsDocument,
  SetMySecurityAnswersDocument,
  SetSecurityAnswersDocument,
  VerifySecurityAnswersDocument,
} from "./generated/graphql.ts";
import { PASSWORD } from "./helpers/gateway.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Free throttle failures far above the lock, so that only the hard lock (shared with sign-in) is at work.
const gw = useTestGateway({ env: { LOCKOUT_THRESHOLD: "3", SIGN_IN_FREE_FAILURES_PER_IP: "50", SIGN_IN_FREE_FAILURES: "50" } });

let questions = 0;
async function question(text = `What was the name of pet number ${++questions}?`, as: "A" | "B" = "A") {
  const res = await gw.gql(CreateSecurityQuestionDocument, { text }, as);
  const payload = res.data!.createSecurityQuestion;
  if (payload.__typename !== "CreateSecurityQuestionPayload") throw new Error(JSON.stringify(payload));
  return payload.securityQuestion.id;
}

let customers = 0;
async function customerWithAnswers(answers: { questionId: string; answer: string }[]) {
  const email = `sq-${++customers}@example.com`;
  const c = await gw.createCustomerWithPassword({ emails: [{ address: email }] });
  const res = await gw.gql(SetSecurityAnswersDocument, { customerId: c.id, answers });
  if (res.data!.setSecurityAnswers.__typename !== "SetSecurityAnswersPayload") throw new Error(JSON.stringify(res));
  return { id: c.id, email };
}

const recover = (identifier: string, answers: { questionId: string; answer: string }[]) =>
  gw.gql(VerifySecurityAnswersDocument, { identifier, answers }, { tenant: "tenant-a" });

describe("security questions", () => {
  it("are created and retired by tenant admins; retired ones are listed only when asked", async () => {
    const q = await question("What is your favourite colour?");
    expect((await auditTrail(gw.db, gw.tenants.A.id)).at(-1)).toMatchObject({ type: "security_question.created" });
    const dup = await expectNoWrites(gw.db, () => gw.gql(CreateSecurityQuestionDocument, { text: "What is your favourite colour?" }));
    expect(dup.data!.createSecurityQuestion).toMatchObject({ code: "SECURITY_QUESTION_TAKEN" });
    await gw.gql(RetireSecurityQuestionDocument, { id: q });
    expect((await auditTrail(gw.db, gw.tenants.A.id)).at(-1)).toMatchObject({ type: "security_question.retired" });
    const active = (await gw.gql(SecurityQuestionsDocument, {})).data!.securityQuestions.map((x) => x.id);
    const all = (await gw.gql(SecurityQuestionsDocument, { includeRetired: true })).data!.securityQuestions.map((x) => x.id);
    expect(active).not.toContain(q);
    expect(all).toContain(q);
    const fromB = await expectNoWrites(gw.db, () => gw.gql(RetireSecurityQuestionDocument, { id: q }, "B"));
    expect(fromB.data!.retireSecurityQuestion).toMatchObject({ code: "SECURITY_QUESTION_NOT_FOUND" });
  });
});

describe("recoveryQuestions", () => {
  it("lists the tenant's active questions to a recovery page (X-Tenant), and nothing without a tenant", async () => {
    const q = await question();
    const retired = await question();
    await gw.gql(RetireSecurityQuestionDocument, { id: retired });
    const ofA = (await gw.gql(RecoveryQuestionsDocument, {}, { tenant: "tenant-a" })).data!.recoveryQuestions.map((x) => x.id);
    expect(ofA).toContain(q);
    expect(ofA).not.toContain(retired);
    const ofB = (await gw.gql(RecoveryQuestionsDocument, {}, { tenant: "tenant-b" })).data!.recoveryQuestions.map((x) => x.id);
    expect(ofB).not.toContain(q);
    const nobody = await gw.gql(RecoveryQuestionsDocument, {}, "anonymous");
    expect(nobody.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("security answers", () => {
  it("are stored hashed, never readable back, and match normalised (case, width, spaces)", async () => {
    const q1 = await question();
    const q2 = await question();
    const c = await customerWithAnswers([
      { questionId: q1, answer: "  Rex   the DOG " },
      { questionId: q2, answer: "Straße" },
    ]);
    const rows = await gw.db.securityAnswer.findMany({ where: { customerId: rowId(c.id) } });
    expect(rows.map((r) => r.answerHash.startsWith("$argon2id$"))).toEqual([true, true]);
    expect(JSON.stringify(rows)).not.toMatch(/rex|stra/i);
    const read = (await gw.gql(CustomerSecurityAnswersDocument, { id: c.id })).data!.customer!.securityAnswers;
    expect(read.map((a) => a.question.id)).toEqual([q1, q2]);
    const event = (await auditTrail(gw.db, gw.tenants.A.id)).findLast((e) => e.type === "customer.security_answers_set")!;
    expect(event.data).toEqual({ questionIds: [rowId(q1), rowId(q2)] });
    expect(JSON.stringify(event.data)).not.toMatch(/rex/i);

    const ok = await recover(c.email, [
      { questionId: q1, answer: "rex the dog" },
      { questionId: q2, answer: "ＳＴＲＡＳＳＥ" }, // full-width, upper case, ß folded to ss
    ]);
    const payload = ok.data!.verifySecurityAnswers;
    if (payload.__typename !== "VerifySecurityAnswersPayload") throw new Error(JSON.stringify(ok));
    const reset = await gw.gql(
      ResetPasswordDocument,
      { token: payload.passwordResetToken, newPassword: "a brand new passphrase" },
      { tenant: "tenant-a" },
    );
    expect(reset.data!.resetPassword.__typename).toBe("ResetPasswordPayload");
    await gw.signIn(c.email, "a brand new passphrase");
    expect(
      (await auditTrail(gw.db, gw.tenants.A.id)).some(
        (e) => e.type === "customer.security_answers_verified" && e.customerId === rowId(c.id),
      ),
    ).toBe(true);
  });

  it("refuses retired, foreign and repeated questions and empty answers, writing nothing", async () => {
    const q = await question();
    const retired = await question();
    await gw.gql(RetireSecurityQuestionDocument, { id: retired });
    const ofB = await question(undefined, "B");
    const c = await customerWithAnswers([{ questionId: q, answer: "one" }]);
    for (const [answers, field] of [
      [[{ questionId: retired, answer: "x" }], "answers.0.questionId"],
      [[{ questionId: ofB, answer: "x" }], "answers.0.questionId"],
      [
        [
          { questionId: q, answer: "x" },
          { questionId: q, answer: "y" },
        ],
        "answers.1.questionId",
      ],
      [[{ questionId: q, answer: "   " }], "answers.0.answer"],
      [[], "answers"],
    ] as const) {
      const res = await expectNoWrites(gw.db, () => gw.gql(SetSecurityAnswersDocument, { customerId: c.id, answers: [...answers] }));
      expect(res.data!.setSecurityAnswers, field).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field }] });
    }
  });

  it("a customer sets their own answers with their current password; never under impersonation", async () => {
    const q = await question();
    const me = await gw.createSignedInCustomer({ emails: [{ address: "sq-self@example.com" }] });
    const wrong = await gw.gql(
      SetMySecurityAnswersDocument,
      { answers: [{ questionId: q, answer: "blue" }], currentPassword: "nope nope" },
      me.as,
    );
    expect(wrong.data!.setMySecurityAnswers).toMatchObject({ __typename: "AuthenticationError", code: "INVALID_CREDENTIALS" });
    const missing = await gw.gql(SetMySecurityAnswersDocument, { answers: [{ questionId: q, answer: "blue" }] }, me.as);
    expect(missing.data!.setMySecurityAnswers).toMatchObject({ code: "INVALID_CREDENTIALS" });
    const ok = await gw.gql(
      SetMySecurityAnswersDocument,
      { answers: [{ questionId: q, answer: "blue" }], currentPassword: PASSWORD },
      me.as,
    );
    expect(ok.data!.setMySecurityAnswers).toMatchObject({ customer: { securityAnswers: [{ question: { id: q } }] } });
    expect((await auditTrail(gw.db, gw.tenants.A.id)).at(-1)).toMatchObject({
      type: "customer.security_answers_set",
      actorKind: "CUSTOMER",
    });

    const support = (await gw.gql(CreateAdminCredentialDocument, { name: "sq support", scopes: ["CUSTOMERS_IMPERSONATE"] })).data!
      .createAdminCredential;
    if (support.__typename !== "CreateAdminCredentialPayload") throw new Error("setup");
    const headers = { "x-api-key": support.issued.credential.keyId, "x-api-secret": support.issued.secret };
    const imp = (await gw.gql(ImpersonateCustomerDocument, { customerId: me.customer.id, reason: "help" }, { headers })).data!
      .impersonateCustomer;
    if (imp.__typename !== "ImpersonateCustomerPayload") throw new Error("setup");
    const refused = await expectNoWrites(gw.db, () =>
      gw.gql(
        SetMySecurityAnswersDocument,
        { answers: [{ questionId: q, answer: "red" }], currentPassword: PASSWORD },
        { bearer: imp.impersonation.accessToken },
      ),
    );
    expect(refused.data!.setMySecurityAnswers).toMatchObject({ code: "INVALID_STATE" });
  });
});

describe("recovery by security answers", () => {
  it("answers the same INVALID_CREDENTIALS for wrong, partial and unknown answers and unknown identifiers", async () => {
    const q1 = await question();
    const q2 = await question();
    const c = await customerWithAnswers([
      { questionId: q1, answer: "alpha" },
      { questionId: q2, answer: "beta" },
    ]);
    for (const [identifier, answers] of [
      [c.email, [{ questionId: q1, answer: "alpha" }]], // not every answered question
      [
        c.email,
        [
          { questionId: q1, answer: "alpha" },
          { questionId: q2, answer: "gamma" },
        ],
      ],
      ["nobody@example.com", [{ questionId: q1, answer: "alpha" }]],
    ] as const) {
      const res = await recover(identifier, [...answers]);
      expect(res.data!.verifySecurityAnswers).toMatchObject({ __typename: "AuthenticationError", code: "INVALID_CREDENTIALS" });
    }
    const failures = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "customer.security_answers_failed").slice(-3);
    expect(failures.map((e) => (e.data as { reason: string }).reason)).toEqual(["wrong_answers", "wrong_answers", "unknown_identifier"]);
    expect(await gw.db.oneTimeToken.count({ where: { customerId: rowId(c.id) } })).toBe(0);
  });

  it("locks after LOCKOUT_THRESHOLD wrong answers: then right answers and the right password fail too", async () => {
    const q = await question();
    const c = await customerWithAnswers([{ questionId: q, answer: "secret" }]);
    for (let i = 0; i < 3; i++) await recover(c.email, [{ questionId: q, answer: `guess ${i}` }]);
    const trail = await auditTrail(gw.db, gw.tenants.A.id);
    expect(trail.filter((e) => e.customerId === rowId(c.id) && e.type === "customer.locked_out")).toHaveLength(1);
    const right = await recover(c.email, [{ questionId: q, answer: "secret" }]);
    expect(right.data!.verifySecurityAnswers).toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect((await auditTrail(gw.db, gw.tenants.A.id)).at(-1)).toMatchObject({
      type: "customer.security_answers_failed",
      data: { reason: "locked" },
    });
    await expect(gw.signIn(c.email, PASSWORD)).rejects.toThrow();
    expect(await gw.db.oneTimeToken.count({ where: { customerId: rowId(c.id) } })).toBe(0);
  });

  it("does not cross tenants: tenant B's slug with A's customer finds nobody", async () => {
    const q = await question();
    const c = await customerWithAnswers([{ questionId: q, answer: "secret" }]);
    const res = await gw.gql(
      VerifySecurityAnswersDocument,
      { identifier: c.email, answers: [{ questionId: q, answer: "secret" }] },
      { tenant: "tenant-b" },
    );
    expect(res.data!.verifySecurityAnswers).toMatchObject({ code: "INVALID_CREDENTIALS" });
    const fromB = await expectNoWrites(gw.db, () =>
      gw.gql(SetSecurityAnswersDocument, { customerId: c.id, answers: [{ questionId: q, answer: "x" }] }, "B"),
    );
    expect(fromB.data!.setSecurityAnswers).toMatchObject({ code: "CUSTOMER_NOT_FOUND" });
  });
});
