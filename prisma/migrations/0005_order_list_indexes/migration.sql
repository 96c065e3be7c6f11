-- 0005_order_list_indexes (SQLite), made by npm run db:migration (its twin is in the other migrations folder).
-- DropIndex
DROP INDEX "Order_shop_state_createdAt_idx";

-- CreateIndex
CREATE INDEX "Order_shop_state_createdAt_id_idx" ON "Order"("shop", "state", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Order_shop_lastCode_createdAt_id_idx" ON "Order"("shop", "lastCode", "createdAt", "id");
