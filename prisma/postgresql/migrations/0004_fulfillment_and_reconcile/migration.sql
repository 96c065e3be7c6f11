-- 0004_fulfillment_and_reconcile (PostgreSQL), made by npm run db:migration (its twin is in the other migrations folder).
-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "brilliantTracking" TEXT,
ADD COLUMN     "fulfilledInShopifyAt" TIMESTAMP(3),
ADD COLUMN     "fulfillmentSync" TEXT,
ADD COLUMN     "fulfillmentSyncAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "fulfillmentSyncError" TEXT,
ADD COLUMN     "fulfillmentSyncNextAt" TIMESTAMP(3),
ADD COLUMN     "shopifyFulfillmentIds" TEXT;

-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "reconcileDays" INTEGER NOT NULL DEFAULT 7,
ADD COLUMN     "reconcileRequestedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "SyncRun" ADD COLUMN     "failed" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "ingested" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "FulfillmentHold" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "fulfillmentOrderId" TEXT NOT NULL,
    "shopifyOrderId" TEXT,
    "onHold" BOOLEAN NOT NULL,
    "reason" TEXT,
    "eventAt" TIMESTAMP(3) NOT NULL,
    "lookupError" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FulfillmentHold_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FulfillmentHold_shop_shopifyOrderId_onHold_idx" ON "FulfillmentHold"("shop", "shopifyOrderId", "onHold");

-- CreateIndex
CREATE UNIQUE INDEX "FulfillmentHold_shop_fulfillmentOrderId_key" ON "FulfillmentHold"("shop", "fulfillmentOrderId");

-- CreateIndex
CREATE INDEX "Order_fulfillmentSync_fulfillmentSyncNextAt_idx" ON "Order"("fulfillmentSync", "fulfillmentSyncNextAt");
