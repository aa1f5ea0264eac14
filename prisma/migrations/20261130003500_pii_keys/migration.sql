-- CreateTable
CREATE TABLE "data_key" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "wrapped" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_key" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "data_key_id" UUID NOT NULL,
    "wrapped" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_key_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "data_key_tenant_id_version_key" ON "data_key"("tenant_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "customer_key_customer_id_key" ON "customer_key"("customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "customer_key_customer_id_tenant_id_key" ON "customer_key"("customer_id", "tenant_id");

-- AddForeignKey
ALTER TABLE "data_key" ADD CONSTRAINT "data_key_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_key" ADD CONSTRAINT "customer_key_customer_id_tenant_id_fkey" FOREIGN KEY ("customer_id", "tenant_id") REFERENCES "customer"("id", "tenant_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_key" ADD CONSTRAINT "customer_key_data_key_id_fkey" FOREIGN KEY ("data_key_id") REFERENCES "data_key"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

