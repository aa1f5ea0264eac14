-- A customer may hold several keys: the audit statement stores the key a node made when its
-- cache missed, instead of a separate statement reading or creating the one key (src/pii/audit-seal.ts).
DROP INDEX "customer_key_customer_id_key";

DROP INDEX "customer_key_customer_id_tenant_id_key";

CREATE INDEX "customer_key_customer_id_tenant_id_idx" ON "customer_key"("customer_id", "tenant_id");
