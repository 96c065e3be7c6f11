-- 0011_forward_test_orders (SQLite), written by hand (its twin is in the other migrations folder).
-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "forwardTestOrders" BOOLEAN NOT NULL DEFAULT false;
