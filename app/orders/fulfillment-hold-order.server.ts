import prisma from "../db.server";
import { sqlFor } from "../db/sql.server";
import { resolveAlert } from "../models/alert.server";
import { resubmitOrders, retryNow } from "./actions.server";
import { transition, type Actor, type HoldKind, type OrderState } from "./state.server";
import { afterForwardAlertKey, alertChangedAfterForward } from "./shopify-order-change.server";

/**
 * What Shopify's fulfillment holds do to an order: past the forwarder's gate
 * it is held, and ready again once every hold on it is released; before the
 * gate, or held for another cause, the forwarder holds it when it gets there
 * (`openFulfillmentHold`), so a release never skips the gate; at Brilliant, or
 * maybe, the merchant is alerted. While a hold's order is being looked up, the
 * shop's orders placed before it are kept back (`fulfillment_hold_lookup`), as
 * any of them may be its order.
 */

export type OrderHoldOutcome =
  | "order_not_recorded"
  | "held"
  | "already_held"
  /** Held for another cause, or not yet past the forwarder's gate: the forwarder holds it when it gets there. */
  | "held_when_due"
  | "released"
  | "alerted_after_forward"
  | "nothing_to_do";

/**
 * An open hold that may be on the order: one of its own fulfillment orders on
 * hold (`pendingLookup` false, Shopify's reason), or, while Shopify has not
 * yet said whose a new hold of the shop is (its lookup failed and waits for
 * the worker), that hold when it came after the order was created, since it
 * may be this order's (`pendingLookup` true). Null when neither.
 */
export async function openFulfillmentHold(
  shop: string,
  shopifyOrderId: string,
  shopifyCreatedAt: Date | null,
): Promise<{ reason: string | null; pendingLookup: boolean } | null> {
  // Read for every order the worker sends: direct SQL (see app/db/sql.server.ts).
  // Its own hold first; an order of unknown age may be any pending hold's.
  const [hold] = await sqlFor().all<{ reason: string | null; shopifyOrderId: string | null }>(
    `SELECT "reason", "shopifyOrderId" FROM "FulfillmentHold"
     WHERE "shop" = ? AND "onHold" = ? AND ("shopifyOrderId" = ?
       OR ("shopifyOrderId" IS NULL AND "lookupError" IS NOT NULL${shopifyCreatedAt ? ` AND "eventAt" >= ?` : ""}))
     ORDER BY "shopifyOrderId" IS NULL LIMIT 1`,
    shopifyCreatedAt ? [shop, true, shopifyOrderId, shopifyCreatedAt] : [shop, true, shopifyOrderId],
  );
  return hold ? { reason: hold.reason, pendingLookup: hold.shopifyOrderId === null } : null;
}

/** Why a held-by-Shopify order waits, in the merchant's words. */
export function fulfillmentHoldReason(hold: { reason: string | null; pendingLookup: boolean }): string {
  if (hold.pendingLookup) {
    return (
      "Shopify put a fulfillment order of this shop on hold after this order was placed, and has not yet " +
      "said which order it belongs to (the app asks again every 30 s). This order waits until it knows; " +
      "it goes to Brilliant then unless the hold is its own."
    );
  }
  return (
    `Shopify holds this order's fulfillment${hold.reason ? ` (${hold.reason})` : ""}. ` +
    "It goes to Brilliant once the hold is released in Shopify."
  );
}

/** Held for a hold of its own, or kept back while a new hold's order is being looked up. */
export function fulfillmentHoldKind(hold: { pendingLookup: boolean }): HoldKind {
  return hold.pendingLookup ? "fulfillment_hold_lookup" : "fulfillment_hold";
}

/** Orders kept back while a hold's order was being looked up (`fulfillment_hold_lookup`). */
export function keptBackForPendingHolds(shop: string | null) {
  return prisma.order.findMany({
    where: { ...(shop ? { shop } : {}), state: "held", holdKind: "fulfillment_hold_lookup" },
    select: { shop: true, shopifyOrderId: true },
    take: 200,
  });
}

const FULFILLMENT_HOLD_KINDS: readonly string[] = ["fulfillment_hold", "fulfillment_hold_lookup"];

/** Past the forwarder's gate and not yet sent: held now, ready again on release. */
const PAST_THE_GATE: readonly OrderState[] = ["ready", "retrying"];
/** The forwarder holds these itself once they pass its gate (or their own hold is resolved). */
const HELD_WHEN_DUE: readonly OrderState[] = ["received", "waiting", "held"];

const ALERT_KIND = "fulfillment_hold_after_forward";

/**
 * Brings one order in line with its fulfillment orders' holds: held while any
 * is on hold, released when none is. Every state change goes through
 * `transition`; a move lost to the worker is looked at again.
 */
export async function applyFulfillmentHolds(
  shop: string,
  shopifyOrderId: string,
  actor: Actor,
): Promise<OrderHoldOutcome> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const order = await prisma.order.findUnique({
      where: { shop_shopifyOrderId: { shop, shopifyOrderId } },
      select: {
        id: true,
        name: true,
        state: true,
        holdKind: true,
        brilliantOrderId: true,
        shopifyCreatedAt: true,
      },
    });
    if (!order) return "order_not_recorded";
    const state = order.state as OrderState;
    const found = await openFulfillmentHold(shop, shopifyOrderId, order.shopifyCreatedAt);
    // A hold whose order is not known yet only keeps back an order not yet sent.
    const hold =
      found?.pendingLookup && !HELD_WHEN_DUE.includes(state) && !PAST_THE_GATE.includes(state) ? null : found;

    if (hold) {
      const holdKind = fulfillmentHoldKind(hold);
      const holdOrder = () =>
        transition({
          shop,
          orderId: order.id,
          from: state,
          to: "held",
          actor,
          holdKind,
          reason: fulfillmentHoldReason(hold),
        });
      if (state === "held" && order.holdKind === holdKind) return "already_held";
      if (state === "held" && FULFILLMENT_HOLD_KINDS.includes(order.holdKind ?? "")) {
        // Kept back while a hold's order was being looked up, and now known to be its own (or the other way).
        if (await holdOrder()) return "already_held";
        continue;
      }
      if (HELD_WHEN_DUE.includes(state)) return "held_when_due";
      if (PAST_THE_GATE.includes(state)) {
        if (await holdOrder()) return "held";
        continue; // The worker moved it meanwhile: look again.
      }
      if (state === "forwarded" || state === "sending" || state === "unknown") {
        await alertChangedAfterForward(
          shop,
          ALERT_KIND,
          order,
          "was put on hold in Shopify",
          (brilliantOrder) =>
            `Brilliant's API cannot hold or cancel orders: contact Brilliant to stop ${brilliantOrder} ` +
            `if it must not ship${hold.reason ? ` (Shopify's hold: ${hold.reason})` : ""}.`,
          "it is not sent until the hold is released.",
        );
        return "alerted_after_forward";
      }
      return "nothing_to_do";
    }

    // No fulfillment order of the order is on hold any more.
    await resolveAlert(shop, afterForwardAlertKey(ALERT_KIND, order.id));
    if (state === "held" && FULFILLMENT_HOLD_KINDS.includes(order.holdKind ?? "")) {
      const summary = await resubmitOrders(shop, [order.id], {
        actor,
        reason: "Shopify released the fulfillment hold; checked again before it goes to Brilliant.",
      });
      if (summary.changed.length === 1) return "released";
      continue;
    }
    if (state === "unknown") {
      // It may have been kept back for the hold after a lookup found it absent.
      await retryNow(shop, [order.id]);
      return "released";
    }
    return "nothing_to_do";
  }
  return "nothing_to_do";
}
