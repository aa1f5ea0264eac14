-- CreateEnum
CREATE TYPE "ExportFormat" AS ENUM ('CSV', 'JSON', 'NDJSON');

-- CreateEnum
CREATE TYPE "ExportFileStatus" AS ENUM ('RUNNING', 'COMPLETED', 'FAILED', 'DELETED');

-- CreateTable
CREATE TABLE "export_schedule" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "format" "ExportFormat" NOT NULL,
    "selection" JSONB NOT NULL DEFAULT '{}',
    "fields" TEXT[],
    "keep" INTEGER NOT NULL DEFAULT 7,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "next_run_at" TIMESTAMPTZ(3),
    "last_run_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "export_schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "export_file" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "schedule_id" UUID NOT NULL,
    "file_name" TEXT NOT NULL,
    "format" "ExportFormat" NOT NULL,
    "rows" INTEGER,
    "bytes" BIGINT,
    "status" "ExportFileStatus" NOT NULL DEFAULT 'RUNNING',
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "export_file_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "export_schedule_next_run_at_idx" ON "export_schedule"("next_run_at");

-- CreateIndex
CREATE INDEX "export_schedule_tenant_id_created_at_id_idx" ON "export_schedule"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "export_schedule_id_tenant_id_key" ON "export_schedule"("id", "tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "export_schedule_tenant_id_name_key" ON "export_schedule"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "export_file_schedule_id_started_at_idx" ON "export_file"("schedule_id", "started_at");

-- CreateIndex
CREATE UNIQUE INDEX "export_file_id_tenant_id_key" ON "export_file"("id", "tenant_id");

-- AddForeignKey
ALTER TABLE "export_schedule" ADD CONSTRAINT "export_schedule_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "export_file" ADD CONSTRAINT "export_file_schedule_id_tenant_id_fkey" FOREIGN KEY ("schedule_id", "tenant_id") REFERENCES "export_schedule"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

