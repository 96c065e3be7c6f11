-- 0002_catalogs (SQLite), made by npm run db:migration (its twin is in the other migrations folder).
-- CreateTable
CREATE TABLE "ShopifyVariant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "shopifyVariantId" TEXT NOT NULL,
    "shopifyProductId" TEXT NOT NULL,
    "productTitle" TEXT NOT NULL,
    "variantTitle" TEXT,
    "sku" TEXT,
    "barcode" TEXT,
    "imageUrl" TEXT,
    "deletedAt" DATETIME,
    "syncedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER,
    "summary" TEXT
);

-- CreateIndex
CREATE INDEX "ShopifyVariant_shop_sku_idx" ON "ShopifyVariant"("shop", "sku");

-- CreateIndex
CREATE INDEX "ShopifyVariant_shop_barcode_idx" ON "ShopifyVariant"("shop", "barcode");

-- CreateIndex
CREATE INDEX "ShopifyVariant_shop_productTitle_shopifyVariantId_idx" ON "ShopifyVariant"("shop", "productTitle", "shopifyVariantId");

-- CreateIndex
CREATE INDEX "ShopifyVariant_shop_shopifyProductId_idx" ON "ShopifyVariant"("shop", "shopifyProductId");

-- CreateIndex
CREATE UNIQUE INDEX "ShopifyVariant_shop_shopifyVariantId_key" ON "ShopifyVariant"("shop", "shopifyVariantId");

-- CreateIndex
CREATE INDEX "SyncRun_shop_kind_startedAt_idx" ON "SyncRun"("shop", "kind", "startedAt");
