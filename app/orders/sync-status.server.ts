import prisma from "../db.server";
import { orderPath, stateLabel } from "./next-step";
import { nextStepsForHeld } from "./fix-links.server";
import { resubmitOrders, retryNow } from "./actions.server";
import type { OrderState } from "./state.server";
import type { OrderSyncStatus } from "./sync-status";
import { canonicalShopifyId } from "../models/shopify-id";

/**
 * One order's Brilliant sync state as the order page block (admin UI
 * extension) shows it, found by the Shopify order id, and its Retry. Both take
 * the shop: an id of another shop's order is simply not found. The answer's
 * shape is shared with the extension (sync-status.ts).
 */
export { numericOrderId, type OrderSyncStatus } from "./sync-status";

const RETRY_NOW: readonly OrderState[] = ["retrying", "unknown", "waiting", "received", "ready"];

function retryKind(state: string): OrderSyncStatus["retry"] {
  if (state === "held" || state === "skipped") return "resubmit";
  if (RETRY_NOW.includes(state as OrderState)) return "retry";
  return null;
}

export async function getOrderSyncStatus(
  shop: string,
  shopifyOrderId: string,
): Promise<OrderSyncStatus | null> {
  // Canonical, as orders are keyed: "0123" finds order 123; 0 or a 400-digit id finds nothing.
  const id = canonicalShopifyId(shopifyOrderId.trim(), "Order");
  if (!id) return null;
  const order = await prisma.order.findUnique({
    where: { shop_shopifyOrderId: { shop, shopifyOrderId: id } },
  });
  if (!order) return null;
  const nextStep = (await nextStepsForHeld(shop, [order])).get(order.id) ?? null;
  return {
    orderId: order.id,
    shopifyOrderId: order.shopifyOrderId,
    name: order.name,
    state: order.state,
    stateLabel: stateLabel(order.state),
    reason: order.stateReason,
    code: order.lastCode,
    message: order.lastMessage,
    brilliantOrderId: order.brilliantOrderId,
    nextAttemptAt: order.nextAttemptAt?.toISOString() ?? null,
    retry: retryKind(order.state),
    nextStep,
    appPath: orderPath(order.id),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export type RetryOrderResult =
  | { ok: true; status: OrderSyncStatus }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "not_retryable"; why: string; status: OrderSyncStatus };

/** Retry from the order page: resubmit a held or skipped order, or bring the next try forward. */
export async function retryOrderSync(shop: string, shopifyOrderId: string): Promise<RetryOrderResult> {
  const before = await getOrderSyncStatus(shop, shopifyOrderId);
  if (!before) return { ok: false, reason: "not_found" };
  const summary =
    before.retry === "resubmit"
      ? await resubmitOrders(shop, [before.orderId])
      : before.retry === "retry"
        ? await retryNow(shop, [before.orderId])
        : null;
  const after = (await getOrderSyncStatus(shop, shopifyOrderId)) ?? before;
  if (!summary || summary.changed.length === 0) {
    const why =
      summary?.unchanged[0]?.why ??
      (before.state === "forwarded"
        ? "it is already at Brilliant"
        : `it is ${before.stateLabel.toLowerCase()}`);
    return { ok: false, reason: "not_retryable", why: `Nothing to retry: ${why}.`, status: after };
  }
  return { ok: true, status: after };
}
