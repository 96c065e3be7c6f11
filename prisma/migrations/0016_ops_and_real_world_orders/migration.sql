-- 0016_ops_and_real_world_orders (SQLite), made by npm run db:migration (its twin is in the other migrations folder).
-- AlterTable
ALTER TABLE "Order" ADD COLUMN "personalDataRemovedAt" DATETIME;

-- CreateTable
CREATE TABLE "WorkerHeartbeat" (
    "workerId" TEXT NOT NULL PRIMARY KEY,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "seenAt" DATETIME NOT NULL,
    "stoppedAt" DATETIME
);

-- CreateTable
CREATE TABLE "UnshippedVariant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "shopifyVariantId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- AlterTable (written by hand: two columns with defaults, not a rebuild of the table)
ALTER TABLE "ShopSettings" ADD COLUMN "forwardPaymentTerms" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "ShopSettings" ADD COLUMN "subdivisionFallback" TEXT NOT NULL DEFAULT 'hold';

-- CreateIndex
CREATE INDEX "WorkerHeartbeat_seenAt_idx" ON "WorkerHeartbeat"("seenAt");

-- CreateIndex
CREATE UNIQUE INDEX "UnshippedVariant_shop_shopifyVariantId_key" ON "UnshippedVariant"("shop", "shopifyVariantId");

-- CreateIndex
CREATE INDEX "Order_personalDataRemovedAt_createdAt_idx" ON "Order"("personalDataRemovedAt", "createdAt");
