import prisma from "../db.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { lastCatalogSync, syncBrilliantCatalog } from "../models/brilliant-catalog.server";
import { pollForwardedOrders } from "../models/brilliant-status.server";
import { getBrilliantCredentials } from "../models/shop.server";
import type { Forwarder } from "./forwarder.server";

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
  return read;
}
