// The one way a paid order comes in (decision 012). recordPaidOrder records
// it exactly once per shop and Shopify order id, whoever found it: the
// orders/paid webhook, the orders/cancelled webhook of an order never seen,
// the reconciliation sweep, or orders/create for an order placed with payment
// terms (when the shop sends those unpaid). Nothing is sent to Brilliant here;
// the worker picks the order up.
//
// An orders/paid delivery is first appended to OrderInbox, a narrow table
// keyed like Order's unique (shop, shopifyOrderId): it is durable once that
// commits, at about a third of the work of writing Order with its indexes on
// the path Shopify waits on (measured: docs/performance.md). The inbox is
// this module's alone (its SQL is in ingest-inbox.server.ts). Its rows move
// into Order, with the id the webhook gave them and their first transition
// dated when they came:
// - at the doors, before a shop's request is served (flushReceivedOrders,
//   from authenticate.admin and every other webhook) and at the top of each
//   worker round (takeReceivedOrders);
// - in the web process, once webhooks pause (moveReceivedOrdersWhenQuiet).
// So every other module reads Order and never needs to know about the inbox.
//
// Exactly once (decision 003): a delivery for an order already in Order
// only counts itself there; a move that meets the order already in Order
// adds its deliveries to it and creates nothing; a row leaves the inbox only
// in the transaction that put its order in Order.
import { newId } from "../db/ids";
import { type SqlRunner } from "../db/sql.server";
import { runStatements, statementWriterFor, type SqlStatement } from "../db/statement-writer.server";
import {
  inboxHolds,
  inboxMoveResult,
  inboxMoveStatements,
  moveInbox,
  noteReceived,
  ORDER_INGEST_COLUMNS,
  RECEIVED_REASON,
  type InboxMove,
  type InboxScope,
  INBOX_MOVE_LIMIT,
} from "./ingest-inbox.server";
import { paymentTermsName, placedWithPaymentTermsReason } from "./payment-terms";
import type { ShopifyOrder } from "./shopify-order";

export {
  countInbox,
  INBOX_MOVE_LIMIT,
  INBOX_QUIET_MS,
  inboxMoveResult,
  inboxMoveStatements,
  moveReceivedOrdersWhenQuiet,
  QuietInboxMover,
  RECEIVED_REASON,
  type InboxMove,
  type InboxScope,
} from "./ingest-inbox.server";

/**
 * Who found the order: its orders/paid webhook, an orders/cancelled webhook
 * that came first, the sweep, or its orders/create webhook when it was placed
 * with payment terms and the shop sends those unpaid (payment-terms.server.ts),
 * or the sweep when that webhook never came.
 */
export type IngestSource =
  "webhook" | "cancellation" | "reconciliation" | "payment_terms" | "reconciliation_payment_terms";

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
  { actor: string; reason: (webhookId: string, order: ShopifyOrder) => string }
> = {
  cancellation: {
    actor: "webhook",
    reason: (webhookId) => `orders/cancelled webhook ${webhookId}, before its orders/paid`,
  },
  reconciliation: { actor: "reconciliation", reason: () => "found by the reconciliation sweep" },
  payment_terms: {
    actor: "webhook",
    reason: (webhookId, order) =>
      placedWithPaymentTermsReason(
        `orders/create webhook ${webhookId}`,
        paymentTermsName(order.payment_terms ?? {}),
      ),
  },
  reconciliation_payment_terms: {
    actor: "reconciliation",
    reason: (_webhookId, order) =>
      placedWithPaymentTermsReason(
        "found by the reconciliation sweep",
        paymentTermsName(order.payment_terms ?? {}),
      ),
  },
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
      params: [newId(), id, shop, first.reason(input.webhookId ?? "(no id)", order), first.actor, now, id],
    },
  ];
}

type DeliveryRow = { id: string; deliveries: number | bigint };

function ingestResult(id: string, row: DeliveryRow, appended: boolean): IngestResult {
  noteReceived();
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
