-- 0017_stock_back_to_shopify (SQLite), made by npm run db:migration (its twin is in the other migrations folder).
-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "stockSyncLocationId" TEXT;
ALTER TABLE "ShopSettings" ADD COLUMN "stockSyncLocationName" TEXT;

-- AlterTable
ALTER TABLE "ShopifyVariant" ADD COLUMN "inventoryItemId" TEXT;
ALTER TABLE "ShopifyVariant" ADD COLUMN "inventoryTracked" BOOLEAN;
