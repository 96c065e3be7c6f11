-- 0015_order_line_changes_and_bulk_jobs (PostgreSQL), made by npm run db:migration (its twin is in the other migrations folder).
-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "lineChanges" TEXT;

-- CreateTable
CREATE TABLE "BulkJob" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "intent" TEXT NOT NULL,
    "filter" TEXT NOT NULL,
    "filterLabel" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "total" INTEGER NOT NULL DEFAULT 0,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "summary" TEXT,
    "cursor" TEXT,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "BulkJob_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BulkJob_shop_createdAt_idx" ON "BulkJob"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "BulkJob_status_createdAt_idx" ON "BulkJob"("status", "createdAt");
