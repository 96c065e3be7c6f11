-- 0003_brilliant_status (PostgreSQL), made by npm run db:migration (its twin is in the other migrations folder).
-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "brilliantCheckedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "BrilliantStatusEvent" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "body" TEXT NOT NULL,
    "orderId" TEXT,
    "outcome" TEXT NOT NULL,

    CONSTRAINT "BrilliantStatusEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BrilliantStatusEvent_shop_receivedAt_idx" ON "BrilliantStatusEvent"("shop", "receivedAt");

-- CreateIndex
CREATE INDEX "BrilliantStatusEvent_orderId_idx" ON "BrilliantStatusEvent"("orderId");

-- CreateIndex
CREATE INDEX "Order_state_brilliantCheckedAt_idx" ON "Order"("state", "brilliantCheckedAt");
