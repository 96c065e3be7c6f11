-- 0013_status_event_dedupe (SQLite), written by hand (its twin is in the other migrations folder).
-- Brilliant status callbacks: a replayed body is stored once per shop, and the order keeps
-- Brilliant's updated_at of the status it shows so that an older callback never rolls it back.
-- AlterTable
ALTER TABLE "BrilliantStatusEvent" ADD COLUMN "bodyHash" TEXT;

-- AlterTable
ALTER TABLE "Order" ADD COLUMN "brilliantUpdatedAt" DATETIME;

-- CreateIndex
CREATE UNIQUE INDEX "BrilliantStatusEvent_shop_bodyHash_key" ON "BrilliantStatusEvent"("shop", "bodyHash");
