import prisma from "../db.server";
import { newId } from "../db/ids";
import { statementWriterFor, type SqlStatement } from "../db/statement-writer.server";
import type { ShopifyOrder } from "./shopify-order";
import { raiseAlert } from "./alert.server";
import { ORDER_INGEST_COLUMNS, parseDate, RECEIVED_REASON, settleInbox } from "./order-inbox.server";
import { ORDER_STATES, transition, type OrderState } from "./order-state.server";

export type IngestSource = "webhook" | "reconciliation";

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
 * Records a paid order straight in Order, exactly once per shop and Shopify
 * order id: for orders found by the reconciliation sweep and cancellations of
 * orders never seen. Shopify's orders/paid webhooks take the inbox instead
 * (receivePaidOrder, decision 010), whose move into Order keeps the same
 * guarantee. Shopify delivers webhooks at least once, sometimes concurrently:
 * the unique (shop, shopifyOrderId) index decides which delivery creates the
 * order, and every later one only counts itself. Nothing is sent to Brilliant
 * here; the worker picks the order up.
 *
 * The promise resolves once the order is committed. Orders arriving together
 * share one transaction (group commit), written off this process's event loop
 * on SQLite (decision 008), which is what lets one web process take thousands
 * of webhooks a second; see docs/performance.md.
 */
export async function recordPaidOrder(input: PaidOrderInput): Promise<IngestResult> {
  const id = newId();
  const { shop } = input;
  const shopifyOrderId = input.order.id;
  // Only the callback's three values wait for the commit. Awaited here, the
  // order's parsed body would too: a suspended async function keeps every
  // local and argument of its frame (docs/performance.md).
  return statementWriterFor()
    .write(paidOrderStatements(id, input))
    .then(([upserted]) => {
      const row = upserted?.[0] as { id: string; deliveries: number | bigint } | undefined;
      if (!row) throw new Error(`Order ${shopifyOrderId} of ${shop} neither inserted nor found`);
      return row.id === id
        ? { kind: "recorded", orderId: id }
        : { kind: "duplicate", orderId: row.id, deliveries: Number(row.deliveries) };
    });
}

/**
 * The order as new (id `id`), or one more delivery of the one already there;
 * its first transition only when the row is the new one.
 */
function paidOrderStatements(id: string, input: PaidOrderInput): SqlStatement[] {
  const { shop, order } = input;
  const now = new Date();
  const payload = input.rawBody ?? JSON.stringify(input.payload);
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
        payload,
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
      params: [
        newId(),
        id,
        shop,
        input.source === "webhook"
          ? `orders/paid webhook ${input.webhookId ?? "(no id)"}`
          : "found by the reconciliation sweep",
        input.source === "webhook" ? "webhook" : "reconciliation",
        now,
        id,
      ],
    },
  ];
}

export type OrderStateCounts = Record<OrderState, number>;

/** States orders leave only by the merchant's hand, if ever: most of a shop's orders are in them. */
const SETTLED_STATES: readonly OrderState[] = ["forwarded", "skipped", "cancelled"];
/** From this many settled orders on, their counts are read at most once per SETTLED_COUNTS_TTL_MS. */
const SETTLED_COUNTS_CACHED_FROM = 50_000;
const SETTLED_COUNTS_TTL_MS = 60_000;
const settledCounts = new Map<string, { at: number; counts: Map<string, number> }>();

/**
 * The home page's counts by state. The states that need watching (held,
 * retrying, unknown, waiting, in flight) are counted exactly on every call:
 * small ranges of the (shop, state, …) index. Forwarded, skipped and
 * cancelled hold nearly all of a big shop's orders (a million index entries
 * at 1M orders, ~200 ms); once they pass SETTLED_COUNTS_CACHED_FROM, this
 * process reuses their counts for up to a minute.
 */
export async function countOrdersByState(
  shop: string,
  { now = Date.now(), cachedFrom = SETTLED_COUNTS_CACHED_FROM } = {},
): Promise<OrderStateCounts> {
  const counts = Object.fromEntries(ORDER_STATES.map((state) => [state, 0])) as OrderStateCounts;
  const count = async (states: readonly OrderState[]) => {
    const groups = await prisma.order.groupBy({
      by: ["state"],
      where: { shop, state: { in: [...states] } },
      _count: { _all: true },
    });
    return new Map(groups.map((group) => [group.state, group._count._all]));
  };
  const cached = settledCounts.get(shop);
  const settled =
    cached && now - cached.at < SETTLED_COUNTS_TTL_MS ? cached.counts : await count(SETTLED_STATES);
  let settledTotal = 0;
  for (const value of settled.values()) settledTotal += value;
  if (settledTotal >= cachedFrom) {
    if (settled !== cached?.counts) settledCounts.set(shop, { at: now, counts: settled });
  } else settledCounts.delete(shop);
  const live = await count(ORDER_STATES.filter((state) => !SETTLED_STATES.includes(state)));
  for (const [state, value] of [...settled, ...live]) {
    if (state in counts) counts[state as OrderState] = value;
  }
  return counts;
}

/** The order, moved from the inbox first if it is still there. */
export async function getOrderByShopifyId(shop: string, shopifyOrderId: string) {
  await settleInbox(shop, shopifyOrderId);
  return prisma.order.findUnique({ where: { shop_shopifyOrderId: { shop, shopifyOrderId } } });
}

const CANCELLABLE_BEFORE_SEND: readonly OrderState[] = [
  "received",
  "waiting",
  "ready",
  "retrying",
  "held",
  "skipped",
];
const MONEY_TAKEN = new Set(["paid", "partially_paid", "partially_refunded", "refunded"]);

export type CancellationResult =
  | "cancelled_before_send"
  | "flagged_in_flight"
  | "cancelled_after_forward"
  | "already_cancelled"
  | "recorded_as_cancelled"
  | "ignored_unpaid";

/**
 * orders/cancelled. Before the order reached Brilliant it simply never goes;
 * while a send may be in flight it is flagged and the worker settles it; after
 * Brilliant took it the merchant is told to cancel at Brilliant, since the
 * API has no cancel. A cancellation that arrives before its orders/paid
 * webhook records the order as cancelled, so the late paid webhook is a
 * duplicate and nothing is sent.
 */
export async function recordCancellation(input: Omit<PaidOrderInput, "source">): Promise<CancellationResult> {
  const { shop, order } = input;
  const cancelledAt = parseDate(order.cancelled_at) ?? new Date();
  const existing = await getOrderByShopifyId(shop, order.id);
  if (!existing) {
    if (!MONEY_TAKEN.has(order.financial_status ?? "")) return "ignored_unpaid";
    const recorded = await recordPaidOrder({ ...input, source: "webhook" });
    const moved = await transition({
      shop,
      orderId: recorded.orderId,
      from: "received",
      to: "cancelled",
      actor: "webhook",
      reason: "Cancelled in Shopify before it was sent: Brilliant never got it.",
      data: { cancelledAt },
    });
    return moved ? "recorded_as_cancelled" : recordCancellation(input);
  }
  const state = existing.state as OrderState;
  if (state === "cancelled") return "already_cancelled";
  if (CANCELLABLE_BEFORE_SEND.includes(state)) {
    const moved = await transition({
      shop,
      orderId: existing.id,
      from: state,
      to: "cancelled",
      actor: "webhook",
      reason: "Cancelled in Shopify before it was sent: Brilliant never got it.",
      data: { cancelledAt },
    });
    // The worker moved it meanwhile: look again.
    return moved ? "cancelled_before_send" : recordCancellation(input);
  }
  await prisma.order.update({ where: { id: existing.id }, data: { cancelledAt } });
  if (state === "forwarded") {
    await raiseCancelledAfterForward(shop, existing.id, existing.name, existing.brilliantOrderId);
    return "cancelled_after_forward";
  }
  return "flagged_in_flight";
}

export async function raiseCancelledAfterForward(
  shop: string,
  orderId: string,
  orderName: string,
  brilliantOrderId: string | null,
) {
  await raiseAlert({
    shop,
    kind: "cancelled_after_forward",
    key: `cancelled_after_forward:${orderId}`,
    title: `Order ${orderName} was cancelled in Shopify after Brilliant took it`,
    detail: `Brilliant's API cannot cancel orders: contact Brilliant to cancel${brilliantOrderId ? ` order ${brilliantOrderId}` : " it"}.`,
    orderIds: [orderId],
  });
}
