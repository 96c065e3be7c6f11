-- 0010_offline_token_renewal (SQLite), made by npm run db:migration (its twin is in the other migrations folder).
-- AlterTable
ALTER TABLE "Session" ADD COLUMN "renewalRefusedAt" DATETIME;
ALTER TABLE "Session" ADD COLUMN "renewingUntil" DATETIME;
