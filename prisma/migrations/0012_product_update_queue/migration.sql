-- 0012_product_update_queue (SQLite), written by hand as db:migration would write it (its twin is in the other migrations folder).
-- CreateTable
CREATE TABLE "ProductUpdateQueue" (
    "shop" TEXT NOT NULL,
    "shopifyProductId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "productUpdatedAt" DATETIME NOT NULL,
    "payload" TEXT,
    "webhookId" TEXT,
    "receivedAt" DATETIME NOT NULL,
    "appliedAt" DATETIME,

    PRIMARY KEY ("shop", "shopifyProductId")
);

-- CreateIndex
CREATE INDEX "ProductUpdateQueue_appliedAt_receivedAt_idx" ON "ProductUpdateQueue"("appliedAt", "receivedAt");
