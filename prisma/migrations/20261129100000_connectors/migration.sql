-- CreateEnum
CREATE TYPE "ConnectorDirection" AS ENUM ('OUTFLOW', 'INFLOW');

-- CreateEnum
CREATE TYPE "RetryBackoff" AS ENUM ('FIXED', 'EXPONENTIAL');

-- CreateEnum
CREATE TYPE "InflowAuth" AS ENUM ('SIGNATURE', 'BEARER');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'SKIPPED');

-- CreateEnum
CREATE TYPE "InflowOutcome" AS ENUM ('APPLIED', 'DUPLICATE', 'REJECTED');

-- AlterEnum
ALTER TYPE "ActorKind" ADD VALUE 'CONNECTOR';

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "AdminScope" ADD VALUE 'CONNECTORS_READ';
ALTER TYPE "AdminScope" ADD VALUE 'CONNECTORS_MANAGE';

-- CreateTable
CREATE TABLE "connector" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "direction" "ConnectorDirection" NOT NULL,
    "name" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "url" TEXT,
    "events" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "event_like" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "rule" TEXT,
    "mapping" TEXT,
    "pre_event" TEXT,
    "post_event" TEXT,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "retry_interval_ms" INTEGER NOT NULL DEFAULT 30000,
    "max_attempts" INTEGER NOT NULL DEFAULT 5,
    "backoff" "RetryBackoff" NOT NULL DEFAULT 'FIXED',
    "timeout_ms" INTEGER NOT NULL DEFAULT 10000,
    "disable_after_failures" INTEGER NOT NULL DEFAULT 100,
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "deactivated_reason" TEXT,
    "inflow_auth" "InflowAuth" NOT NULL DEFAULT 'SIGNATURE',
    "match_by" TEXT,
    "secret_sealed" TEXT NOT NULL,
    "previous_secret_sealed" TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connector_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connector_delivery" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "connector_id" UUID NOT NULL,
    "event_id" UUID,
    "event_seq" BIGINT NOT NULL,
    "event_type" TEXT NOT NULL,
    "customer_id" UUID,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claim_token" UUID,
    "payload" JSONB,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "test" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connector_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_attempt" (
    "id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "status_code" INTEGER,
    "error" TEXT,
    "response_excerpt" TEXT,

    CONSTRAINT "delivery_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inflow_request" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "connector_id" UUID NOT NULL,
    "webhook_id" TEXT,
    "outcome" "InflowOutcome" NOT NULL,
    "status_code" INTEGER NOT NULL,
    "error" TEXT,
    "field_errors" JSONB,
    "customer_id" UUID,
    "created" BOOLEAN NOT NULL DEFAULT false,
    "duration_ms" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inflow_request_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "connector_tenant_id_created_at_id_idx" ON "connector"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "connector_id_tenant_id_key" ON "connector"("id", "tenant_id");

-- CreateIndex
CREATE INDEX "connector_delivery_connector_id_created_at_id_idx" ON "connector_delivery"("connector_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "connector_delivery_id_tenant_id_key" ON "connector_delivery"("id", "tenant_id");

-- CreateIndex
CREATE INDEX "delivery_attempt_delivery_id_number_idx" ON "delivery_attempt"("delivery_id", "number");

-- CreateIndex
CREATE INDEX "inflow_request_connector_id_received_at_id_idx" ON "inflow_request"("connector_id", "received_at", "id");

-- AddForeignKey
ALTER TABLE "connector" ADD CONSTRAINT "connector_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connector_delivery" ADD CONSTRAINT "connector_delivery_connector_id_tenant_id_fkey" FOREIGN KEY ("connector_id", "tenant_id") REFERENCES "connector"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempt" ADD CONSTRAINT "delivery_attempt_delivery_id_tenant_id_fkey" FOREIGN KEY ("delivery_id", "tenant_id") REFERENCES "connector_delivery"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inflow_request" ADD CONSTRAINT "inflow_request_connector_id_tenant_id_fkey" FOREIGN KEY ("connector_id", "tenant_id") REFERENCES "connector"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The outbox insert (src/db/transact.ts) joins the tenant's active outflow connectors on every audited commit.
CREATE INDEX "connector_active_outflow_idx" ON "connector" ("tenant_id") WHERE "direction" = 'OUTFLOW' AND "active";

-- Workers claim due deliveries (PENDING whose attempt is due, SENDING whose lease ran out) in this order.
CREATE INDEX "connector_delivery_due_idx" ON "connector_delivery" ("next_attempt_at") WHERE "status" IN ('PENDING', 'SENDING');

-- Per-customer order per connector: a delivery waits while an earlier one of its customer is open.
CREATE INDEX "connector_delivery_open_idx" ON "connector_delivery" ("connector_id", "customer_id", "event_seq") WHERE "status" IN ('PENDING', 'SENDING');

-- Inflow idempotency: a webhook-id is applied at most once per connector.
CREATE UNIQUE INDEX "inflow_request_applied_webhook_idx" ON "inflow_request" ("connector_id", "webhook_id") WHERE "outcome" = 'APPLIED' AND "webhook_id" IS NOT NULL;
