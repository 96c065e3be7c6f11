-- 0009_order_inbox (SQLite), made by npm run db:migration (its twin is in the other migrations folder).
-- CreateTable
CREATE TABLE "OrderInbox" (
    "shop" TEXT NOT NULL,
    "shopifyOrderId" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "webhookId" TEXT,
    "deliveries" INTEGER NOT NULL DEFAULT 1,
    "shopifyCreatedAt" DATETIME,
    "receivedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "shopifyOrderId")
);
