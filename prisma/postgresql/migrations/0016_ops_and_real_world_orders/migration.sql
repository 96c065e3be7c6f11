-- 0016_ops_and_real_world_orders (PostgreSQL), made by npm run db:migration (its twin is in the other migrations folder).
-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "personalDataRemovedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "forwardPaymentTerms" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "subdivisionFallback" TEXT NOT NULL DEFAULT 'hold';

-- CreateTable
CREATE TABLE "WorkerHeartbeat" (
    "workerId" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL,
    "stoppedAt" TIMESTAMP(3),

    CONSTRAINT "WorkerHeartbeat_pkey" PRIMARY KEY ("workerId")
);

-- CreateTable
CREATE TABLE "UnshippedVariant" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "shopifyVariantId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UnshippedVariant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WorkerHeartbeat_seenAt_idx" ON "WorkerHeartbeat"("seenAt");

-- CreateIndex
CREATE UNIQUE INDEX "UnshippedVariant_shop_shopifyVariantId_key" ON "UnshippedVariant"("shop", "shopifyVariantId");

-- CreateIndex
CREATE INDEX "Order_personalDataRemovedAt_createdAt_idx" ON "Order"("personalDataRemovedAt", "createdAt");
