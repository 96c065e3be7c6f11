// The worker's chores beside forwarding, each run by the loop
// (app/worker/run.server.ts) at most once at a time, on its own interval.
// Several workers may run them at once: each chore is idempotent or claims
// its work.
import prisma from "../db.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { lastCatalogSync, syncBrilliantCatalog } from "../catalog/brilliant-catalog.server";
import { lastSync as lastShopifySync, syncShopifyVariants } from "../catalog/shopify-variant-sync.server";
import { stockSyncLocation, syncStockToShopify } from "../catalog/stock-to-shopify.server";
import type { BrilliantClient } from "../integrations/brilliant/client.server";
import { shopAdminGraphql } from "../integrations/shopify-shop-admin.server";
import { getBrilliantCredentials } from "../models/shop.server";
import { pollForwardedOrders } from "../orders/brilliant-status.server";
import { runDueBulkJobs } from "../orders/bulk-jobs.server";
import {
  resolvePendingFulfillmentHolds,
  shopsWithPendingFulfillmentHolds,
} from "../orders/fulfillment-hold.server";
import { writeBackDueFulfillments } from "../orders/fulfillment-write-back.server";
import type { Forwarder } from "../orders/forwarder.server";
import { resolvePendingOrderEdits } from "../orders/order-edit.server";
import { reconcileShop } from "../orders/reconciliation.server";
import { isReconciliationDue } from "../orders/reconciliation-requests.server";
import { removeExpiredPersonalData } from "../ops/retention.server";

/** Shops that have the app installed; with `withBrilliant`, only those with Brilliant credentials saved. */
function installedShops({ withBrilliant }: { withBrilliant: boolean }) {
  return prisma.shopSettings.findMany({
    where: withBrilliant
      ? { uninstalledAt: null, brilliantApiKeyEnc: { not: null }, brilliantApiSecretEnc: { not: null } }
      : { uninstalledAt: null },
    select: { shop: true },
  });
}

/** Whether a run that started at `last` started less than `intervalMs` ago. */
function ranWithin(last: { startedAt: Date } | null | undefined, intervalMs: number): boolean {
  return Boolean(last && last.startedAt.getTime() > Date.now() - intervalMs);
}

// ---------------------------------------------------------------- Brilliant

/**
 * Each installed shop with Brilliant credentials saved, and a Brilliant client
 * for them. A shop `passOver` names (asked before its credentials are read),
 * or whose credentials cannot be read, is passed over.
 */
async function* shopsWithBrilliant(
  forwarder: Forwarder,
  passOver: (shop: string) => Promise<boolean> = async () => false,
): AsyncGenerator<{ shop: string; client: BrilliantClient }> {
  for (const { shop } of await installedShops({ withBrilliant: true })) {
    if (await passOver(shop)) continue;
    const credentials = await getBrilliantCredentials(shop).catch(() => null);
    if (!credentials) continue;
    yield { shop, client: forwarder.clientFor(credentials) };
  }
}

/**
 * Keeps each installed shop's copy of Brilliant's catalog fresh, so pre-flight
 * can hold what would fail and held orders go out once stock or activity
 * returns, and then, for shops that chose a location, sets Shopify's stock
 * from it (the fresher the count, the closer Shopify's). Several workers may
 * run this at once; a sync is idempotent, and a run started by any worker
 * counts for all.
 */
export async function syncDueCatalogs(
  forwarder: Forwarder,
  intervalMs: number,
  log: Logger = rootLogger,
): Promise<number> {
  const syncedRecently = async (shop: string) => ranWithin(await lastCatalogSync(shop), intervalMs);
  let synced = 0;
  for await (const { shop, client } of shopsWithBrilliant(forwarder, syncedRecently)) {
    const result = await syncBrilliantCatalog(shop, client);
    log.info(
      {
        shop,
        ok: result.ok,
        ...(result.ok ? { variants: result.variants, released: result.released } : { reason: result.reason }),
      },
      "catalog synced",
    );
    if (result.ok) await syncStockAfterCatalog(shop, log);
    synced += 1;
  }
  return synced;
}

/** Stock back to Shopify for a shop with a location chosen; Shopify failing is the run's to say, not the chore's. */
async function syncStockAfterCatalog(shop: string, log: Logger): Promise<void> {
  if (!(await stockSyncLocation(shop))) return;
  try {
    const result = await syncStockToShopify(shop, await shopAdminGraphql(shop), { logger: log });
    log.info({ shop, ok: result.ok, summary: result.summary }, "stock set in Shopify");
  } catch (error) {
    // No offline session (uninstalled meanwhile) or a database error: tried again after the next catalog sync.
    log.warn({ shop, err: error }, "stock sync could not run");
  }
}

/**
 * The fallback for Brilliant's status webhook: reads forwarded, unshipped
 * orders not checked for `intervalMs`, a bounded number per shop per round.
 */
export async function pollDueStatuses(
  forwarder: Forwarder,
  intervalMs: number,
  log: Logger = rootLogger,
): Promise<number> {
  let read = 0;
  for await (const { shop, client } of shopsWithBrilliant(forwarder)) {
    const count = await pollForwardedOrders(shop, client, {
      olderThanMs: intervalMs,
      limit: 50,
    });
    if (count > 0) log.info({ shop, read: count }, "Brilliant statuses polled");
    read += count;
  }
  // Shipped orders are marked fulfilled in Shopify here, failed write-backs retried.
  await writeBackShippedOrders(log);
  return read;
}

/**
 * A full read of each installed shop's Shopify variants now and then; the
 * products webhooks keep them fresh in between. Reaches Shopify as the app,
 * with the shop's offline session.
 */
export async function syncDueShopifyVariants(intervalMs: number, log: Logger = rootLogger): Promise<number> {
  const shops = await installedShops({ withBrilliant: false });
  let synced = 0;
  for (const { shop } of shops) {
    if (ranWithin(await lastShopifySync(shop), intervalMs)) continue;
    try {
      const result = await syncShopifyVariants(shop, await shopAdminGraphql(shop));
      log.info({ shop, ok: result.ok, summary: result.summary }, "Shopify variants synced");
      synced += 1;
    } catch (error) {
      // No offline session (uninstalled meanwhile) or Shopify unreachable: the run says why; try next round.
      log.warn({ shop, err: error }, "Shopify variant sync could not run");
    }
  }
  return synced;
}

// ---------------------------------------------------------------- Shopify

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
  const shops = await installedShops({ withBrilliant: false });
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

// ---------------------------------------------------------------- bulk actions

/**
 * The merchant's bulk actions over a whole filter of the orders list: one job
 * a round, a few seconds of its batches, under a lease, so several workers
 * run different jobs and a stopped worker's job goes on from its cursor.
 */
export async function advanceBulkJobs(workerId: string, log: Logger = rootLogger): Promise<number> {
  const round = await runDueBulkJobs(workerId, { log });
  if (round) log.info(round, "bulk job advanced");
  return round?.handled ?? 0;
}

// ---------------------------------------------------------------- tokens

/** Refresh tokens live 90 days from their last use; shops quiet that long are renewed a week before. */
const REFRESH_TOKEN_RENEW_BEFORE_MS = 7 * 24 * 60 * 60_000;
const SESSIONS_PER_ROUND = 500;

/**
 * The worker's token chore (decision 011):
 * - shops still on a non-expiring offline token are moved to an expiring pair
 *   (token exchange, as shopify.dev documents for shops that don't open the
 *   app), since Shopify refuses non-expiring tokens of public apps from
 *   2027-01-01;
 * - refresh tokens close to their 90 days are spent for new ones, so a shop
 *   that is quiet for months keeps working.
 * Renewals go through the session storage, so a web process or another worker
 * renewing the same shop at the same moment waits for this one's result.
 * Shops whose renewal Shopify refused wait for the merchant (a reconnect alert).
 */
export async function renewDueOfflineTokens(log: Logger = rootLogger): Promise<number> {
  const { sessionStorage } = await import("../shopify.server");
  const renewBefore = Date.now() + REFRESH_TOKEN_RENEW_BEFORE_MS;
  const due = await prisma.session.findMany({
    where: {
      isOnline: false,
      renewalRefusedAt: null,
      OR: [{ expires: null }, { refreshTokenExpires: { lt: new Date(renewBefore) } }],
    },
    select: { id: true, shop: true, expires: true },
    take: SESSIONS_PER_ROUND,
  });
  let renewed = 0;
  for (const session of due) {
    const kind = session.expires ? "refresh" : "migrate";
    try {
      const after = await sessionStorage.renewOfflineToken(session.id, kind, (current) =>
        kind === "migrate"
          ? !current.expires
          : (current.refreshTokenExpires?.getTime() ?? Infinity) < renewBefore,
      );
      if (after?.expires) renewed += 1;
      log.info({ shop: session.shop, kind, renewed: Boolean(after?.expires) }, "offline token renewal");
    } catch (error) {
      // Shopify unreachable: tried again next round.
      log.warn({ shop: session.shop, kind, err: error }, "offline token renewal could not run");
    }
  }
  return renewed;
}

// ---------------------------------------------------------------- retention

/** How often a worker runs retention: it is idempotent, so each worker running it daily is fine. */
export const RETENTION_INTERVAL_MS = 24 * 60 * 60_000;

/**
 * Retention as a chore: settled orders older than `retentionDays` lose their
 * customer's personal data (app/ops/retention.server.ts), once when the
 * worker starts and then every RETENTION_INTERVAL_MS. It stops between
 * batches once `signal` aborts (the worker stopping).
 */
export function retentionChore(
  retentionDays: number,
  signal: AbortSignal,
  log: Logger = rootLogger,
): () => Promise<number> {
  let lastRun = Number.NEGATIVE_INFINITY;
  return async () => {
    if (Date.now() - lastRun < RETENTION_INTERVAL_MS) return 0;
    lastRun = Date.now();
    const run = await removeExpiredPersonalData({ retentionDays, signal, log });
    if (run.removed + run.statusCalls + run.passedOver > 0) log.info(run, "retention: personal data removed");
    return run.removed;
  };
}
