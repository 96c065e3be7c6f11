import prisma from "../db.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { recordPaidOrder } from "./ingest.server";
import type { GraphqlOrder } from "./shopify-order-from-graphql";
import { type AdminGraphql, type AdminThrottling } from "../integrations/shopify-admin.server";
import { MAX_RECONCILE_DAYS } from "./reconciliation";
import { adminThrottling, SYNC_LIMITS } from "./admin-reads.server";
import { beginSyncRun, failAdminSyncRun, type AlreadyRunning } from "./admin-sync-run.server";
import type { IngestSource } from "./ingest.server";
import { orderWithAllLines, readOrderPages } from "./shopify-order-read.server";

/**
 * The reconciliation sweep: a webhook Shopify lost (the app down longer than
 * it retries, a subscription dropped) would mean a paid order never reaches
 * Brilliant. The sweep lists the shop's paid orders of the last N days and
 * records any the app never saw through the same `recordPaidOrder` as the
 * orders/paid webhook, so the unique (shop, order id) lets each order in once,
 * whichever comes first. When the shop sends orders with payment terms
 * unpaid, it also lists the pending ones and records those placed with terms,
 * as their orders/create webhook would have. Each sweep is a SyncRun
 * ("reconciliation").
 */

export const RECONCILIATION_SYNC = "reconciliation";
export { MAX_RECONCILE_DAYS };

export interface ReconcileOptions {
  /** Days back from now; the shop's setting (7 by default) when left out. */
  days?: number;
  /** Orders per query, 50 by default. */
  pageSize?: number;
  maxThrottleRetries?: number;
  maxWaitMs?: number;
  /** Tests pass a recording clock. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  logger?: Logger;
}

export type ReconcileResult =
  | {
      ok: true;
      runId: string;
      /** Orders Shopify listed for the window: paid, and unpaid with payment terms when the shop sends those. */
      seen: number;
      /** Orders the app had never recorded, recorded now. */
      ingested: number;
      /** Cancelled in Shopify and not known to the app: nothing to send. */
      cancelled: number;
      /** Orders that could not be read into the app's shape. */
      failed: number;
      summary: string;
    }
  | AlreadyRunning
  | { ok: false; runId: string; reason: "failed"; summary: string };

const count = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/**
 * Lists the shop's paid orders of the last `days` days and records those the
 * app never saw. Returns `{ ok: false }` when another sweep of the shop is
 * running or Shopify could not be read; only a Response thrown by the admin
 * client (authenticate.admin asking to re-authenticate) is thrown on.
 */
export async function reconcileShop(
  shop: string,
  graphql: AdminGraphql,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const now = options.now?.() ?? new Date();
  const settings = await prisma.shopSettings.findUnique({
    where: { shop },
    select: { reconcileDays: true, forwardPaymentTerms: true },
  });
  const days = Math.max(1, Math.min(MAX_RECONCILE_DAYS, options.days ?? settings?.reconcileDays ?? 7));
  const since = new Date(now.getTime() - days * 24 * 60 * 60_000);
  const begun = await beginSyncRun(
    shop,
    RECONCILIATION_SYNC,
    "A reconciliation of this shop is already under way.",
    now,
  );
  if (!begun.ok) return begun;
  const { run } = begun;
  const log = (options.logger ?? rootLogger).child({ shop, syncRunId: run.id, sync: RECONCILIATION_SYNC });
  const throttling = adminThrottling(log, SYNC_LIMITS, options);

  let seen = 0;
  let seenWithTerms = 0;
  let ingested = 0;
  let cancelled = 0;
  const unreadable: string[] = [];
  /** Records the orders of a page the app never saw, found as `source`. */
  const recordUnseen = async (orders: GraphqlOrder[], unread: string[], source: IngestSource) => {
    unreadable.push(...unread);
    seen += orders.length + unread.length;
    const known = new Set(
      (
        await prisma.order.findMany({
          where: { shop, shopifyOrderId: { in: orders.map((order) => order.legacyResourceId) } },
          select: { shopifyOrderId: true },
        })
      ).map((order) => order.shopifyOrderId),
    );
    for (const order of orders) {
      if (known.has(order.legacyResourceId)) continue;
      // A cancelled order the app never saw has nothing for Brilliant.
      if (order.cancelledAt) {
        cancelled += 1;
        continue;
      }
      const recorded = await recordMissedOrder(shop, graphql, order, source, throttling, log);
      if (recorded === true) ingested += 1;
      else if (recorded === false) unreadable.push(order.name);
    }
    await prisma.syncRun.update({
      where: { id: run.id },
      data: { processed: seen, ingested, failed: unreadable.length },
    });
  };
  try {
    await readOrderPages(graphql, throttling, {
      financialStatus: "paid",
      since,
      pageSize: options.pageSize,
      onPage: (orders, unread) => recordUnseen(orders, unread, "reconciliation"),
    });
    // Pending orders without payment terms wait for their payment (orders/paid).
    if (settings?.forwardPaymentTerms) {
      await readOrderPages(graphql, throttling, {
        financialStatus: "pending",
        since,
        pageSize: options.pageSize,
        onPage: (orders, unread) => {
          const withTerms = orders.filter((order) => order.paymentTerms);
          seenWithTerms += withTerms.length + unread.length;
          return recordUnseen(withTerms, unread, "reconciliation_payment_terms");
        },
      });
    }

    const summary = [
      settings?.forwardPaymentTerms
        ? `Read ${count(seen - seenWithTerms, "paid order")} and ${count(seenWithTerms, "unpaid order")} with payment terms of the last ${count(days, "day")}:`
        : `Read ${count(seen, "paid order")} of the last ${count(days, "day")}:`,
      ingested === 0
        ? "none was missing."
        : `${count(ingested, "order")} the app had not received ${ingested === 1 ? "was" : "were"} recorded and will be forwarded.`,
      cancelled > 0 ? `${count(cancelled, "unseen order")} cancelled in Shopify left out.` : "",
      unreadable.length > 0
        ? `${count(unreadable.length, "order")} could not be read (${unreadable.slice(0, 5).join(", ")}${unreadable.length > 5 ? ", …" : ""}); open them in Shopify.`
        : "",
    ]
      .filter(Boolean)
      .join(" ");
    await prisma.syncRun.update({
      where: { id: run.id },
      data: {
        status: "succeeded",
        finishedAt: new Date(),
        processed: seen,
        total: seen,
        ingested,
        failed: unreadable.length,
        summary,
      },
    });
    log.info({ seen, ingested, cancelled, failed: unreadable.length }, "reconciliation finished");
    return { ok: true, runId: run.id, seen, ingested, cancelled, failed: unreadable.length, summary };
  } catch (error) {
    return failAdminSyncRun(run.id, error, log, {
      note: ingested > 0 ? `${count(ingested, "missing order")} recorded before it stopped.` : undefined,
      counts: { processed: seen, ingested, failed: unreadable.length },
    });
  }
}

/**
 * Records an order the app never saw, as its orders/paid (or, placed with
 * payment terms, its orders/create) webhook would have.
 * Returns false when it cannot be read into the webhook's shape. When its
 * webhook wins the race meanwhile, the order is still in exactly once and
 * this sweep does not count it.
 */
async function recordMissedOrder(
  shop: string,
  graphql: AdminGraphql,
  order: GraphqlOrder,
  source: IngestSource,
  throttling: AdminThrottling,
  log: Logger,
): Promise<boolean | "duplicate"> {
  const read = await orderWithAllLines(graphql, order, throttling);
  if (!read) return false;
  const recorded = await recordPaidOrder({
    shop,
    order: read.order,
    payload: read.payload,
    webhookId: null,
    source,
  });
  if (recorded.kind === "duplicate") return "duplicate";
  log.info({ orderId: recorded.orderId }, "reconciliation recorded an order the app had not seen");
  return true;
}
