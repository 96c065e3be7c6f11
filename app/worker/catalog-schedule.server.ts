import prisma from "../db.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { lastCatalogSync, syncBrilliantCatalog } from "../models/brilliant-catalog.server";
import { pollForwardedOrders } from "../models/brilliant-status.server";
import { getBrilliantCredentials } from "../models/shop.server";
import { lastSync as lastShopifySync, syncShopifyVariants } from "../models/shopify-variant-sync.server";
import type { Forwarder } from "./forwarder.server";
import { writeBackShippedOrders } from "./shopify-schedule.server";
import { shopAdminGraphql } from "../services/shop-admin.server";

/**
 * Keeps each installed shop's copy of Brilliant's catalog fresh, so pre-flight
 * can hold what would fail and held orders go out once stock or activity
 * returns. Several workers may run this at once; a sync is idempotent, and a
 * run started by any worker counts for all.
 */
export async function syncDueCatalogs(
  forwarder: Forwarder,
  intervalMs: number,
  log: Logger = rootLogger,
): Promise<number> {
  const shops = await prisma.shopSettings.findMany({
    where: { uninstalledAt: null, brilliantApiKeyEnc: { not: null }, brilliantApiSecretEnc: { not: null } },
    select: { shop: true },
  });
  let synced = 0;
  for (const { shop } of shops) {
    const last = await lastCatalogSync(shop);
    if (last && last.startedAt.getTime() > Date.now() - intervalMs) continue;
    const credentials = await getBrilliantCredentials(shop).catch(() => null);
    if (!credentials) continue;
    const result = await syncBrilliantCatalog(shop, forwarder.clientFor(credentials));
    log.info(
      {
        shop,
        ok: result.ok,
        ...(result.ok ? { variants: result.variants, released: result.released } : { reason: result.reason }),
      },
      "catalog synced",
    );
    synced += 1;
  }
  return synced;
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
  const shops = await prisma.shopSettings.findMany({
    where: { uninstalledAt: null, brilliantApiKeyEnc: { not: null }, brilliantApiSecretEnc: { not: null } },
    select: { shop: true },
  });
  let read = 0;
  for (const { shop } of shops) {
    const credentials = await getBrilliantCredentials(shop).catch(() => null);
    if (!credentials) continue;
    const count = await pollForwardedOrders(shop, forwarder.clientFor(credentials), {
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
  const shops = await prisma.shopSettings.findMany({
    where: { uninstalledAt: null },
    select: { shop: true },
  });
  let synced = 0;
  for (const { shop } of shops) {
    const last = await lastShopifySync(shop);
    if (last && last.startedAt.getTime() > Date.now() - intervalMs) continue;
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
