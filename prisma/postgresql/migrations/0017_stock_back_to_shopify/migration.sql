-- 0017_stock_back_to_shopify (PostgreSQL), made by npm run db:migration (its twin is in the other migrations folder).
-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN     "stockSyncLocationId" TEXT,
ADD COLUMN     "stockSyncLocationName" TEXT;

-- AlterTable
ALTER TABLE "ShopifyVariant" ADD COLUMN     "inventoryItemId" TEXT,
ADD COLUMN     "inventoryTracked" BOOLEAN;
