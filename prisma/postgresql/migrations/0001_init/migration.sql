-- 0001_init (PostgreSQL), made by npm run db:migration (its twin is in the other migrations folder).
-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopSettings" (
    "shop" TEXT NOT NULL,
    "brilliantApiKeyEnc" TEXT,
    "brilliantApiSecretEnc" TEXT,
    "statusWebhookToken" TEXT NOT NULL,
    "forwardingMode" TEXT NOT NULL DEFAULT 'automatic',
    "forwardingDelaySeconds" INTEGER NOT NULL DEFAULT 0,
    "holdTags" TEXT NOT NULL DEFAULT '',
    "skipTags" TEXT NOT NULL DEFAULT '',
    "lowStockThreshold" INTEGER NOT NULL DEFAULT 5,
    "fulfillmentWriteBack" BOOLEAN NOT NULL DEFAULT false,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopSettings_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" TEXT NOT NULL,
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
    "nextAttemptAt" TIMESTAMP(3),
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "brilliantOrderId" TEXT,
    "brilliantStatus" TEXT,
    "brilliantShipStatus" TEXT,
    "forwardedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "shopifyCreatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ForwardAttempt" (
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "requestBody" TEXT,
    "httpStatus" INTEGER,
    "responseBody" TEXT,
    "code" INTEGER,
    "message" TEXT,
    "invalidRecords" TEXT,
    "outcome" TEXT NOT NULL,
    "workerId" TEXT,

    CONSTRAINT "ForwardAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrderTransition" (
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT NOT NULL,
    "reason" TEXT,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OrderTransition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VariantMapping" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "shopifyVariantId" TEXT NOT NULL,
    "shopifyProductId" TEXT,
    "sku" TEXT,
    "brilliantVariantId" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'manual',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VariantMapping_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BrilliantVariant" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "brilliantVariantId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "productName" TEXT NOT NULL,
    "size" TEXT,
    "color" TEXT,
    "flavor" TEXT,
    "imageUrl" TEXT,
    "inventoryCount" INTEGER NOT NULL,
    "inventoryRequired" BOOLEAN NOT NULL DEFAULT false,
    "productInactive" BOOLEAN NOT NULL DEFAULT false,
    "removedAt" TIMESTAMP(3),
    "syncedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BrilliantVariant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "openKey" TEXT,
    "title" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertOrder" (
    "alertId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,

    CONSTRAINT "AlertOrder_pkey" PRIMARY KEY ("alertId","orderId")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "ShopSettings_statusWebhookToken_key" ON "ShopSettings"("statusWebhookToken");

-- CreateIndex
CREATE INDEX "Order_state_nextAttemptAt_idx" ON "Order"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Order_shop_createdAt_id_idx" ON "Order"("shop", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Order_shop_state_createdAt_idx" ON "Order"("shop", "state", "createdAt");

-- CreateIndex
CREATE INDEX "Order_shop_name_idx" ON "Order"("shop", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Order_shop_shopifyOrderId_key" ON "Order"("shop", "shopifyOrderId");

-- CreateIndex
CREATE INDEX "ForwardAttempt_shop_startedAt_idx" ON "ForwardAttempt"("shop", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ForwardAttempt_orderId_number_key" ON "ForwardAttempt"("orderId", "number");

-- CreateIndex
CREATE INDEX "OrderTransition_orderId_at_idx" ON "OrderTransition"("orderId", "at");

-- CreateIndex
CREATE INDEX "VariantMapping_shop_brilliantVariantId_idx" ON "VariantMapping"("shop", "brilliantVariantId");

-- CreateIndex
CREATE UNIQUE INDEX "VariantMapping_shop_shopifyVariantId_key" ON "VariantMapping"("shop", "shopifyVariantId");

-- CreateIndex
CREATE UNIQUE INDEX "BrilliantVariant_shop_brilliantVariantId_key" ON "BrilliantVariant"("shop", "brilliantVariantId");

-- CreateIndex
CREATE INDEX "Alert_shop_status_idx" ON "Alert"("shop", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Alert_shop_openKey_key" ON "Alert"("shop", "openKey");

-- CreateIndex
CREATE INDEX "AlertOrder_orderId_idx" ON "AlertOrder"("orderId");

-- AddForeignKey
ALTER TABLE "ForwardAttempt" ADD CONSTRAINT "ForwardAttempt_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderTransition" ADD CONSTRAINT "OrderTransition_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertOrder" ADD CONSTRAINT "AlertOrder_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "Alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertOrder" ADD CONSTRAINT "AlertOrder_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE CASCADE ON UPDATE CASCADE;
