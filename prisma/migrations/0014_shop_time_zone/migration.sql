-- 0014_shop_time_zone (SQLite), written by hand (its twin is in the other migrations folder).
-- The shop's time zone, read from Shopify, so the admin shows times as the merchant reads them.
-- AlterTable
ALTER TABLE "ShopSettings" ADD COLUMN "ianaTimezone" TEXT;
