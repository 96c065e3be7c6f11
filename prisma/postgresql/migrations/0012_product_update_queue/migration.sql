-- 0012_product_update_queue (PostgreSQL), written by hand as db:migration would write it (its twin is in the other migrations folder).
-- CreateTable
CREATE TABLE "ProductUpdateQueue" (
    "shop" TEXT NOT NULL,
    "shopifyProductId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "productUpdatedAt" TIMESTAMP(3) NOT NULL,
    "payload" TEXT,
    "webhookId" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "appliedAt" TIMESTAMP(3),

    CONSTRAINT "ProductUpdateQueue_pkey" PRIMARY KEY ("shop","shopifyProductId")
);

-- CreateIndex
CREATE INDEX "ProductUpdateQueue_appliedAt_receivedAt_idx" ON "ProductUpdateQueue"("appliedAt", "receivedAt");
