// The orders/paid inbox (decision 012): a narrow table keyed like Order's
// unique (shop, shopifyOrderId), appended to by ingest and moved into Order
// in batches. Only the ingest modules (ingest.server.ts and this one) name it.
import { databaseKind } from "../db.server";
import { logger } from "../logger.server";
import { sqlFor, toNumber, type SqlValue } from "../db/sql.server";
import { statementWriterFor, type SqlStatement } from "../db/statement-writer.server";

/** The first state's reason, as the order shows it until the worker takes it. */
export const RECEIVED_REASON = "Received from Shopify; waiting for the forwarder.";

/** The columns a just-received order is written with, from the inbox's move and straight. */
export const ORDER_INGEST_COLUMNS = `"id", "shop", "shopifyOrderId", "name", "payload", "firstWebhookId", "deliveries",
  "state", "stateReason", "attemptCount", "nextAttemptAt", "shopifyCreatedAt", "createdAt", "updatedAt"`;

/** Rows moved per transaction by a settle and by the web process's mover (a claim moves fewer). */
export const INBOX_MOVE_LIMIT = 500;

/** Which inbox rows a move takes: all shops', one shop's, or one order's. */
export interface InboxScope {
  shop?: string;
  shopifyOrderId?: string;
}

export interface InboxMove {
  /** Rows that left the inbox. */
  moved: number;
  /** Of those, orders that were new to Order (the rest only added their deliveries). */
  created: number;
}

/**
 * The statements of one move of up to `limit` rows, oldest first, run in one
 * transaction. The first transition's id is its order's id and "r": made in
 * SQL, and never made twice for one order.
 * - SQLite: three statements that pick the same rows (no other connection
 *   writes between them: the transaction holds the database's write lock).
 * - PostgreSQL: one statement; the rows it takes are locked, and rows another
 *   move is taking are skipped.
 */
export function inboxMoveStatements(scope: InboxScope = {}, limit = INBOX_MOVE_LIMIT): SqlStatement[] {
  const now = new Date();
  const { where, params: scopeParams } = scopeCondition(scope);
  const orderValues = `i."id", i."shop", i."shopifyOrderId", i."name", i."payload", i."webhookId", i."deliveries",
    'received', ?, 0, i."receivedAt", i."shopifyCreatedAt", i."receivedAt", ?`;
  const onConflict = `ON CONFLICT ("shop", "shopifyOrderId")
    DO UPDATE SET "deliveries" = "Order"."deliveries" + excluded."deliveries", "updatedAt" = excluded."updatedAt"`;
  const transitionColumns = `"id", "orderId", "shop", "fromState", "toState", "reason", "actor", "at"`;
  const transitionValues = `i."id" || 'r', i."id", i."shop", NULL, 'received',
    'orders/paid webhook ' || COALESCE(i."webhookId", '(no id)'), 'webhook', i."receivedAt"`;

  if (databaseKind() === "postgresql") {
    return [
      {
        sql: `WITH picked AS (
                SELECT "shop", "shopifyOrderId" FROM "OrderInbox" ${where}
                ORDER BY "receivedAt" LIMIT ? FOR UPDATE SKIP LOCKED),
              i AS (
                DELETE FROM "OrderInbox" AS d USING picked AS p
                WHERE d."shop" = p."shop" AND d."shopifyOrderId" = p."shopifyOrderId"
                RETURNING d.*),
              inserted AS (
                INSERT INTO "Order" (${ORDER_INGEST_COLUMNS}) SELECT ${orderValues} FROM i ${onConflict}
                RETURNING "id"),
              transitions AS (
                INSERT INTO "OrderTransition" (${transitionColumns})
                SELECT ${transitionValues} FROM i JOIN inserted AS n ON n."id" = i."id"
                RETURNING "orderId")
              SELECT (SELECT COUNT(*) FROM i) AS "moved", (SELECT COUNT(*) FROM transitions) AS "created"`,
        params: [...scopeParams, limit, RECEIVED_REASON, now],
        returns: true,
      },
    ];
  }
  const picked = `i."rowid" IN (SELECT "rowid" FROM "OrderInbox" ${where} ORDER BY "rowid" LIMIT ?)`;
  const pickedParams = [...scopeParams, limit];
  return [
    {
      // `WHERE` after FROM: SQLite's parser needs one before an upsert's ON CONFLICT.
      sql: `INSERT INTO "Order" (${ORDER_INGEST_COLUMNS}) SELECT ${orderValues} FROM "OrderInbox" AS i WHERE ${picked} ${onConflict}`,
      params: [RECEIVED_REASON, now, ...pickedParams],
    },
    {
      sql: `INSERT INTO "OrderTransition" (${transitionColumns})
            SELECT ${transitionValues} FROM "OrderInbox" AS i JOIN "Order" AS o ON o."id" = i."id" WHERE ${picked}
            RETURNING "orderId"`,
      params: pickedParams,
      returns: true,
    },
    {
      sql: `DELETE FROM "OrderInbox" AS i WHERE ${picked} RETURNING 1 AS "moved"`,
      params: pickedParams,
      returns: true,
    },
  ];
}

/** What one move's statements answered, as counts. */
export function inboxMoveResult(rows: readonly (readonly Record<string, unknown>[])[]): InboxMove {
  if (rows.length === 1) {
    const [counts] = rows[0] ?? [];
    return { moved: toNumber(counts?.moved) ?? 0, created: toNumber(counts?.created) ?? 0 };
  }
  return { moved: rows[2]?.length ?? 0, created: rows[1]?.length ?? 0 };
}

/** One move, in a transaction of its own, through the statement writer (decision 008). */
export async function moveInbox(scope: InboxScope = {}, limit = INBOX_MOVE_LIMIT): Promise<InboxMove> {
  return inboxMoveResult(await statementWriterFor().write(inboxMoveStatements(scope, limit)));
}

/** How long webhooks must pause before the web process moves the inbox itself. */
export const INBOX_QUIET_MS = 20;

/**
 * The web process's own mover (started by the production server's warm-up):
 * once orders/paid webhooks have paused for `quietMs`, it moves the inbox
 * into Order through the statement writer (on SQLite, off the event loop),
 * a batch at a time, and stops as soon as webhooks come again. Under a
 * burst, acknowledgements keep the write lock to themselves, and the worker
 * moves what it needs before each claim; once the burst passes, the web
 * process takes that work off the worker. Either may move any row: moves
 * are safe against each other (inboxMoveStatements).
 */
export class QuietInboxMover {
  private lastReceivedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private moving = false;

  constructor(
    private readonly quietMs: number,
    /** One move of up to INBOX_MOVE_LIMIT rows (another in tests). */
    private readonly move: () => Promise<InboxMove> = () => moveInbox(),
  ) {}

  received(): void {
    this.lastReceivedAt = performance.now();
    if (!this.timer && !this.moving) this.wake(this.quietMs);
  }

  private wake(afterMs: number): void {
    this.timer = setTimeout(() => void this.tick(), afterMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    const quietFor = performance.now() - this.lastReceivedAt;
    if (quietFor < this.quietMs) return this.wake(this.quietMs - quietFor);
    this.moving = true;
    let since = this.lastReceivedAt;
    let failed = false;
    try {
      for (;;) {
        since = this.lastReceivedAt;
        const move = await this.move();
        if (move.moved < INBOX_MOVE_LIMIT || this.lastReceivedAt !== since) break;
      }
    } catch (error) {
      // Nothing is lost: the rows stay, for the worker's next claim or the next quiet moment.
      logger.warn({ err: error }, "moving the orders/paid inbox failed; trying again later");
      failed = true;
    } finally {
      this.moving = false;
    }
    // Webhooks that came during the last move (received() does not wake a
    // mover that is moving), or a failed move: the next quiet moment.
    if ((failed || this.lastReceivedAt !== since) && !this.timer) this.wake(this.quietMs);
  }
}

let quietMover: QuietInboxMover | null = null;

/** A webhook's order was appended: the quiet mover (if started) waits for the next pause. */
export function noteReceived(): void {
  quietMover?.received();
}

/** Starts this process's QuietInboxMover (once; later calls do nothing). */
export function moveReceivedOrdersWhenQuiet(quietMs = INBOX_QUIET_MS): void {
  quietMover ??= new QuietInboxMover(quietMs);
}

/** Whether any row waits in the inbox (all shops', one shop's, or one order's): one index seek. */
export async function inboxHolds(scope: InboxScope = {}): Promise<boolean> {
  const { where, params } = scopeCondition(scope);
  const rows = await sqlFor().all(`SELECT 1 AS "one" FROM "OrderInbox" ${where} LIMIT 1`, params);
  return rows.length > 0;
}

function scopeCondition(scope: InboxScope): { where: string; params: SqlValue[] } {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  if (scope.shop !== undefined) {
    conditions.push(`"shop" = ?`);
    params.push(scope.shop);
  }
  if (scope.shopifyOrderId !== undefined) {
    conditions.push(`"shopifyOrderId" = ?`);
    params.push(scope.shopifyOrderId);
  }
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "", params };
}

/** How many orders wait in the inbox (all shops', or one shop's): for tests, the bench and diagnostics. */
export async function countInbox(shop?: string): Promise<number> {
  const { where, params } = scopeCondition({ shop });
  const [row] = await sqlFor().all<{ count: unknown }>(
    `SELECT COUNT(*) AS "count" FROM "OrderInbox" ${where}`,
    params,
  );
  return toNumber(row?.count) ?? 0;
}
