import type { Prisma } from "@prisma/client";

import prisma from "../../db.server";
import { sqlFor } from "../../db/sql.server";
import { forgetSessionsOf } from "../../integrations/shopify-session-storage.server";
import { BATCH, quote } from "./batches";
import { TABLES, TEXT_COLUMNS } from "./text-columns";
import { emptyWal, walNotEmptied } from "./wal.server";

export { RedactionUnfinished } from "./wal.server";

/** Deleted last: while they are there the shop still looks installed to whatever else runs. */
const DELETED_LAST: readonly Prisma.ModelName[] = ["ShopSettings", "Session"];

/**
 * shop/redact: every row of the shop, in every table with a `shop` column
 * (and, through their foreign keys, the rows that belong to those), gone.
 * In batches, each its own transaction, so the write lock is never held
 * long; idempotent, so a redelivery finishes what a failure left. SQLite
 * runs with secure_delete and its write-ahead log is emptied, so the old
 * text is overwritten on disk too; RedactionUnfinished when it could not be.
 */
export async function deleteShopData(shop: string): Promise<void> {
  const sql = sqlFor();
  const tables = [
    ...TABLES.filter(([model]) => !DELETED_LAST.includes(model)),
    ...DELETED_LAST.map((model) => [model, TEXT_COLUMNS[model]] as const),
  ];
  for (const [model, rules] of tables) {
    if (!("key" in rules.shopRows)) continue;
    const { key } = rules.shopRows;
    if (key === "shop") {
      await sql.run(`DELETE FROM ${quote(model)} WHERE "shop" = ?`, [shop]);
      continue;
    }
    for (;;) {
      const deleted = await sql.run(
        `DELETE FROM ${quote(model)} WHERE "shop" = ? AND ${quote(key)} IN
           (SELECT ${quote(key)} FROM ${quote(model)} WHERE "shop" = ? LIMIT ${BATCH})`,
        [shop, shop],
      );
      if (deleted < BATCH) break;
    }
  }
  forgetSessionsOf(prisma, shop);
  if (!(await emptyWal())) throw walNotEmptied();
}
