import { Prisma } from "@prisma/client";
import { z } from "zod/v4";

import prisma from "../db.server";
import { sqlFor } from "../db/sql.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { raiseAlert, resolveAlert } from "../models/alert.server";
import { resubmitOrders, retryNow } from "./actions.server";
import { transition, type Actor, type HoldKind, type OrderState } from "./state.server";
import {
  adminFailureSummary,
  throttledAdminQuery,
  type AdminGraphql,
} from "../integrations/shopify-admin.server";
import { numericShopifyId } from "../catalog/shopify-variants.server";
import { shopifyGid } from "../models/shopify-id";

/**
 * Shopify fulfillment holds (fraud checks, awaiting payment, a Flow rule, the
 * merchant's "Hold fulfillment"): while any fulfillment order of an order is
 * on hold, the order must not go to Brilliant, which would ship it.
 *
 * fulfillment_orders/placed_on_hold and hold_released name only the
 * fulfillment order, so each is recorded as a FulfillmentHold and its Shopify
 * order looked up through the Admin API; then the order follows:
 * - past the forwarder's gate (ready, retrying): held (hold kind
 *   `fulfillment_hold`), through `transition`, and back to ready once every
 *   hold on it is released;
 * - before the gate (received, waiting) or already held for another cause:
 *   left where it is; the forwarder checks `openFulfillmentHold` past the gate
 *   (delay, review, tags) and holds it there, so a release never skips them;
 * - already at Brilliant (or maybe, while a send is in flight or its outcome
 *   unknown): an alert telling the merchant to contact Brilliant, closed when
 *   the hold is released;
 * - not recorded yet: the forwarder checks `openFulfillmentHold` before it
 *   sends anything, so the order is held when it comes.
 * While a hold's lookup waits for the worker (Shopify did not answer in
 * time), the shop's orders placed before the hold are kept back too (hold
 * kind `fulfillment_hold_lookup`): any of them may be its order. Once the
 * lookup answers, its own order stays held and the others go.
 */

const HoldSchema = z.looseObject({ reason: z.string().nullish(), reason_notes: z.string().nullish() });

const HoldWebhookSchema = z.looseObject({
  fulfillment_order: z.looseObject({
    id: shopifyGid("FulfillmentOrder"),
    status: z.string().nullish(),
    fulfillment_holds: z.array(HoldSchema).nullish(),
  }),
  created_fulfillment_hold: HoldSchema.nullish(),
});

export type FulfillmentHoldWebhook = z.infer<typeof HoldWebhookSchema>;

export function parseFulfillmentHoldWebhook(payload: unknown) {
  return HoldWebhookSchema.safeParse(payload);
}

/** "awaiting_payment" / "AWAITING_PAYMENT" → "awaiting payment", with the merchant's notes. */
export function holdReasonText(webhook: FulfillmentHoldWebhook): string | null {
  const hold = webhook.created_fulfillment_hold ?? webhook.fulfillment_order.fulfillment_holds?.[0] ?? null;
  if (!hold?.reason) return null;
  const reason = hold.reason.toLowerCase().replace(/_/g, " ");
  return hold.reason_notes?.trim() ? `${reason}: ${hold.reason_notes.trim()}` : reason;
}

const FULFILLMENT_ORDER_ORDER_QUERY = `#graphql
  query FulfillmentOrderOrder($id: ID!) {
    fulfillmentOrder(id: $id) {
      id
      status
      order {
        id
        legacyResourceId
      }
    }
  }
`;

const FulfillmentOrderOrderSchema = z.object({
  fulfillmentOrder: z
    .object({ id: z.string(), status: z.string(), order: z.object({ legacyResourceId: z.string() }) })
    .nullable(),
});

export type HoldOutcome =
  /** An older webhook than one already applied: nothing changed. */
  | "stale"
  /** The order is not known yet: recorded, and looked up again by the worker. */
  | "order_lookup_pending"
  /** Shopify does not know the fulfillment order (or it is not ours to see). */
  | "unknown_fulfillment_order"
  | OrderHoldOutcome;

export type OrderHoldOutcome =
  | "order_not_recorded"
  | "held"
  | "already_held"
  /** Held for another cause, or not yet past the forwarder's gate: the forwarder holds it when it gets there. */
  | "held_when_due"
  | "released"
  | "alerted_after_forward"
  | "nothing_to_do";

export interface FulfillmentHoldEvent {
  shop: string;
  /** The fulfillment order, as Shopify's GID or its number. */
  fulfillmentOrderId: string;
  onHold: boolean;
  reason: string | null;
  /** When Shopify triggered the webhook (X-Shopify-Triggered-At), else when it arrived. */
  eventAt: Date;
  /** The admin client, to find the fulfillment order's order; null leaves that to the worker. */
  graphql: AdminGraphql | null;
  actor?: Actor;
  logger?: Logger;
}

/**
 * Records a fulfillment order placed on hold or released, and moves its
 * order accordingly. Webhooks can arrive more than once and out of order: a
 * webhook older than the one last applied to the fulfillment order changes
 * nothing, and applying the same one twice is harmless.
 */
export async function recordFulfillmentHold(event: FulfillmentHoldEvent): Promise<HoldOutcome> {
  const { shop } = event;
  const fulfillmentOrderId = numericShopifyId(event.fulfillmentOrderId);
  const log = (event.logger ?? rootLogger).child({ shop, fulfillmentOrderId });
  const row = await upsertHold(shop, fulfillmentOrderId, event);
  if (!row) return "stale";

  let shopifyOrderId = row.shopifyOrderId;
  if (!shopifyOrderId) {
    if (!event.graphql) {
      await prisma.fulfillmentHold.update({
        where: { id: row.id },
        data: { lookupError: "No Shopify session to look the order up with yet." },
      });
      return "order_lookup_pending";
    }
    const found = await lookUpOrder(shop, row.id, fulfillmentOrderId, event.graphql, log);
    if (found === "pending") return "order_lookup_pending";
    if (found === "unknown") return "unknown_fulfillment_order";
    shopifyOrderId = found;
  }
  return applyFulfillmentHolds(shop, shopifyOrderId, event.actor ?? "webhook");
}

async function upsertHold(shop: string, fulfillmentOrderId: string, event: FulfillmentHoldEvent) {
  for (let attempt = 0; ; attempt++) {
    const existing = await prisma.fulfillmentHold.findUnique({
      where: { shop_fulfillmentOrderId: { shop, fulfillmentOrderId } },
    });
    if (existing && existing.eventAt > event.eventAt) return null;
    try {
      if (!existing) {
        return await prisma.fulfillmentHold.create({
          data: {
            shop,
            fulfillmentOrderId,
            onHold: event.onHold,
            reason: event.reason,
            eventAt: event.eventAt,
          },
        });
      }
      const updated = await prisma.fulfillmentHold.updateMany({
        where: { id: existing.id, eventAt: { lte: event.eventAt } },
        data: { onHold: event.onHold, reason: event.reason ?? existing.reason, eventAt: event.eventAt },
      });
      if (updated.count === 1)
        return prisma.fulfillmentHold.findUniqueOrThrow({ where: { id: existing.id } });
      // A later webhook was applied meanwhile.
      return null;
    } catch (error) {
      // A concurrent delivery created the row first: read it and go again.
      const duplicate = error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
      if (!duplicate || attempt > 0) throw error;
    }
  }
}

/** The fulfillment order's Shopify order id; "pending" when Shopify could not say now, "unknown" when it has none. */
async function lookUpOrder(
  shop: string,
  holdId: string,
  fulfillmentOrderId: string,
  graphql: AdminGraphql,
  log: Logger,
): Promise<string | "pending" | "unknown"> {
  try {
    const answer = await throttledAdminQuery(
      graphql,
      FULFILLMENT_ORDER_ORDER_QUERY,
      { id: `gid://shopify/FulfillmentOrder/${fulfillmentOrderId}` },
      FulfillmentOrderOrderSchema,
      {
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        maxThrottleRetries: 3,
        maxWaitMs: 2_000,
        log,
      },
      2,
    );
    const found = answer.data.fulfillmentOrder;
    if (!found) {
      // Not this shop's, or not one the app may see: nothing to look up again.
      log.warn("Shopify has no such fulfillment order for this app");
      await prisma.fulfillmentHold.update({ where: { id: holdId }, data: { lookupError: null } });
      return "unknown";
    }
    const shopifyOrderId = numericShopifyId(found.order.legacyResourceId);
    await prisma.fulfillmentHold.update({
      where: { id: holdId },
      data: { shopifyOrderId, lookupError: null },
    });
    return shopifyOrderId;
  } catch (error) {
    const reason = adminFailureSummary(error);
    log.warn({ reason }, "could not look up the order of a fulfillment hold; the worker tries again");
    await prisma.fulfillmentHold.update({ where: { id: holdId }, data: { lookupError: reason } });
    return "pending";
  }
}

/**
 * The worker's second go at holds whose order could not be looked up when
 * their webhook came. Returns how many it applied.
 */
export async function resolvePendingFulfillmentHolds(
  shop: string,
  graphql: AdminGraphql,
  log: Logger = rootLogger,
): Promise<number> {
  const pending = await prisma.fulfillmentHold.findMany({
    where: { shop, shopifyOrderId: null, lookupError: { not: null } },
    orderBy: { eventAt: "asc" },
    take: 50,
  });
  let applied = 0;
  for (const hold of pending) {
    const found = await lookUpOrder(shop, hold.id, hold.fulfillmentOrderId, graphql, log.child({ shop }));
    if (found === "pending") break;
    if (found === "unknown") continue;
    await applyFulfillmentHolds(shop, found, "system");
    applied += 1;
  }
  // Orders kept back while a hold's order was unknown: released once no such hold may be theirs.
  for (const order of await keptBackForPendingHolds(shop)) {
    await applyFulfillmentHolds(shop, order.shopifyOrderId, "system");
  }
  return applied;
}

/** Orders kept back while a hold's order was being looked up (`fulfillment_hold_lookup`). */
function keptBackForPendingHolds(shop: string | null) {
  return prisma.order.findMany({
    where: { ...(shop ? { shop } : {}), state: "held", holdKind: "fulfillment_hold_lookup" },
    select: { shop: true, shopifyOrderId: true },
    take: 200,
  });
}

/**
 * Shops the worker has fulfillment-hold work for: holds whose order could not
 * be looked up when their webhook came, and orders kept back meanwhile.
 */
export async function shopsWithPendingFulfillmentHolds(): Promise<Set<string>> {
  const pending = await prisma.fulfillmentHold.findMany({
    where: { shopifyOrderId: null, lookupError: { not: null } },
    distinct: ["shop"],
    select: { shop: true },
  });
  const keptBack = await keptBackForPendingHolds(null);
  return new Set([...pending, ...keptBack].map((row) => row.shop));
}

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

const FULFILLMENT_HOLD_KINDS: readonly string[] = ["fulfillment_hold", "fulfillment_hold_lookup"];

/** Past the forwarder's gate and not yet sent: held now, ready again on release. */
const PAST_THE_GATE: readonly OrderState[] = ["ready", "retrying"];
/** The forwarder holds these itself once they pass its gate (or their own hold is resolved). */
const HELD_WHEN_DUE: readonly OrderState[] = ["received", "waiting", "held"];

function alertKey(orderId: string): string {
  return `fulfillment_hold_after_forward:${orderId}`;
}

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
      const reason = fulfillmentHoldReason(hold);
      const holdKind = fulfillmentHoldKind(hold);
      if (state === "held" && order.holdKind === holdKind) return "already_held";
      if (state === "held" && FULFILLMENT_HOLD_KINDS.includes(order.holdKind ?? "")) {
        // Kept back while a hold's order was being looked up, and now known to be its own (or the other way).
        const moved = await transition({
          shop,
          orderId: order.id,
          from: "held",
          to: "held",
          actor,
          holdKind,
          reason,
        });
        if (moved) return "already_held";
        continue;
      }
      if (HELD_WHEN_DUE.includes(state)) return "held_when_due";
      if (PAST_THE_GATE.includes(state)) {
        const moved = await transition({
          shop,
          orderId: order.id,
          from: state,
          to: "held",
          actor,
          holdKind,
          reason,
        });
        if (moved) return "held";
        continue; // The worker moved it meanwhile: look again.
      }
      if (state === "forwarded" || state === "sending" || state === "unknown") {
        const atBrilliant = state === "forwarded";
        await raiseAlert({
          shop,
          kind: "fulfillment_hold_after_forward",
          key: alertKey(order.id),
          title: `Order ${order.name} was put on hold in Shopify ${atBrilliant ? "after Brilliant took it" : "while it was being sent to Brilliant"}`,
          detail:
            `Brilliant's API cannot hold or cancel orders: contact Brilliant to stop ` +
            `${order.brilliantOrderId ? `order ${order.brilliantOrderId}` : "it"} if it must not ship` +
            `${hold.reason ? ` (Shopify's hold: ${hold.reason})` : ""}.` +
            (atBrilliant
              ? ""
              : " If Brilliant turns out not to have it, it is not sent until the hold is released."),
          orderIds: [order.id],
        });
        return "alerted_after_forward";
      }
      return "nothing_to_do";
    }

    // No fulfillment order of the order is on hold any more.
    await resolveAlert(shop, alertKey(order.id));
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
