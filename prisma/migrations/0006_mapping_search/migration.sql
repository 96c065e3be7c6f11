-- 0006_mapping_search (SQLite), made by npm run db:migration (its twin is in the other migrations folder).
-- DropIndex
DROP INDEX "ShopifyVariant_shop_productTitle_shopifyVariantId_idx";

-- CreateIndex
CREATE INDEX "ShopifyVariant_listing_idx" ON "ShopifyVariant"("shop", "productTitle", "shopifyVariantId", "deletedAt", "variantTitle", "sku", "barcode");
