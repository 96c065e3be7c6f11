import { logger as rootLogger } from "../logger.server";
import type { ForwardingSettings } from "../models/shop.server";
import { adminFailureSummary, withDeadline } from "../integrations/shopify-admin.server";
import { shopAdminGraphql } from "../integrations/shopify-shop-admin.server";
import { adminThrottling, WEBHOOK_LIMITS } from "./admin-reads.server";
import type { ClaimedOrder } from "./forwarder.server";
import { fetchOrderTagsAndCancellation } from "./shopify-order-read.server";
import { changeInPlace, transition, type OrderState } from "./state.server";

/**
 * The forwarding delay exists so that the merchant can hold or cancel an
 * order in Shopify first, and neither a tag nor a cancellation fires
 * orders/edited. So when the shop has a delay, the worker reads the order's
 * tags and cancellation from Shopify just before it leaves the delay:
 * - cancelled: it never goes;
 * - its tags changed: the stored body takes them, and the gate that follows
 *   applies the shop's hold and skip tags to them;
 * - Shopify unreadable (down, throttling past the wait, no session): it keeps
 *   waiting and is read again shortly, never sent on the tags it came with;
 * - Shopify has no such order (deleted): held for the merchant.
 */

/** The pass holds the order's lease while it reads. */
const READ_DEADLINE_MS = 5_000;
/** After an unreadable Shopify: read again this soon, later the longer it lasts. */
export const REREAD_RETRY_MS = 30_000;
const REREAD_RETRY_MAX_MS = 5 * 60_000;

export const REREAD_UNREADABLE_REASON =
  "Your forwarding delay is over, but Shopify could not be read to check the order's tags and cancellation. Nothing goes to Brilliant until it is; Brilliant Sync tries again shortly.";
export const CANCELLED_DURING_DELAY_REASON =
  "Cancelled in Shopify during your forwarding delay: Brilliant never got it.";
export const NOT_IN_SHOPIFY_REASON =
  "Shopify no longer shows this order (deleted?), so it did not go when your forwarding delay ended. Check it in Shopify, then resubmit or skip it.";

/**
 * Reads the claimed order again when it leaves the shop's delay (`received`
 * with its delay over, or `waiting`). True when the pass goes on; the
 * claimed order's body then carries Shopify's tags (changed in place, so the
 * gate reads them). False when the order was moved here, or moved by someone
 * else meanwhile.
 */
export async function rereadAfterDelay(
  order: ClaimedOrder,
  settings: ForwardingSettings | null,
  worker: { workerId: string; now: () => Date },
): Promise<boolean> {
  const state = order.state as OrderState;
  if (!settings || settings.forwardingDelaySeconds <= 0) return true;
  if (state !== "received" && state !== "waiting") return true;
  const now = worker.now();
  const due = new Date(order.createdAt.getTime() + settings.forwardingDelaySeconds * 1000);
  // Still inside the delay: the gate makes it wait first, and it is read when it comes back.
  if (state === "received" && due > now) return true;

  const log = rootLogger.child({ shop: order.shop, orderId: order.id });
  let read: Awaited<ReturnType<typeof fetchOrderTagsAndCancellation>>;
  try {
    const graphql = withDeadline(await shopAdminGraphql(order.shop), READ_DEADLINE_MS);
    read = await fetchOrderTagsAndCancellation(
      graphql,
      order.shopifyOrderId,
      adminThrottling(log, WEBHOOK_LIMITS),
    );
  } catch (error) {
    log.warn({ reason: adminFailureSummary(error) }, "could not read the order again after the delay");
    const waitMs = Math.min(REREAD_RETRY_MAX_MS, Math.max(REREAD_RETRY_MS, now.getTime() - due.getTime()));
    await waitToReadAgain(order, state, worker, new Date(now.getTime() + waitMs));
    return false;
  }

  const base = { shop: order.shop, orderId: order.id, from: state, actor: "worker" as const };
  const leased = { ...base, leaseOwner: worker.workerId };
  if (!read) {
    await transition({ ...leased, to: "held", holdKind: "hold_tag", reason: NOT_IN_SHOPIFY_REASON });
    return false;
  }
  if (read.cancelledAt) {
    await transition({
      ...leased,
      to: "cancelled",
      reason: CANCELLED_DURING_DELAY_REASON,
      data: { cancelledAt: new Date(read.cancelledAt) },
    });
    return false;
  }
  return takeTags(order, state, worker.workerId, read.tags);
}

/** Keeps the order waiting until `until`; the history says why once, not at every try. */
async function waitToReadAgain(
  order: ClaimedOrder,
  state: "received" | "waiting",
  worker: { workerId: string },
  until: Date,
): Promise<void> {
  if (state === "received") {
    await transition({
      shop: order.shop,
      orderId: order.id,
      from: state,
      to: "waiting",
      actor: "worker",
      leaseOwner: worker.workerId,
      reason: REREAD_UNREADABLE_REASON,
      nextAttemptAt: until,
    });
    return;
  }
  // `waiting` stays `waiting` (no move): only when it is next read, and why (in the history once).
  await changeInPlace({
    shop: order.shop,
    order: { id: order.id, state },
    where: { leaseOwner: worker.workerId },
    data: { stateReason: REREAD_UNREADABLE_REASON, nextAttemptAt: until },
    reason: order.stateReason === REREAD_UNREADABLE_REASON ? null : REREAD_UNREADABLE_REASON,
    actor: "worker",
  });
}

/** Shopify's tags into the stored body (keeping the lease), noted in the history; false when the order moved. */
async function takeTags(order: ClaimedOrder, state: OrderState, workerId: string, tags: string[]) {
  const body = JSON.parse(order.payload) as Record<string, unknown>;
  const stored = typeof body.tags === "string" ? body.tags : "";
  if (sameTags(stored, tags)) return true;
  const payload = JSON.stringify({ ...body, tags: tags.join(", ") });
  const taken = await changeInPlace({
    shop: order.shop,
    order: { id: order.id, state },
    where: { leaseOwner: workerId },
    data: { payload },
    reason: `Tags read again from Shopify before sending: ${tags.length > 0 ? tags.join(", ") : "none"}.`,
    actor: "worker",
    keepLease: true,
  });
  if (taken) order.payload = payload;
  return taken;
}

function sameTags(stored: string, tags: readonly string[]): boolean {
  const normalized = (list: readonly string[]) =>
    [...new Set(list.map((tag) => tag.trim().toLowerCase()).filter(Boolean))].sort().join(",");
  return normalized(stored.split(",")) === normalized(tags);
}
