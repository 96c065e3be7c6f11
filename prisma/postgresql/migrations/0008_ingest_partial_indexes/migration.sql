-- 0008_ingest_partial_indexes (PostgreSQL), written by hand (its twin is in the other migrations folder).
-- Three of the Order table's indexes become partial (docs/decisions/009): they
-- leave out rows that a just-received order always is (no code yet, not at
-- Brilliant yet, nothing to write back to Shopify), so taking an orders/paid
-- webhook writes three fewer indexes. Prisma 6 cannot declare a partial index,
-- and its diff does not see one: schema.prisma names them in a comment, and
-- no migration Prisma makes will create, drop or change them.
-- Every query meant to use one has a condition that implies its WHERE (SQLite
-- and PostgreSQL use a partial index only then).
DROP INDEX "Order_shop_lastCode_createdAt_id_idx";
CREATE INDEX "Order_shop_lastCode_createdAt_id_idx" ON "Order"("shop", "lastCode", "createdAt", "id") WHERE "lastCode" IS NOT NULL;

DROP INDEX "Order_state_brilliantCheckedAt_idx";
CREATE INDEX "Order_state_brilliantCheckedAt_idx" ON "Order"("state", "brilliantCheckedAt") WHERE "brilliantOrderId" IS NOT NULL;

DROP INDEX "Order_fulfillmentSync_fulfillmentSyncNextAt_idx";
CREATE INDEX "Order_fulfillmentSync_fulfillmentSyncNextAt_idx" ON "Order"("fulfillmentSync", "fulfillmentSyncNextAt") WHERE "fulfillmentSync" IS NOT NULL;
