-- customer.primary_email (see 20261129033543_customer_sort_keys) kept at less cost per contact row.
-- The trigger ran for every contact row, phones included, and each time looked the customer's
-- primary email up again (two probes of contact) before its UPDATE: ~80 ms of a 5,000-row import
-- batch's ~230 ms contact INSERT (EXPLAIN ANALYZE), although the import sets primary_email itself.
-- Now: an inserted contact changes the primary email only when it is a primary EMAIL, and then it
-- IS the primary email (contact_one_primary_idx allows one per customer), so that insert sets it
-- directly, without a lookup, and writes nothing when it is already right (the import's case).
-- Updates and deletes keep the full recomputation, deletes only for primary emails (removing
-- another email cannot change it). A statement-level trigger with transition tables was measured
-- too: 42 ms for the import batch but twice the cost of a single-row insert (createCustomer).
DROP TRIGGER "contact_primary_email_sync" ON "contact";

CREATE FUNCTION "customer_primary_email_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "customer" SET "primary_email" = NEW."normalized"
  WHERE "id" = NEW."customer_id" AND "primary_email" IS DISTINCT FROM NEW."normalized";
  RETURN NULL;
END
$$;

CREATE TRIGGER "contact_primary_email_insert" AFTER INSERT ON "contact"
  FOR EACH ROW WHEN (NEW."kind" = 'EMAIL' AND NEW."primary") EXECUTE FUNCTION "customer_primary_email_inserted"();
CREATE TRIGGER "contact_primary_email_update" AFTER UPDATE ON "contact"
  FOR EACH ROW WHEN (OLD."kind" = 'EMAIL' OR NEW."kind" = 'EMAIL') EXECUTE FUNCTION "customer_sync_primary_email"();
CREATE TRIGGER "contact_primary_email_delete" AFTER DELETE ON "contact"
  FOR EACH ROW WHEN (OLD."kind" = 'EMAIL' AND OLD."primary") EXECUTE FUNCTION "customer_sync_primary_email"();
