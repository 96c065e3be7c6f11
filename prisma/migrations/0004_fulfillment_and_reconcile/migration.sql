-- 0004_fulfillment_and_reconcile (SQLite), made by npm run db:migration (its twin is in the other migrations folder).
-- CreateTable
CREATE TABLE "FulfillmentHold" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "fulfillmentOrderId" TEXT NOT NULL,
    "shopifyOrderId" TEXT,
    "onHold" BOOLEAN NOT NULL,
    "reason" TEXT,
    "eventAt" DATETIME NOT NULL,
    "lookupError" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Order" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "shopifyOrderId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "firstWebhookId" TEXT,
    "deliveries" INTEGER NOT NULL DEFAULT 1,
    "state" TEXT NOT NULL DEFAULT 'received',
    "stateReason" TEXT,
    "holdKind" TEXT,
    "lastCode" INTEGER,
    "lastMessage" TEXT,
    "attemptCount" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "brilliantOrderId" TEXT,
    "brilliantStatus" TEXT,
    "brilliantShipStatus" TEXT,
    "brilliantCheckedAt" DATETIME,
    "forwardedAt" DATETIME,
    "cancelledAt" DATETIME,
    "shopifyCreatedAt" DATETIME,
    "brilliantTracking" TEXT,
    "fulfillmentSync" TEXT,
    "fulfillmentSyncAttempts" INTEGER NOT NULL DEFAULT 0,
    "fulfillmentSyncNextAt" DATETIME,
    "fulfillmentSyncError" TEXT,
    "shopifyFulfillmentIds" TEXT,
    "fulfilledInShopifyAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Order" ("attemptCount", "brilliantCheckedAt", "brilliantOrderId", "brilliantShipStatus", "brilliantStatus", "cancelledAt", "createdAt", "deliveries", "firstWebhookId", "forwardedAt", "holdKind", "id", "lastCode", "lastMessage", "leaseExpiresAt", "leaseOwner", "name", "nextAttemptAt", "payload", "shop", "shopifyCreatedAt", "shopifyOrderId", "state", "stateReason", "updatedAt") SELECT "attemptCount", "brilliantCheckedAt", "brilliantOrderId", "brilliantShipStatus", "brilliantStatus", "cancelledAt", "createdAt", "deliveries", "firstWebhookId", "forwardedAt", "holdKind", "id", "lastCode", "lastMessage", "leaseExpiresAt", "leaseOwner", "name", "nextAttemptAt", "payload", "shop", "shopifyCreatedAt", "shopifyOrderId", "state", "stateReason", "updatedAt" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE INDEX "Order_state_nextAttemptAt_idx" ON "Order"("state", "nextAttemptAt");
CREATE INDEX "Order_shop_createdAt_id_idx" ON "Order"("shop", "createdAt", "id");
CREATE INDEX "Order_shop_state_createdAt_idx" ON "Order"("shop", "state", "createdAt");
CREATE INDEX "Order_shop_name_idx" ON "Order"("shop", "name");
CREATE INDEX "Order_state_brilliantCheckedAt_idx" ON "Order"("state", "brilliantCheckedAt");
CREATE INDEX "Order_fulfillmentSync_fulfillmentSyncNextAt_idx" ON "Order"("fulfillmentSync", "fulfillmentSyncNextAt");
CREATE UNIQUE INDEX "Order_shop_shopifyOrderId_key" ON "Order"("shop", "shopifyOrderId");
CREATE TABLE "new_ShopSettings" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "brilliantApiKeyEnc" TEXT,
    "brilliantApiSecretEnc" TEXT,
    "statusWebhookToken" TEXT NOT NULL,
    "forwardingMode" TEXT NOT NULL DEFAULT 'automatic',
    "forwardingDelaySeconds" INTEGER NOT NULL DEFAULT 0,
    "holdTags" TEXT NOT NULL DEFAULT '',
    "skipTags" TEXT NOT NULL DEFAULT '',
    "lowStockThreshold" INTEGER NOT NULL DEFAULT 5,
    "fulfillmentWriteBack" BOOLEAN NOT NULL DEFAULT false,
    "reconcileDays" INTEGER NOT NULL DEFAULT 7,
    "reconcileRequestedAt" DATETIME,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_ShopSettings" ("brilliantApiKeyEnc", "brilliantApiSecretEnc", "forwardingDelaySeconds", "forwardingMode", "fulfillmentWriteBack", "holdTags", "installedAt", "lowStockThreshold", "shop", "skipTags", "statusWebhookToken", "uninstalledAt", "updatedAt") SELECT "brilliantApiKeyEnc", "brilliantApiSecretEnc", "forwardingDelaySeconds", "forwardingMode", "fulfillmentWriteBack", "holdTags", "installedAt", "lowStockThreshold", "shop", "skipTags", "statusWebhookToken", "uninstalledAt", "updatedAt" FROM "ShopSettings";
DROP TABLE "ShopSettings";
ALTER TABLE "new_ShopSettings" RENAME TO "ShopSettings";
CREATE UNIQUE INDEX "ShopSettings_statusWebhookToken_key" ON "ShopSettings"("statusWebhookToken");
CREATE TABLE "new_SyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER,
    "summary" TEXT,
    "ingested" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "new_SyncRun" ("finishedAt", "id", "kind", "processed", "shop", "startedAt", "status", "summary", "total") SELECT "finishedAt", "id", "kind", "processed", "shop", "startedAt", "status", "summary", "total" FROM "SyncRun";
DROP TABLE "SyncRun";
ALTER TABLE "new_SyncRun" RENAME TO "SyncRun";
CREATE INDEX "SyncRun_shop_kind_startedAt_idx" ON "SyncRun"("shop", "kind", "startedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "FulfillmentHold_shop_shopifyOrderId_onHold_idx" ON "FulfillmentHold"("shop", "shopifyOrderId", "onHold");

-- CreateIndex
CREATE UNIQUE INDEX "FulfillmentHold_shop_fulfillmentOrderId_key" ON "FulfillmentHold"("shop", "fulfillmentOrderId");
