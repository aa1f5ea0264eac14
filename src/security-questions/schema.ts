import { builder } from "../graphql/builder.ts";
import { customerIdArg, mutationResult } from "../graphql/common.ts";
import { adminService, customerService } from "../graphql/context.ts";
import { customerLocalId, localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode, nodeOwner } from "../graphql/nodes.ts";
import { isUuid, NIL_UUID } from "../ids.ts";
import { CUSTOMER_DATA, CUSTOMERS_WRITE, SECURITY_QUESTION_DATA, TENANT_ADMIN } from "../graphql/policies.ts";
import { CustomerRef } from "../customers/schema.ts";
import type { SecurityQuestion } from "../generated/prisma/client.ts";
import { createSecurityQuestion, listSecurityQuestions, retireSecurityQuestion, setSecurityAnswers } from "./service.ts";

// Security questions: TENANT_ADMIN defines them; admins who read customers and signed-in customers
// list them; answers are set by CUSTOMERS_WRITE (here) or the customer (account/security-answers.schema.ts).

export const SecurityQuestionRef = builder.prismaNode("SecurityQuestion", {
  ...adminOnlyNode(SECURITY_QUESTION_DATA),
  // A customer reaches the tenant's questions too (to answer them): node(id) looks them up by tenant.
  findUnique: (id, ctx) => ({ id_tenantId: { id: isUuid(id) ? id : NIL_UUID, tenantId: nodeOwner(ctx).tenantId } }),
  description: "A security question of the tenant. Retired ones take no new answers; answers given earlier still recover accounts.",
  fields: (t) => ({
    text: t.exposeString("text"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    retiredAt: t.expose("retiredAt", { type: "DateTime", nullable: true }),
  }),
});

const SecurityAnswerRef = builder.objectRef<{ question: SecurityQuestion; answeredAt: Date }>("SecurityAnswer").implement({
  authScopes: CUSTOMER_DATA,
  description: "That a question is answered, and when. The answer itself is never readable (only its argon2id hash is stored).",
  fields: (t) => ({
    question: t.field({ type: SecurityQuestionRef, resolve: (a) => a.question }),
    answeredAt: t.expose("answeredAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectFields("Customer", (t) => ({
  securityAnswers: t.field({
    type: [SecurityAnswerRef],
    description: "The questions this customer has answered (never the answers), oldest question first.",
    select: { securityAnswers: { include: { question: true }, orderBy: [{ question: { createdAt: "asc" } }, { questionId: "asc" }] } },
    resolve: (c) => c.securityAnswers,
  }),
}));

builder.queryFields((t) => ({
  securityQuestions: t.field({
    type: [SecurityQuestionRef],
    authScopes: SECURITY_QUESTION_DATA,
    description: "The tenant's security questions, oldest first. includeRetired: admins only (a customer always gets the active ones).",
    args: { includeRetired: t.arg.boolean({ defaultValue: false }) },
    resolve: (_root, { includeRetired }, ctx) =>
      ctx.admin ? listSecurityQuestions(adminService(ctx), includeRetired ?? false) : listSecurityQuestions(customerService(ctx)),
  }),
}));

const SecurityAnswerInput = builder.inputType("SecurityAnswerInput", {
  fields: (t) => ({
    questionId: t.id({ required: true, description: "A SecurityQuestion global ID (an active question)." }),
    answer: t.string({
      required: true,
      description:
        "Compared case-insensitively, Unicode-normalised (NFKC), with runs of spaces as one and the ends trimmed; 1 to 200 characters.",
    }),
  }),
});

/** GraphQL's answers with question ids decoded (a wrong or foreign id stays as given: the service answers it as not a question). */
export const answersFromArgs = (answers: { questionId: string | number; answer: string }[]) =>
  answers.map((a) => ({ questionId: localIdOrNull(String(a.questionId), "SecurityQuestion") ?? String(a.questionId), answer: a.answer }));

export { SecurityAnswerInput };

const returnsQuestion = mutationResult(SecurityQuestionRef, "securityQuestion", TENANT_ADMIN);

builder.mutationFields((t) => ({
  createSecurityQuestion: t.field({
    ...returnsQuestion,
    args: { text: t.arg.string({ required: true, description: "3 to 200 characters, unique within the tenant." }) },
    resolve: (_root, { text }, ctx) => createSecurityQuestion(adminService(ctx), text),
  }),
  retireSecurityQuestion: t.field({
    ...returnsQuestion,
    description: "The question takes no new answers; answers already given keep working for recovery.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => retireSecurityQuestion(adminService(ctx), localIdOrNull(id, "SecurityQuestion") ?? ""),
  }),
  setSecurityAnswers: t.field({
    ...mutationResult(CustomerRef, "customer", CUSTOMERS_WRITE),
    description: "Replaces the customer's security answers (questions left out lose theirs). Records customer.security_answers_set.",
    args: { ...customerIdArg, answers: t.arg({ type: [SecurityAnswerInput], required: true }) },
    resolve: (_root, { customerId, answers }, ctx) =>
      setSecurityAnswers(adminService(ctx), ctx.auth.config.argon2, customerLocalId(customerId), answersFromArgs(answers)),
  }),
}));
