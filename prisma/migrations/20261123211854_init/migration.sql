-- Trigram indexes below need pg_trgm (hand-written: Prisma does not track extensions here).
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateEnum
CREATE TYPE "AdminScope" AS ENUM ('CUSTOMERS_READ', 'CUSTOMERS_WRITE', 'AUDIT_READ', 'TENANT_ADMIN');

-- CreateEnum
CREATE TYPE "CustomerStatus" AS ENUM ('ACTIVE', 'BLOCKED', 'DISABLED');

-- CreateEnum
CREATE TYPE "ContactKind" AS ENUM ('EMAIL', 'PHONE');

-- CreateEnum
CREATE TYPE "ActorKind" AS ENUM ('ADMIN', 'CUSTOMER', 'SYSTEM');

-- CreateTable
CREATE TABLE "tenant" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "audit_seq" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_credential" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "key_id" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "scopes" "AdminScope"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "admin_credential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "uid" TEXT NOT NULL,
    "username" TEXT,
    "first_name" TEXT,
    "middle_name" TEXT,
    "last_name" TEXT,
    "nickname" TEXT,
    "name_search" TEXT NOT NULL DEFAULT '',
    "birthdate" DATE,
    "gender" TEXT,
    "locale" TEXT,
    "timezone" TEXT,
    "company" TEXT,
    "job_title" TEXT,
    "addresses" JSONB NOT NULL DEFAULT '[]',
    "status" "CustomerStatus" NOT NULL DEFAULT 'ACTIVE',
    "block_reason" TEXT,
    "blocked_until" TIMESTAMPTZ(3),
    "custom_fields" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_login_at" TIMESTAMPTZ(3),

    CONSTRAINT "customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "kind" "ContactKind" NOT NULL,
    "value" TEXT NOT NULL,
    "normalized" TEXT NOT NULL,
    "primary" BOOLEAN NOT NULL DEFAULT false,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "verified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "identity" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_user_id" TEXT NOT NULL,
    "profile" JSONB NOT NULL DEFAULT '{}',
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "identity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "custom_object" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "custom_object_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by" TEXT,
    "ip" TEXT,
    "user_agent" TEXT,
    "browser" TEXT,
    "os" TEXT,
    "device" TEXT,
    "geo_country" TEXT,
    "geo_region" TEXT,
    "geo_city" TEXT,

    CONSTRAINT "session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "purpose" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "granted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "revoke_source" TEXT,

    CONSTRAINT "consent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "actor_kind" "ActorKind" NOT NULL,
    "actor_id" TEXT,
    "customer_id" UUID,
    "ip" TEXT,
    "user_agent" TEXT,
    "request_id" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "tenant_slug_key" ON "tenant"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "admin_credential_key_id_key" ON "admin_credential"("key_id");

-- CreateIndex
CREATE INDEX "admin_credential_tenant_id_created_at_idx" ON "admin_credential"("tenant_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "admin_credential_id_tenant_id_key" ON "admin_credential"("id", "tenant_id");

-- CreateIndex
CREATE INDEX "customer_tenant_id_created_at_id_idx" ON "customer"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "customer_tenant_id_last_login_at_id_idx" ON "customer"("tenant_id", "last_login_at", "id");

-- CreateIndex
CREATE INDEX "customer_tenant_id_status_idx" ON "customer"("tenant_id", "status");

-- CreateIndex
CREATE INDEX "customer_username_trgm_idx" ON "customer" USING GIN ("username" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "customer_name_search_trgm_idx" ON "customer" USING GIN ("name_search" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "customer_custom_fields_idx" ON "customer" USING GIN ("custom_fields" jsonb_path_ops);

-- CreateIndex
CREATE UNIQUE INDEX "customer_id_tenant_id_key" ON "customer"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "customer_tenant_id_uid_key" ON "customer"("tenant_id", "uid");

-- CreateIndex
CREATE UNIQUE INDEX "customer_tenant_id_username_key" ON "customer"("tenant_id", "username");

-- CreateIndex
CREATE INDEX "contact_customer_id_kind_created_at_idx" ON "contact"("customer_id", "kind", "created_at");

-- CreateIndex
CREATE INDEX "contact_normalized_trgm_idx" ON "contact" USING GIN ("normalized" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "contact_tenant_id_kind_normalized_key" ON "contact"("tenant_id", "kind", "normalized");

-- CreateIndex
CREATE INDEX "identity_customer_id_linked_at_idx" ON "identity"("customer_id", "linked_at");

-- CreateIndex
CREATE UNIQUE INDEX "identity_id_tenant_id_key" ON "identity"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "identity_tenant_id_provider_provider_user_id_key" ON "identity"("tenant_id", "provider", "provider_user_id");

-- CreateIndex
CREATE INDEX "custom_object_customer_id_name_created_at_idx" ON "custom_object"("customer_id", "name", "created_at");

-- CreateIndex
CREATE INDEX "custom_object_tenant_id_name_idx" ON "custom_object"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "custom_object_data_idx" ON "custom_object" USING GIN ("data" jsonb_path_ops);

-- CreateIndex
CREATE UNIQUE INDEX "custom_object_id_tenant_id_key" ON "custom_object"("id", "tenant_id");

-- CreateIndex
CREATE INDEX "session_customer_id_created_at_idx" ON "session"("customer_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "session_id_tenant_id_key" ON "session"("id", "tenant_id");

-- CreateIndex
CREATE INDEX "consent_customer_id_purpose_granted_at_idx" ON "consent"("customer_id", "purpose", "granted_at");

-- CreateIndex
CREATE UNIQUE INDEX "consent_id_tenant_id_key" ON "consent"("id", "tenant_id");

-- CreateIndex
CREATE INDEX "audit_event_tenant_id_type_seq_idx" ON "audit_event"("tenant_id", "type", "seq");

-- CreateIndex
CREATE INDEX "audit_event_tenant_id_customer_id_seq_idx" ON "audit_event"("tenant_id", "customer_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_id_tenant_id_key" ON "audit_event"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_tenant_id_seq_key" ON "audit_event"("tenant_id", "seq");

-- AddForeignKey
ALTER TABLE "admin_credential" ADD CONSTRAINT "admin_credential_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer" ADD CONSTRAINT "customer_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact" ADD CONSTRAINT "contact_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identity" ADD CONSTRAINT "identity_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "custom_object" ADD CONSTRAINT "custom_object_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session" ADD CONSTRAINT "session_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent" ADD CONSTRAINT "consent_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: partial unique indexes, which the Prisma schema language cannot express.

-- At most one primary email and one primary phone per customer.
CREATE UNIQUE INDEX "contact_one_primary_idx" ON "contact" ("customer_id", "kind") WHERE "primary";

-- At most one live grant per consent purpose (older grants are history).
CREATE UNIQUE INDEX "consent_one_active_idx" ON "consent" ("customer_id", "purpose") WHERE "revoked_at" IS NULL;
