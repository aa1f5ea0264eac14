-- CreateEnum
CREATE TYPE "CustomFieldType" AS ENUM ('STRING', 'INTEGER', 'DECIMAL', 'BOOLEAN', 'DATE', 'DATETIME', 'ENUM', 'STRING_LIST');

-- CreateEnum
CREATE TYPE "CustomFieldAccess" AS ENUM ('ADMIN_ONLY', 'CUSTOMER_READ', 'CUSTOMER_EDIT');

-- CreateEnum
CREATE TYPE "CustomFieldIndexState" AS ENUM ('NONE', 'BUILDING', 'READY', 'FAILED');

-- AlterTable
ALTER TABLE "tenant" ADD COLUMN     "allow_undefined_custom_fields" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "custom_field_definition" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "type" "CustomFieldType" NOT NULL,
    "description" TEXT,
    "required" BOOLEAN NOT NULL DEFAULT false,
    "default_value" JSONB,
    "enum_values" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "rules" JSONB NOT NULL DEFAULT '{}',
    "searchable" BOOLEAN NOT NULL DEFAULT false,
    "pii" BOOLEAN NOT NULL DEFAULT false,
    "access" "CustomFieldAccess" NOT NULL DEFAULT 'ADMIN_ONLY',
    "index_state" "CustomFieldIndexState" NOT NULL DEFAULT 'NONE',
    "index_names" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "retired_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "custom_field_definition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "segment" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "filter" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "segment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "custom_field_definition_id_tenant_id_key" ON "custom_field_definition"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "custom_field_definition_tenant_id_key_key" ON "custom_field_definition"("tenant_id", "key");

-- CreateIndex
CREATE INDEX "segment_tenant_id_created_at_id_idx" ON "segment"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "segment_id_tenant_id_key" ON "segment"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "segment_tenant_id_name_key" ON "segment"("tenant_id", "name");

-- AddForeignKey
ALTER TABLE "custom_field_definition" ADD CONSTRAINT "custom_field_definition_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "segment" ADD CONSTRAINT "segment_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
