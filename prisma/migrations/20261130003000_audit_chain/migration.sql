-- AlterTable
ALTER TABLE "audit_event" ADD COLUMN     "hash" BYTEA,
ADD COLUMN     "prev_hash" BYTEA;

-- CreateTable
CREATE TABLE "audit_checkpoint" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "jws" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_checkpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_checkpoint_tenant_id_seq_key" ON "audit_checkpoint"("tenant_id", "seq");

-- AddForeignKey
ALTER TABLE "audit_checkpoint" ADD CONSTRAINT "audit_checkpoint_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The tamper-evident audit trail (src/audit/chain.ts, README "Audit trail integrity").
-- Each event's hash = sha256(prev_hash || UTF-8 of audit_event_content(row)), prev_hash being the
-- hash of the tenant's event seq - 1 (32 zero bytes for seq 1). The content is every stored column
-- as stored: data as jsonb's own text (normalized once, when stored), occurred_at in UTC to the
-- microsecond (independent of the session's TimeZone and DateStyle). A column added to audit_event
-- must be added here too (a new function version) to be covered.
-- plpgsql, not sql: a SQL-language function called from the trigger is not inlined and, before
-- PostgreSQL 18, planned again on every call, while plpgsql evaluates this as a cached simple expression.
CREATE FUNCTION "audit_event_content"(e "audit_event") RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN jsonb_build_array(e.id, e.tenant_id, e.seq, e.type, e.actor_kind, e.actor_id, e.customer_id, e.ip, e.user_agent,
                           e.request_id, e.data, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                           e.impersonator_id)::text;
END
$$;

-- Chains each inserted event to the one before it. Every writer numbers events under the tenant
-- row lock (src/db/transact.ts), so seq - 1 is committed or inserted earlier by the same statement,
-- and this trigger's own query (a fresh snapshot per statement in a plpgsql function under READ
-- COMMITTED) sees it. Cost: one index probe and one sha256 per event.
CREATE FUNCTION "audit_event_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous bytea;
BEGIN
  IF NEW.seq = 1 THEN
    previous := decode(repeat('00', 32), 'hex');
  ELSE
    SELECT e.hash INTO previous FROM "audit_event" e WHERE e.tenant_id = NEW.tenant_id AND e.seq = NEW.seq - 1;
    IF previous IS NULL THEN
      RAISE EXCEPTION 'audit event % of tenant % has no chained event before it', NEW.seq, NEW.tenant_id;
    END IF;
  END IF;
  NEW.prev_hash := previous;
  NEW.hash := sha256(previous || convert_to(audit_event_content(NEW), 'UTF8'));
  RETURN NEW;
END
$$;

-- Existing events, chained per tenant in seq order (one UPDATE per event, once).
DO $$
DECLARE
  r "audit_event";
  previous bytea;
  current_tenant uuid;
BEGIN
  FOR r IN SELECT * FROM "audit_event" ORDER BY tenant_id, seq LOOP
    IF current_tenant IS DISTINCT FROM r.tenant_id THEN
      previous := decode(repeat('00', 32), 'hex');
      current_tenant := r.tenant_id;
    END IF;
    UPDATE "audit_event" SET prev_hash = previous, hash = sha256(previous || convert_to(audit_event_content(r), 'UTF8'))
    WHERE id = r.id RETURNING hash INTO previous;
  END LOOP;
END
$$;

CREATE TRIGGER "audit_event_chain" BEFORE INSERT ON "audit_event" FOR EACH ROW EXECUTE FUNCTION "audit_event_chain"();

-- Append-only: no UPDATE, DELETE or TRUNCATE. The one erasure path is deleting a whole tenant's
-- trail in a transaction that set gateway.audit_erasure = 'tenant' (SET LOCAL), which allows
-- DELETE only (README "Audit trail integrity").
CREATE FUNCTION "audit_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('gateway.audit_erasure', true) = 'tenant' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER "audit_event_append_only" BEFORE UPDATE OR DELETE ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_append_only"();
CREATE TRIGGER "audit_event_no_truncate" BEFORE TRUNCATE ON "audit_event"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_append_only"();
