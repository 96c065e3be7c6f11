import { Prisma } from "@prisma/client";
import { z } from "zod/v4";

import prisma from "../db.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { type Actor } from "./state.server";
import {
  adminFailureSummary,
  throttledAdminQuery,
  type AdminGraphql,
} from "../integrations/shopify-admin.server";
import { numericShopifyId } from "../catalog/shopify-variants.server";
import { shopifyGid } from "../models/shopify-id";
import { adminThrottling, WEBHOOK_LIMITS } from "./admin-reads.server";
import {
  applyFulfillmentHolds,
  keptBackForPendingHolds,
  type OrderHoldOutcome,
} from "./fulfillment-hold-order.server";
import { PENDING_BATCH, retryPendingChanges } from "./shopify-order-change.server";

/**
 * Shopify fulfillment holds (fraud checks, awaiting payment, a Flow rule, the
 * merchant's "Hold fulfillment"): while any fulfillment order of an order is
 * on hold, the order must not go to Brilliant, which would ship it.
 *
 * The hold webhooks name only the fulfillment order, so each is recorded as a
 * FulfillmentHold and its Shopify order looked up through the Admin API (again
 * by the worker when Shopify does not answer in time); what a hold does to its
 * order is in fulfillment-hold-order.server.ts.
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
      adminThrottling(log, WEBHOOK_LIMITS),
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
    take: PENDING_BATCH,
  });
  const applied = await retryPendingChanges(pending, async (hold) => {
    const found = await lookUpOrder(shop, hold.id, hold.fulfillmentOrderId, graphql, log.child({ shop }));
    if (found === "pending") return "still_pending";
    if (found === "unknown") return "skipped";
    await applyFulfillmentHolds(shop, found, "system");
    return "settled";
  });
  // Orders kept back while a hold's order was unknown: released once no such hold may be theirs.
  for (const order of await keptBackForPendingHolds(shop)) {
    await applyFulfillmentHolds(shop, order.shopifyOrderId, "system");
  }
  return applied;
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
