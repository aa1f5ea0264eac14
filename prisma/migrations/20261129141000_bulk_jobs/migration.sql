-- AlterTable
ALTER TABLE "job" ADD COLUMN     "cursor" UUID,
ADD COLUMN     "lease_token" UUID,
ADD COLUMN     "lease_until" TIMESTAMPTZ(3);


-- Hand-written: the bulk workers' claim looks only at runnable bulk jobs (few), not every job ever.
CREATE INDEX "job_bulk_runnable_idx" ON "job" ("created_at", "id") WHERE kind = 'BULK_ACTION' AND status IN ('QUEUED', 'RUNNING');
