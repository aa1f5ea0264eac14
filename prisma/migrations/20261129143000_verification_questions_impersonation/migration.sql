-- CreateEnum
CREATE TYPE "VerificationMethod" AS ENUM ('DOCUMENT_CHECK', 'VIDEO_CALL', 'IN_PERSON');

-- AlterTable
ALTER TABLE "audit_event" ADD COLUMN     "impersonator_id" TEXT;

-- AlterTable
ALTER TABLE "session" ADD COLUMN     "impersonation_reason" TEXT,
ADD COLUMN     "impersonator_id" UUID;

-- CreateTable
CREATE TABLE "verification_policy" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "methods" "VerificationMethod"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "verification_policy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "identity_verification" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "policy_id" UUID NOT NULL,
    "method" "VerificationMethod" NOT NULL,
    "note" TEXT NOT NULL,
    "verified_by_id" UUID NOT NULL,
    "verified_by_name" TEXT NOT NULL,
    "verified_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by_id" UUID,
    "revoked_by_name" TEXT,
    "revoke_reason" TEXT,

    CONSTRAINT "identity_verification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "security_question" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "security_question_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "security_answer" (
    "tenant_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "question_id" UUID NOT NULL,
    "answer_hash" TEXT NOT NULL,
    "answered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "security_answer_pkey" PRIMARY KEY ("customer_id","question_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "verification_policy_id_tenant_id_key" ON "verification_policy"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "verification_policy_tenant_id_name_key" ON "verification_policy"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "identity_verification_customer_id_verified_at_idx" ON "identity_verification"("customer_id", "verified_at");

-- CreateIndex
CREATE INDEX "identity_verification_policy_id_idx" ON "identity_verification"("policy_id");

-- CreateIndex
CREATE UNIQUE INDEX "identity_verification_id_tenant_id_key" ON "identity_verification"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "security_question_id_tenant_id_key" ON "security_question"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "security_question_tenant_id_text_key" ON "security_question"("tenant_id", "text");

-- CreateIndex
CREATE INDEX "security_answer_question_id_idx" ON "security_answer"("question_id");

-- AddForeignKey
ALTER TABLE "verification_policy" ADD CONSTRAINT "verification_policy_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identity_verification" ADD CONSTRAINT "identity_verification_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identity_verification" ADD CONSTRAINT "identity_verification_policy_id_tenant_id_fkey" FOREIGN KEY ("policy_id", "tenant_id") REFERENCES "verification_policy"("id", "tenant_id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "security_question" ADD CONSTRAINT "security_question_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "security_answer" ADD CONSTRAINT "security_answer_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "security_answer" ADD CONSTRAINT "security_answer_question_id_tenant_id_fkey" FOREIGN KEY ("question_id", "tenant_id") REFERENCES "security_question"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

