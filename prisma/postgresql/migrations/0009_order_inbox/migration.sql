-- 0009_order_inbox (PostgreSQL), made by npm run db:migration (its twin is in the other migrations folder).
-- CreateTable
CREATE TABLE "OrderInbox" (
    "shop" TEXT NOT NULL,
    "shopifyOrderId" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "webhookId" TEXT,
    "deliveries" INTEGER NOT NULL DEFAULT 1,
    "shopifyCreatedAt" TIMESTAMP(3),
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrderInbox_pkey" PRIMARY KEY ("shop","shopifyOrderId")
);
