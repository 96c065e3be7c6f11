/**
 * Retention (decision 017): RETENTION_DAYS after an order was recorded, once
 * it is settled, its stored bodies (the order as Shopify sent it, what went
 * to Brilliant and came back, Brilliant's status calls) and the free text of
 * its own rows lose the customer's personal data, by the same code as
 * customers/redact; ids, codes, states, quantities, variant ids and the
 * order's name stay. An order still on its way is never touched. Status
 * calls that belong to no order lose every string but ids, states and times.
 */
import { placeholders, sqlFor, type Row, type SqlValue } from "../db/sql.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { removeOrdersPersonalData } from "../orders/compliance/customer-redact.server";
import { redactUnownedJsonText } from "../orders/compliance/personal-data";
import { emptyWal } from "../orders/compliance/wal.server";
import type { OrderState } from "../orders/state.server";

/** Where an order's way ends: nothing more is sent for it, so its customer's details are no longer needed. */
export const SETTLED_STATES = ["forwarded", "skipped", "cancelled"] as const satisfies readonly OrderState[];

const DAY_MS = 24 * 60 * 60_000;
/** Orders (or status calls) read per round; each shop among the orders is one redaction. */
const ROWS_PER_ROUND = 200;
/** Orders left unmarked in one run (a worker held them, or they kept changing) before the run gives up. */
const MAX_PASSED_OVER = 500;

export interface RetentionRun {
  /** Orders whose personal data was removed (and marked so). */
  removed: number;
  /** Orders left for the next run: held by a worker, or changing under the redaction. */
  passedOver: number;
  /** Status calls of no order whose body was redacted. */
  statusCalls: number;
  /** Stopped between rounds because the worker is stopping. */
  stopped: boolean;
}

export async function removeExpiredPersonalData(options: {
  retentionDays: number;
  now?: Date;
  signal?: AbortSignal;
  log?: Logger;
}): Promise<RetentionRun> {
  const run: RetentionRun = { removed: 0, passedOver: 0, statusCalls: 0, stopped: false };
  if (options.retentionDays <= 0) return run;
  const log = options.log ?? rootLogger;
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.retentionDays * DAY_MS);
  const sql = sqlFor();
  const passedOver = new Set<string>();
  const settled = placeholders(SETTLED_STATES.length);
  for (;;) {
    if (options.signal?.aborted) return { ...run, stopped: true };
    // The oldest unmarked orders first, on (personalDataRemovedAt, createdAt); marked ones leave the range.
    const skip = [...passedOver];
    const rows = await sql.all<Row>(
      `SELECT "id", "shop" FROM "Order"
       WHERE "personalDataRemovedAt" IS NULL AND "createdAt" < ? AND "state" IN (${settled})
         ${skip.length > 0 ? `AND "id" NOT IN (${placeholders(skip.length)})` : ""}
       ORDER BY "createdAt" LIMIT ?`,
      [cutoff, ...SETTLED_STATES, ...skip, ROWS_PER_ROUND],
    );
    if (rows.length === 0) break;
    const byShop = new Map<string, string[]>();
    for (const row of rows)
      byShop.set(String(row.shop), [...(byShop.get(String(row.shop)) ?? []), String(row.id)]);
    for (const [shop, ids] of byShop) {
      const result = await removeOrdersPersonalData(shop, ids, SETTLED_STATES, now);
      run.removed += result.removed;
    }
    const ids = rows.map((row) => String(row.id));
    const unmarked = await sql.all<Row>(
      `SELECT "id" FROM "Order" WHERE "id" IN (${placeholders(ids.length)}) AND "personalDataRemovedAt" IS NULL`,
      ids,
    );
    for (const row of unmarked) passedOver.add(String(row.id));
    if (passedOver.size >= MAX_PASSED_OVER) break;
  }
  run.passedOver = passedOver.size;
  run.statusCalls = await redactUnownedStatusCalls(cutoff, options.signal);
  if (run.removed + run.statusCalls > 0 && !(await emptyWal())) {
    // Checkpoints overwrite the log in time; the next run tries again to empty it at once.
    log.warn("retention: SQLite's write-ahead log could not be emptied yet");
  }
  return { ...run, stopped: options.signal?.aborted ?? false };
}

/** Status calls older than `cutoff` that matched no order: redacted whole but for ids, states and times. */
async function redactUnownedStatusCalls(cutoff: Date, signal?: AbortSignal): Promise<number> {
  const sql = sqlFor();
  let after = "";
  let redacted = 0;
  for (;;) {
    if (signal?.aborted) return redacted;
    const rows = await sql.all<Row>(
      `SELECT "id", "body" FROM "BrilliantStatusEvent"
       WHERE "orderId" IS NULL AND "receivedAt" < ? AND "id" > ? ORDER BY "id" LIMIT ?`,
      [cutoff, after, ROWS_PER_ROUND],
    );
    if (rows.length === 0) return redacted;
    after = String(rows.at(-1)!.id);
    const changes: SqlValue[][] = [];
    for (const row of rows) {
      const body = String(row.body);
      const scrubbed = redactUnownedJsonText(body);
      // Compare-and-set: a body rewritten meanwhile (customers/redact) is left to the next run.
      if (scrubbed !== body) changes.push([scrubbed, row.id as string, body]);
    }
    if (changes.length > 0) {
      await sql.transaction(async (tx) => {
        for (const change of changes) {
          redacted += await tx.run(
            `UPDATE "BrilliantStatusEvent" SET "body" = ? WHERE "id" = ? AND "body" = ?`,
            change,
          );
        }
      });
    }
  }
}
