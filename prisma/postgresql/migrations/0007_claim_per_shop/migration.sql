-- 0007_claim_per_shop (PostgreSQL), made by npm run db:migration (its twin is in the other migrations folder).
-- CreateIndex
CREATE INDEX "Order_state_shop_nextAttemptAt_idx" ON "Order"("state", "shop", "nextAttemptAt");
