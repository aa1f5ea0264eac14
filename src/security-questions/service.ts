import { z } from "zod";
import { requireCustomer } from "../db/customer-lock.ts";
import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import { isUniqueViolation } from "../db/unique.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { SecurityQuestion } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import { hashPassword, type Argon2Params } from "../passwords/hashing.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";

// Security questions (seed 003): the tenant defines the questions, a customer (or an admin for
// them) sets answers, and the answers recover the account (account/security-answers.ts). Answers
// are stored only as argon2id hashes of their normalised form and are never readable back: the API
// tells which questions are answered and when, nothing more.

/** The most answers a customer keeps, and the longest answer. */
export const MAX_ANSWERS = 10;
const MAX_ANSWER_LENGTH = 200;

/**
 * The form an answer is hashed and compared in: Unicode NFKC (the same text typed on another
 * keyboard), case-folded (toUpperCase then toLowerCase folds ß to ss, as full case folding does),
 * runs of whitespace collapsed to one space, trimmed. "  Rex  the DOG " and "rex the dog" match.
 */
export const normalizeAnswer = (answer: string) =>
  answer.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC").replace(/\s+/gu, " ").trim();

export const answersInput = z
  .array(
    z.object({
      questionId: z.string(),
      answer: z
        .string()
        .max(MAX_ANSWER_LENGTH * 4, `at most ${MAX_ANSWER_LENGTH} characters`)
        .transform(normalizeAnswer)
        .pipe(z.string().min(1, "give an answer").max(MAX_ANSWER_LENGTH, `at most ${MAX_ANSWER_LENGTH} characters`)),
    }),
  )
  .min(1, "give at least one answer")
  .max(MAX_ANSWERS, `at most ${MAX_ANSWERS} answers`)
  .superRefine((list, check) => {
    const seen = new Set<string>();
    list.forEach((a, i) => {
      if (seen.has(a.questionId)) check.addIssue({ code: "custom", path: [i, "questionId"], message: "answered twice" });
      seen.add(a.questionId);
    });
  });

export type AnswersInput = z.input<typeof answersInput>;

/** The tenant's questions, oldest first; retired ones only when asked. Cost: one indexed statement. */
export function listSecurityQuestions(ctx: ServiceContext, includeRetired = false): Promise<SecurityQuestion[]> {
  return ctx.db.securityQuestion.findMany({
    where: { tenantId: ctx.tenantId, ...(includeRetired ? {} : { retiredAt: null }) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

const questionText = z.string().trim().min(3, "at least 3 characters").max(200, "at most 200 characters");

/** Adds a question. Records `security_question.created`. Throws SECURITY_QUESTION_TAKEN for the same text. */
export async function createSecurityQuestion(ctx: ServiceContext, text: string): Promise<SecurityQuestion> {
  const value = parseInput(questionText, text, "text");
  try {
    return await transact(ctx, async (tx, audit) => {
      const question = await tx.securityQuestion.create({ data: { tenantId: ctx.tenantId, text: value } });
      await audit({ type: "security_question.created", data: { questionId: question.id, text: value } });
      return question;
    });
  } catch (error) {
    if (isUniqueViolation(error, "text")) throw new ConflictError("SECURITY_QUESTION_TAKEN", "text", "the tenant has this question");
    throw error;
  }
}

/**
 * Retires a question: it takes no new answers; answers already given keep recovering accounts
 * (customers are not locked out of recovery by a catalogue change). Retiring a retired one changes
 * nothing. Records `security_question.retired`. Throws SECURITY_QUESTION_NOT_FOUND.
 */
export async function retireSecurityQuestion(ctx: ServiceContext, id: string): Promise<SecurityQuestion> {
  return transact(ctx, async (tx, audit) => {
    const question = isUuid(id) ? await tx.securityQuestion.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
    if (!question) throw new NotFoundError("SECURITY_QUESTION_NOT_FOUND");
    if (question.retiredAt) return question;
    const retired = await tx.securityQuestion.update({ where: { id }, data: { retiredAt: new Date() } });
    await audit({ type: "security_question.retired", data: { questionId: id, text: question.text } });
    return retired;
  });
}

/** Validated answers, hashed (argon2id on libuv's thread pool, all at once) before any transaction. */
export async function hashAnswers(input: AnswersInput, params: Argon2Params) {
  const answers = parseInput(answersInput, input, "answers");
  return Promise.all(answers.map(async (a) => ({ questionId: a.questionId, hash: await hashPassword(a.answer, params) })));
}

/**
 * Replaces the customer's answers with `hashed` (questions not given lose their answer), inside
 * the caller's transaction: every question must be an active one of the tenant (VALIDATION_FAILED
 * at answers.N.questionId). Records `customer.security_answers_set` with the question ids.
 */
export async function storeAnswers(
  tx: Tx,
  audit: AuditWriter,
  ctx: ServiceContext,
  customerId: string,
  hashed: { questionId: string; hash: string }[],
) {
  const ids = hashed.map((a) => a.questionId);
  const active = await tx.securityQuestion.findMany({
    where: { tenantId: ctx.tenantId, id: { in: ids.filter(isUuid) }, retiredAt: null },
    select: { id: true },
  });
  const known = new Set(active.map((q) => q.id));
  const unknown = ids.flatMap((id, i) =>
    known.has(id) ? [] : [{ field: `answers.${i}.questionId`, message: "not an active question of the tenant" }],
  );
  if (unknown.length) throw new ValidationError(unknown);
  await tx.securityAnswer.deleteMany({ where: { customerId, tenantId: ctx.tenantId } });
  await tx.securityAnswer.createMany({
    data: hashed.map((a) => ({ tenantId: ctx.tenantId, customerId, questionId: a.questionId, answerHash: a.hash })),
  });
  await audit({ type: "customer.security_answers_set", customerId, data: { questionIds: ids } });
}

/**
 * Admin: sets the customer's answers (replacing all earlier ones). Throws CUSTOMER_NOT_FOUND,
 * VALIDATION_FAILED. Cost: one argon2 hash per answer, then one transaction — customer row lock,
 * one read of the questions, a DELETE and an INSERT, the event.
 */
export async function setSecurityAnswers(ctx: ServiceContext, params: Argon2Params, customerId: string, input: AnswersInput) {
  const hashed = await hashAnswers(input, params);
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    await storeAnswers(tx, audit, ctx, customer.id, hashed);
    return customer;
  });
}
