import prisma from "../db.server";
import { raiseAlert } from "../models/alert.server";
import { parseDate, recordPaidOrder, type PaidOrderInput } from "./ingest.server";
import { ORDER_STATES, transition, type OrderState } from "./state.server";

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
 * cancelled hold nearly all of a big shop's orders, slow to count at a
 * million; once they pass SETTLED_COUNTS_CACHED_FROM, this process reuses
 * their counts for up to a minute.
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

export async function getOrderByShopifyId(shop: string, shopifyOrderId: string) {
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
    const recorded = await recordPaidOrder({ ...input, source: "cancellation" });
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
