-- AlterTable
ALTER TABLE "customer" ADD COLUMN     "primary_email" TEXT;

-- CreateIndex
CREATE INDEX "consent_tenant_id_purpose_idx" ON "consent"("tenant_id", "purpose");

-- CreateIndex
CREATE INDEX "customer_tenant_id_last_name_id_idx" ON "customer"("tenant_id", "last_name", "id");

-- CreateIndex
CREATE INDEX "customer_tenant_id_primary_email_id_idx" ON "customer"("tenant_id", "primary_email", "id");

-- CreateIndex
CREATE INDEX "identity_tenant_id_provider_idx" ON "identity"("tenant_id", "provider");

-- customer.primary_email mirrors the primary EMAIL contact's normalized address, so sorting by
-- primary email is one walk of the index above instead of a join to contact per customer. The
-- trigger keeps it on every insert, update and delete of an email contact (the services write
-- contacts only through Prisma, so no code path can forget it). A customer deleted with its
-- contacts (cascade) is already gone when the trigger runs: the UPDATE then touches nothing.
CREATE FUNCTION "customer_sync_primary_email"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target uuid;
BEGIN
  FOR target IN
    SELECT DISTINCT t.customer_id FROM (
      SELECT NEW.customer_id AS customer_id, NEW.kind AS kind WHERE TG_OP <> 'DELETE'
      UNION ALL
      SELECT OLD.customer_id, OLD.kind WHERE TG_OP <> 'INSERT'
    ) t WHERE t.kind = 'EMAIL'
  LOOP
    UPDATE "customer" c SET "primary_email" = (
      SELECT k."normalized" FROM "contact" k WHERE k."customer_id" = target AND k."kind" = 'EMAIL' AND k."primary"
    ) WHERE c."id" = target AND c."primary_email" IS DISTINCT FROM (
      SELECT k."normalized" FROM "contact" k WHERE k."customer_id" = target AND k."kind" = 'EMAIL' AND k."primary"
    );
  END LOOP;
  RETURN NULL;
END
$$;

CREATE TRIGGER "contact_primary_email_sync" AFTER INSERT OR UPDATE OR DELETE ON "contact"
  FOR EACH ROW EXECUTE FUNCTION "customer_sync_primary_email"();

UPDATE "customer" c SET "primary_email" = k."normalized"
  FROM "contact" k WHERE k."customer_id" = c."id" AND k."kind" = 'EMAIL' AND k."primary";
