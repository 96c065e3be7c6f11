import prisma from "../db.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { raiseAlert, resolveAlert } from "../models/alert.server";
import { parseShopifyOrder } from "./shopify-order";
import { lineChangesByLine, notForBrilliant, parseLineChanges, sentLineIds } from "./line-changes";
import {
  adminFailureSummary,
  UnexpectedShopifyAnswerError,
  type AdminGraphql,
} from "../integrations/shopify-admin.server";
import { numericShopifyId } from "../catalog/shopify-variants.server";
import { adminThrottling } from "./admin-reads.server";
import type { Tracking } from "./shipment-tracking";
import { createFulfillment, readFulfillmentOrders } from "./shopify-fulfillment.server";

/**
 * Fulfillment write-back: once Brilliant reports an order shipped (status
 * webhook or poll, brilliant-status.server.ts) and the shop turned it on, the
 * worker marks the Shopify order fulfilled, with Brilliant's tracking if any.
 *
 * Exactly once: the order is queued once, one worker at a time claims it,
 * every fulfillment created is recorded at once, and the fulfillment orders
 * are read again before creating anything, so nothing Shopify shows as
 * fulfilled is fulfilled twice. Failures are retried with backoff by the
 * status poll; repeated ones raise an alert.
 */

/**
 * Called when Brilliant's view of an order says shipped: queues the write-back
 * when the shop wants it and it was never queued. Returns whether it queued it.
 */
export async function queueFulfillmentWriteBack(
  shop: string,
  orderId: string,
  tracking: Tracking | null,
): Promise<boolean> {
  if (tracking) {
    await prisma.order.updateMany({
      where: { shop, id: orderId },
      data: { brilliantTracking: JSON.stringify(tracking) },
    });
  }
  const settings = await prisma.shopSettings.findUnique({
    where: { shop },
    select: { fulfillmentWriteBack: true },
  });
  if (!settings?.fulfillmentWriteBack) return false;
  const queued = await prisma.order.updateMany({
    where: { shop, id: orderId, state: "forwarded", fulfillmentSync: null },
    data: { fulfillmentSync: "pending", fulfillmentSyncNextAt: new Date(), fulfillmentSyncError: null },
  });
  return queued.count === 1;
}

/** Failures in a row before the merchant is alerted (a userError alerts at once). */
const ALERT_AFTER_FAILURES = 3;
/** How long a claimed write-back is left to the worker that claimed it. */
const CLAIM_MS = 5 * 60_000;
/** The worker waits out Shopify's throttle a while; a write-back still failing is tried again later. */
const WRITE_BACK_LIMITS = { maxThrottleRetries: 5, maxWaitMs: 30_000 };

export type WriteBackOutcome =
  | { kind: "written"; fulfillmentIds: string[] }
  | { kind: "not_needed"; why: string }
  | { kind: "failed"; why: string; retryAt: Date };

class WriteBackRefused extends Error {
  override name = "WriteBackRefused";
  constructor(
    message: string,
    /** Shopify said no (userErrors, on hold): worth telling the merchant at once. */
    readonly merchantShouldKnow: boolean,
  ) {
    super(message);
  }
}

export interface WriteBackOptions {
  limit?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

/**
 * Writes back the shop's queued fulfillments whose time has come. Does
 * nothing while the shop has write-back turned off (they stay queued).
 * Returns what happened to each order it claimed.
 */
export async function writeBackDueFulfillments(
  shop: string,
  graphql: AdminGraphql,
  options: WriteBackOptions = {},
): Promise<Map<string, WriteBackOutcome>> {
  const now = options.now?.() ?? new Date();
  const outcomes = new Map<string, WriteBackOutcome>();
  const settings = await prisma.shopSettings.findUnique({
    where: { shop },
    select: { fulfillmentWriteBack: true },
  });
  if (!settings?.fulfillmentWriteBack) return outcomes;
  const due = await prisma.order.findMany({
    where: { shop, fulfillmentSync: "pending", fulfillmentSyncNextAt: { lte: now } },
    orderBy: { fulfillmentSyncNextAt: "asc" },
    take: options.limit ?? 20,
    select: { id: true, fulfillmentSyncNextAt: true },
  });
  for (const candidate of due) {
    // Compare-and-set on the time it was due: only one worker claims it.
    const claimed = await prisma.order.updateMany({
      where: {
        id: candidate.id,
        shop,
        fulfillmentSync: "pending",
        fulfillmentSyncNextAt: candidate.fulfillmentSyncNextAt,
      },
      data: { fulfillmentSyncNextAt: new Date(now.getTime() + CLAIM_MS) },
    });
    if (claimed.count !== 1) continue;
    outcomes.set(candidate.id, await writeBackOne(shop, candidate.id, graphql, options, now));
  }
  return outcomes;
}

async function writeBackOne(
  shop: string,
  orderId: string,
  graphql: AdminGraphql,
  options: WriteBackOptions,
  now: Date,
): Promise<WriteBackOutcome> {
  const order = await prisma.order.findFirstOrThrow({ where: { shop, id: orderId } });
  const log = (options.logger ?? rootLogger).child({ shop, orderId });
  const throttling = adminThrottling(log, WRITE_BACK_LIMITS, { sleep: options.sleep });
  const written = order.shopifyFulfillmentIds ? order.shopifyFulfillmentIds.split(",") : [];
  try {
    const shipped = await linesBrilliantShips(order);

    const fulfillmentOrders = await readFulfillmentOrders(graphql, order.shopifyOrderId, throttling);
    if (!fulfillmentOrders) throw new WriteBackRefused("Shopify no longer has this order.", true);

    const ours = fulfillmentOrders
      .map((fo) => ({
        ...fo,
        lines: fo.lineItems.nodes.filter(
          (line) => line.remainingQuantity > 0 && shipped.has(numericShopifyId(line.lineItem.id)),
        ),
      }))
      .filter((fo) => fo.lines.length > 0);
    const onHold = ours.filter((fo) => fo.status === "ON_HOLD");
    if (onHold.length > 0) {
      throw new WriteBackRefused(
        "Shopify holds this order's fulfillment; it is marked fulfilled once the hold is released.",
        false,
      );
    }
    const open = ours.filter(
      (fo) =>
        (fo.status === "OPEN" || fo.status === "IN_PROGRESS") &&
        fo.supportedActions.some((action) => action.action === "CREATE_FULFILLMENT"),
    );
    if (open.length === 0) {
      // Fulfilled already (by the merchant, or by us before a crash), or closed: never a second fulfillment.
      const why =
        written.length > 0
          ? "Marked fulfilled in Shopify."
          : "Nothing left to fulfill in Shopify for this order.";
      await prisma.order.updateMany({
        where: { shop, id: orderId },
        data: {
          fulfillmentSync: written.length > 0 ? "written" : "not_needed",
          fulfillmentSyncError: null,
          fulfillmentSyncNextAt: null,
          fulfilledInShopifyAt: written.length > 0 ? (order.fulfilledInShopifyAt ?? now) : null,
        },
      });
      await resolveAlert(shop, alertKey(orderId));
      return written.length > 0 ? { kind: "written", fulfillmentIds: written } : { kind: "not_needed", why };
    }

    // One fulfillment per location, as fulfillmentCreate requires.
    const byLocation = new Map<string, typeof open>();
    for (const fo of open) {
      const location = fo.assignedLocation.location?.id ?? "unknown";
      byLocation.set(location, [...(byLocation.get(location) ?? []), fo]);
    }
    const tracking = order.brilliantTracking ? (JSON.parse(order.brilliantTracking) as Tracking) : null;
    for (const fos of byLocation.values()) {
      const result = await createFulfillment(graphql, fos, tracking, throttling);
      const fulfillment = result?.fulfillment;
      if (!result || !fulfillment) {
        const messages = result?.userErrors.map((error) => error.message).join("; ");
        throw new WriteBackRefused(
          `Shopify refused the fulfillment: ${messages || "no reason given"}.`,
          true,
        );
      }
      // Recorded at once: a crash before the next location still never creates this one again.
      written.push(numericShopifyId(fulfillment.id));
      await prisma.order.updateMany({
        where: { shop, id: orderId },
        data: { shopifyFulfillmentIds: written.join(",") },
      });
    }
    await prisma.order.updateMany({
      where: { shop, id: orderId },
      data: {
        fulfillmentSync: "written",
        fulfillmentSyncError: null,
        fulfillmentSyncNextAt: null,
        fulfilledInShopifyAt: now,
      },
    });
    await resolveAlert(shop, alertKey(orderId));
    log.info({ fulfillments: written.length }, "order marked fulfilled in Shopify");
    return { kind: "written", fulfillmentIds: written };
  } catch (error) {
    if (error instanceof Response) throw error;
    const why =
      error instanceof WriteBackRefused || error instanceof UnexpectedShopifyAnswerError
        ? error.message
        : adminFailureSummary(error);
    const failures = order.fulfillmentSyncAttempts + 1;
    const retryAt = new Date(now.getTime() + Math.min(6 * 3_600_000, 60_000 * 2 ** Math.min(failures, 8)));
    await prisma.order.updateMany({
      where: { shop, id: orderId },
      data: { fulfillmentSyncAttempts: failures, fulfillmentSyncError: why, fulfillmentSyncNextAt: retryAt },
    });
    const merchantShouldKnow = error instanceof WriteBackRefused ? error.merchantShouldKnow : false;
    if (merchantShouldKnow || failures >= ALERT_AFTER_FAILURES) {
      await raiseAlert({
        shop,
        kind: "fulfillment_write_back",
        key: alertKey(orderId),
        title: `Order ${order.name} shipped from Brilliant but is not marked fulfilled in Shopify`,
        detail: `${why} The app tries again; you can also mark it fulfilled in Shopify yourself.`,
        orderIds: [orderId],
      });
    }
    log.warn({ failures, why }, "fulfillment write-back failed; tried again later");
    return { kind: "failed", why, retryAt };
  }
}

/**
 * The Shopify lines Brilliant ships: those the request it accepted named
 * (`custom_data`, see line-changes.ts). A request from before it named them
 * carried every line Brilliant could ship except those the merchant left out.
 * Lines not shipped by Brilliant, or needing no shipping, are never among them.
 */
async function linesBrilliantShips(order: {
  id: string;
  shop: string;
  payload: string;
  lineChanges: string | null;
}): Promise<Set<string>> {
  const lastCreate = await prisma.forwardAttempt.findFirst({
    where: { shop: order.shop, orderId: order.id, kind: "create", requestBody: { not: null } },
    orderBy: { number: "desc" },
    select: { requestBody: true },
  });
  const named = sentLineIds(lastCreate?.requestBody ?? null);
  if (named) return named;
  const payload = parseShopifyOrder(JSON.parse(order.payload));
  const changes = parseLineChanges(order.lineChanges);
  if (!payload.success || !changes.success) {
    throw new WriteBackRefused("The order's stored data cannot be read.", true);
  }
  const byLine = lineChangesByLine(changes.data);
  return new Set(
    payload.data.line_items
      .filter((line) => notForBrilliant(line) === null && byLine.get(line.id)?.action !== "omit")
      .map((line) => line.id),
  );
}

function alertKey(orderId: string): string {
  return `fulfillment_write_back:${orderId}`;
}

/** The order page's line on it: null when there is nothing to say. */
export function fulfillmentSyncText(order: {
  fulfillmentSync: string | null;
  fulfillmentSyncError: string | null;
  shopifyFulfillmentIds: string | null;
}): string | null {
  switch (order.fulfillmentSync) {
    case "pending":
      return order.fulfillmentSyncError
        ? `Not yet: ${order.fulfillmentSyncError} Tried again automatically.`
        : "Being marked fulfilled in Shopify.";
    case "written":
      return `Marked fulfilled in Shopify (fulfillment ${order.shopifyFulfillmentIds ?? ""}).`;
    case "not_needed":
      return "Already fulfilled in Shopify; nothing written.";
    default:
      return null;
  }
}
