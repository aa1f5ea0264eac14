-- PII fields at rest (src/pii/at-rest.ts): the sealed birthdate, addresses and PII custom fields of
-- a customer, and the blind indexes its exact-match search uses. Existing rows stay in clear until
-- `npm run cli -- pii encrypt-existing`.
ALTER TABLE "customer" ADD COLUMN "pii_sealed" TEXT,
ADD COLUMN "pii_index" JSONB NOT NULL DEFAULT '{}';

CREATE INDEX "customer_pii_index_idx" ON "customer" USING GIN ("pii_index" jsonb_path_ops);
