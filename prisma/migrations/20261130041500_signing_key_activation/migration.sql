-- A rotated signing key is published at once and signs from activates_at on (src/signing-keys/keys.ts).
-- Existing keys signed from their creation.
ALTER TABLE "signing_key" ADD COLUMN "activates_at" TIMESTAMPTZ(3);
UPDATE "signing_key" SET "activates_at" = "created_at";
ALTER TABLE "signing_key" ALTER COLUMN "activates_at" SET NOT NULL, ALTER COLUMN "activates_at" SET DEFAULT CURRENT_TIMESTAMP;
