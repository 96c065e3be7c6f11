// The one way a paid order comes in (decision 012). recordPaidOrder records
// it exactly once per shop and Shopify order id, whoever found it: the
// orders/paid webhook, the orders/cancelled webhook of an order never seen,
// or the reconciliation sweep. Nothing is sent to Brilliant here; the worker
// picks the order up.
//
// An orders/paid delivery is first appended to OrderInbox, a narrow table
// keyed like Order's unique (shop, shopifyOrderId): it is durable once that
// commits, at about a third of the work of writing Order with its indexes on
// the path Shopify waits on (measured: docs/performance.md). The inbox is this
// module's alone. Its rows move into Order, with the id the webhook gave them
// and their first transition dated when they came:
// - at the doors, before a shop's request is served (flushReceivedOrders,
//   from authenticate.admin and every other webhook) and at the top of each
//   worker round (takeReceivedOrdersIn);
// - in the web process, once webhooks pause (moveReceivedOrdersWhenQuiet).
// So every other module reads Order and never needs to know about the inbox.
//
// Exactly once (decision 003): a delivery for an order already in Order
// only counts itself there; a move that meets the order already in Order
// adds its deliveries to it and creates nothing; a row leaves the inbox only
// in the transaction that put its order in Order.
import { databaseKind } from "../db.server";
import { newId } from "../db/ids";
import { logger } from "../logger.server";
import { sqlFor, toNumber, type SqlRunner, type SqlValue } from "../db/sql.server";
import { runStatements, statementWriterFor, type SqlStatement } from "../db/statement-writer.server";
import type { ShopifyOrder } from "./shopify-order";

/** Who found the order: its orders/paid webhook, an orders/cancelled webhook that came first, or the sweep. */
export type IngestSource = "webhook" | "cancellation" | "reconciliation";

export type IngestResult =
  { kind: "recorded"; orderId: string } | { kind: "duplicate"; orderId: string; deliveries: number };

export interface PaidOrderInput {
  shop: string;
  order: ShopifyOrder;
  /** The order as Shopify sent it: stored as the webhook's `rawBody` when there is one, else as JSON. */
  payload: unknown;
  /** The webhook's body exactly as it came (`payload` is its parse). */
  rawBody?: string;
  webhookId: string | null;
  source: IngestSource;
}

/** The first state's reason, as the order shows it until the worker takes it. */
export const RECEIVED_REASON = "Received from Shopify; waiting for the forwarder.";

/** The columns a just-received order is written with, from the inbox's move and straight. */
const ORDER_INGEST_COLUMNS = `"id", "shop", "shopifyOrderId", "name", "payload", "firstWebhookId", "deliveries",
  "state", "stateReason", "attemptCount", "nextAttemptAt", "shopifyCreatedAt", "createdAt", "updatedAt"`;

/** Rows moved per transaction by a settle and by the web process's mover (a claim moves fewer). */
export const INBOX_MOVE_LIMIT = 500;

/**
 * Records a paid order, or counts one more delivery of it. The promise
 * resolves once that is committed: the order is then durable, and
 * `orderId` is its Order row's id. An orders/paid delivery goes to the
 * inbox; an order found otherwise goes straight into Order, as whoever found
 * it reads it next.
 */
export function recordPaidOrder(input: PaidOrderInput): Promise<IngestResult> {
  return input.source === "webhook" ? receive(input) : recordStraight(input);
}

function receive(input: PaidOrderInput): Promise<IngestResult> {
  const id = newId();
  const { shop } = input;
  const shopifyOrderId = input.order.id;
  // Not an async function: only these three values wait for the commit; a
  // suspended async frame would keep the parsed body too (docs/performance.md).
  return statementWriterFor()
    .write([countDelivery(shop, shopifyOrderId), append(id, input)])
    .then(([counted, appended]) => {
      const row = (counted?.[0] ?? appended?.[0]) as DeliveryRow | undefined;
      if (row) return ingestResult(id, row, counted?.length === 0);
      // Only on PostgreSQL: a move committed between the two statements (the
      // first missed the order in Order, the second found it there). Counting
      // again finds it in Order. SQLite runs both under one write lock.
      return statementWriterFor()
        .write([countDelivery(shop, shopifyOrderId)])
        .then(([again]) => {
          const moved = again?.[0] as DeliveryRow | undefined;
          if (!moved) throw new Error(`Order ${shopifyOrderId} of ${shop} neither appended nor found`);
          return ingestResult(id, moved, false);
        });
    });
}

/**
 * Straight into Order, after moving the order out of the inbox if its
 * webhook is there: the first transition then tells how it really came.
 */
async function recordStraight(input: PaidOrderInput): Promise<IngestResult> {
  await flushReceivedOrders(input.shop, input.order.id);
  const id = newId();
  const [upserted] = await statementWriterFor().write(straightStatements(id, input));
  const row = upserted?.[0] as DeliveryRow | undefined;
  if (!row) throw new Error(`Order ${input.order.id} of ${input.shop} neither inserted nor found`);
  return row.id === id
    ? { kind: "recorded", orderId: id }
    : { kind: "duplicate", orderId: row.id, deliveries: Number(row.deliveries) };
}

const FIRST_TRANSITION: Record<
  Exclude<IngestSource, "webhook">,
  { actor: string; reason: (webhookId: string) => string }
> = {
  cancellation: {
    actor: "webhook",
    reason: (webhookId) => `orders/cancelled webhook ${webhookId}, before its orders/paid`,
  },
  reconciliation: { actor: "reconciliation", reason: () => "found by the reconciliation sweep" },
};

/** The order as new (id `id`), or one more delivery of the one there; its first transition only when new. */
function straightStatements(id: string, input: PaidOrderInput): SqlStatement[] {
  const { shop, order } = input;
  const now = new Date();
  const first = FIRST_TRANSITION[input.source as Exclude<IngestSource, "webhook">];
  return [
    {
      sql: `INSERT INTO "Order" (${ORDER_INGEST_COLUMNS})
            VALUES (?, ?, ?, ?, ?, ?, 1, 'received', ?, 0, ?, ?, ?, ?)
            ON CONFLICT ("shop", "shopifyOrderId")
              DO UPDATE SET "deliveries" = "Order"."deliveries" + 1, "updatedAt" = excluded."updatedAt"
            RETURNING "id", "deliveries"`,
      params: [
        id,
        shop,
        order.id,
        order.name,
        input.rawBody ?? JSON.stringify(input.payload),
        input.webhookId,
        RECEIVED_REASON,
        now,
        parseDate(order.created_at),
        now,
        now,
      ],
      returns: true,
    },
    {
      sql: `INSERT INTO "OrderTransition" ("id", "orderId", "shop", "fromState", "toState", "reason", "actor", "at")
            SELECT ?, ?, ?, NULL, 'received', ?, ?, ? WHERE EXISTS (SELECT 1 FROM "Order" WHERE "id" = ?)`,
      params: [newId(), id, shop, first.reason(input.webhookId ?? "(no id)"), first.actor, now, id],
    },
  ];
}

type DeliveryRow = { id: string; deliveries: number | bigint };

function ingestResult(id: string, row: DeliveryRow, appended: boolean): IngestResult {
  quietMover?.received();
  return appended && row.id === id
    ? { kind: "recorded", orderId: id }
    : { kind: "duplicate", orderId: row.id, deliveries: Number(row.deliveries) };
}

/** One more delivery of an order already in Order; its id and count, if it is there. */
function countDelivery(shop: string, shopifyOrderId: string): SqlStatement {
  return {
    sql: `UPDATE "Order" SET "deliveries" = "deliveries" + 1, "updatedAt" = ?
          WHERE "shop" = ? AND "shopifyOrderId" = ? RETURNING "id", "deliveries"`,
    params: [new Date(), shop, shopifyOrderId],
    returns: true,
  };
}

/** The order appended to the inbox, or one more delivery of its row there; nothing if it is in Order. */
function append(id: string, input: PaidOrderInput): SqlStatement {
  const { shop, order } = input;
  return {
    sql: `INSERT INTO "OrderInbox" ("shop", "shopifyOrderId", "id", "name", "payload", "webhookId", "deliveries",
            "shopifyCreatedAt", "receivedAt")
          SELECT ?, ?, ?, ?, ?, ?, 1, ?, ?
          WHERE NOT EXISTS (SELECT 1 FROM "Order" WHERE "shop" = ? AND "shopifyOrderId" = ?)
          ON CONFLICT ("shop", "shopifyOrderId") DO UPDATE SET "deliveries" = "OrderInbox"."deliveries" + 1
          RETURNING "id", "deliveries"`,
    params: [
      shop,
      order.id,
      id,
      order.name,
      input.rawBody ?? JSON.stringify(input.payload),
      input.webhookId,
      parseDate(order.created_at),
      new Date(),
      shop,
      order.id,
    ],
    returns: true,
  };
}

export function parseDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

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

/**
 * The worker's round: up to `limit` received orders of any shop moved into
 * Order in a transaction of the caller's `run` (its group commit), after a
 * read, so that a round with nothing to move takes no write lock for it.
 */
export async function takeReceivedOrders(
  run: (work: (tx: SqlRunner) => Promise<InboxMove>) => Promise<InboxMove>,
  limit: number,
): Promise<InboxMove> {
  if (!(await inboxHolds())) return { moved: 0, created: 0 };
  return run(async (tx) => inboxMoveResult(await runStatements(tx, inboxMoveStatements({}, limit))));
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

/** Starts this process's QuietInboxMover (once; later calls do nothing). */
export function moveReceivedOrdersWhenQuiet(quietMs = INBOX_QUIET_MS): void {
  quietMover ??= new QuietInboxMover(quietMs);
}

/**
 * Moves the received orders of `shop` (or one of its orders) into Order, so
 * that what is read next sees every order acknowledged to Shopify. Called at
 * the doors (a shop's authenticated request, every webhook but orders/paid),
 * never by readers. One index seek when nothing waits, which is nearly always.
 */
export async function flushReceivedOrders(shop: string, shopifyOrderId?: string): Promise<InboxMove> {
  const scope: InboxScope = shopifyOrderId === undefined ? { shop } : { shop, shopifyOrderId };
  const total: InboxMove = { moved: 0, created: 0 };
  for (;;) {
    if (!(await inboxHolds(scope))) return total;
    const move = await moveInbox(scope);
    total.moved += move.moved;
    total.created += move.created;
    // Fewer than a full move: what is left came after it (or is being moved by another process).
    if (move.moved < INBOX_MOVE_LIMIT) return total;
  }
}

/** Whether any row waits in the inbox (all shops', one shop's, or one order's): one index seek. */
async function inboxHolds(scope: InboxScope = {}): Promise<boolean> {
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
