-- AlterEnum
ALTER TYPE "AdminScope" ADD VALUE 'CUSTOMERS_IMPERSONATE';

-- AlterEnum
ALTER TYPE "JobKind" ADD VALUE 'BULK_ACTION';

-- AlterTable
ALTER TABLE "tenant" ADD COLUMN     "group_claims_in_tokens" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "customer_group" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_group_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "group_membership" (
    "tenant_id" UUID NOT NULL,
    "group_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "group_membership_pkey" PRIMARY KEY ("group_id","customer_id")
);

-- CreateTable
CREATE TABLE "organization" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "domain" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "organization_membership" (
    "tenant_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organization_membership_pkey" PRIMARY KEY ("organization_id","customer_id")
);

-- CreateTable
CREATE TABLE "role" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "permissions" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "role_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "role_assignment" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "role_id" UUID NOT NULL,
    "organization_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "role_assignment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "customer_group_id_tenant_id_key" ON "customer_group"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "customer_group_tenant_id_name_key" ON "customer_group"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "group_membership_customer_id_idx" ON "group_membership"("customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "organization_id_tenant_id_key" ON "organization"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "organization_tenant_id_name_key" ON "organization"("tenant_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "organization_tenant_id_domain_key" ON "organization"("tenant_id", "domain");

-- CreateIndex
CREATE INDEX "organization_membership_customer_id_idx" ON "organization_membership"("customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "role_id_tenant_id_key" ON "role"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "role_tenant_id_name_key" ON "role"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "role_assignment_customer_id_created_at_idx" ON "role_assignment"("customer_id", "created_at");

-- CreateIndex
CREATE INDEX "role_assignment_role_id_idx" ON "role_assignment"("role_id");

-- CreateIndex
CREATE INDEX "role_assignment_organization_id_idx" ON "role_assignment"("organization_id");

-- CreateIndex
CREATE UNIQUE INDEX "role_assignment_id_tenant_id_key" ON "role_assignment"("id", "tenant_id");

-- AddForeignKey
ALTER TABLE "customer_group" ADD CONSTRAINT "customer_group_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_membership" ADD CONSTRAINT "group_membership_group_id_tenant_id_fkey" FOREIGN KEY ("group_id", "tenant_id") REFERENCES "customer_group"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_membership" ADD CONSTRAINT "group_membership_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "organization" ADD CONSTRAINT "organization_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "organization_membership" ADD CONSTRAINT "organization_membership_organization_id_tenant_id_fkey" FOREIGN KEY ("organization_id", "tenant_id") REFERENCES "organization"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "organization_membership" ADD CONSTRAINT "organization_membership_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "role" ADD CONSTRAINT "role_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "role_assignment" ADD CONSTRAINT "role_assignment_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "role_assignment" ADD CONSTRAINT "role_assignment_role_id_tenant_id_fkey" FOREIGN KEY ("role_id", "tenant_id") REFERENCES "role"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "role_assignment" ADD CONSTRAINT "role_assignment_organization_id_tenant_id_fkey" FOREIGN KEY ("organization_id", "tenant_id") REFERENCES "organization"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A role pair is unique per customer; NULLs are distinct in a plain unique index, so tenant-wide
-- assignments (no organization) get their own partial one.
CREATE UNIQUE INDEX "role_assignment_org_key" ON "role_assignment"("customer_id", "role_id", "organization_id") WHERE "organization_id" IS NOT NULL;
CREATE UNIQUE INDEX "role_assignment_tenant_wide_key" ON "role_assignment"("customer_id", "role_id") WHERE "organization_id" IS NULL;
