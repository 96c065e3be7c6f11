import prisma from "../db.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import {
  resolvePendingFulfillmentHolds,
  shopsWithPendingFulfillmentHolds,
} from "../models/fulfillment-hold.server";
import { writeBackDueFulfillments } from "../models/fulfillment-write-back.server";
import { resolvePendingOrderEdits } from "../models/order-edit.server";
import { isReconciliationDue, reconcileShop } from "../models/reconciliation.server";
import { shopAdminGraphql } from "../services/shop-admin.server";

/**
 * The worker's Shopify chores beside forwarding, each reaching Shopify as the
 * app with the shop's offline session (`unauthenticated.admin`):
 * - the reconciliation sweep of each shop every `intervalMs`, and at once when
 *   the merchant asked for one ("Reconcile now"), with the fulfillment holds
 *   whose order could not be looked up when their webhook came and the order
 *   edits that could not be read (orders held for `order_edit`);
 * - marking shipped orders fulfilled in Shopify (run with the status poll).
 * Several workers may run them at once: a sweep already running is not
 * started twice, and each write-back is claimed by one worker.
 */
export async function reconcileDueShops(intervalMs: number, log: Logger = rootLogger): Promise<number> {
  const shops = await prisma.shopSettings.findMany({
    where: { uninstalledAt: null },
    select: { shop: true },
  });
  // Holds whose order could not be looked up when their webhook came are tried every round.
  const pendingHolds = await shopsWithPendingFulfillmentHolds();
  // So are edited orders held until their edit is read.
  const pendingEdits = new Set(
    (
      await prisma.order.findMany({
        where: { state: "held", holdKind: "order_edit" },
        distinct: ["shop"],
        select: { shop: true },
      })
    ).map((order) => order.shop),
  );
  let swept = 0;
  for (const { shop } of shops) {
    const due = await isReconciliationDue(shop, intervalMs);
    if (!due && !pendingHolds.has(shop) && !pendingEdits.has(shop)) continue;
    try {
      const graphql = await shopAdminGraphql(shop);
      if (pendingHolds.has(shop)) await resolvePendingFulfillmentHolds(shop, graphql, log);
      if (pendingEdits.has(shop)) await resolvePendingOrderEdits(shop, graphql, log);
      if (!due) continue;
      const result = await reconcileShop(shop, graphql, { logger: log });
      log.info({ shop, ok: result.ok, summary: result.summary }, "reconciliation ran");
      swept += 1;
    } catch (error) {
      // No offline session (uninstalled meanwhile) or Shopify unreachable: try next round.
      log.warn({ shop, err: error }, "reconciliation could not run");
    }
  }
  return swept;
}

/** Marks orders Brilliant shipped as fulfilled in Shopify, for shops that turned it on. */
export async function writeBackShippedOrders(log: Logger = rootLogger): Promise<number> {
  const shops = await prisma.order.findMany({
    where: { fulfillmentSync: "pending", fulfillmentSyncNextAt: { lte: new Date() } },
    distinct: ["shop"],
    select: { shop: true },
    take: 100,
  });
  let written = 0;
  for (const { shop } of shops) {
    try {
      const outcomes = await writeBackDueFulfillments(shop, await shopAdminGraphql(shop), { logger: log });
      written += [...outcomes.values()].filter((outcome) => outcome.kind === "written").length;
    } catch (error) {
      log.warn({ shop, err: error }, "fulfillment write-back could not run");
    }
  }
  return written;
}
