-- Connector names are unique within a tenant (CONNECTOR_NAME_TAKEN), also under concurrent creates.
CREATE UNIQUE INDEX "connector_tenant_id_name_key" ON "connector"("tenant_id", "name");
