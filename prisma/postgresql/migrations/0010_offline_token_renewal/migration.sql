-- 0010_offline_token_renewal (PostgreSQL), made by npm run db:migration (its twin is in the other migrations folder).
-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "renewalRefusedAt" TIMESTAMP(3),
ADD COLUMN     "renewingUntil" TIMESTAMP(3);
