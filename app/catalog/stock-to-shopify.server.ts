import type { SyncRun } from "@prisma/client";

import prisma from "../db.server";
import type { AdminGraphql, AdminThrottling } from "../integrations/shopify-admin.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { lastSyncRun } from "../models/sync-run.server";
import { syncRunView, type SyncRunView } from "../models/brilliant-connection.server";
import { countSync } from "../ops/metrics.server";
import { adminThrottling, SYNC_LIMITS } from "../orders/admin-reads.server";
import { beginSyncRun, failAdminSyncRun, type AlreadyRunning } from "../orders/admin-sync-run.server";
import {
  QUANTITIES_PER_SET,
  readItemsAtLocation,
  setAvailableAt,
  type QuantityToSet,
} from "./shopify-inventory.server";
import { noneLeftAlone, planStock, type LeftAlone, type StockTarget } from "./stock-wanted.server";

/**
 * Stock back to Shopify: at the location the merchant chose in Settings, the
 * `available` quantity of each mapped variant follows Brilliant's stock less
 * what orders not yet at Brilliant will take (stock-wanted.server.ts). Only
 * differences are written, compare-and-swap on what was just read, so a sale
 * in Shopify between the read and the write is never overwritten: it is
 * counted and read again on the next run. The worker runs it after each
 * catalog sync of the shop (app/worker/chores.server.ts); each run is a
 * SyncRun ("shopify_stock").
 */

export const SHOPIFY_STOCK_SYNC = "shopify_stock";

export interface StockSyncCounts extends LeftAlone {
  /** Inventory levels read from Shopify. */
  read: number;
  changed: number;
  unchanged: number;
  /** Sold (or changed) in Shopify between our read and our write: read again next run. */
  mismatches: number;
  /** Refused by Shopify for another reason. */
  failed: number;
}

export type StockSyncResult =
  | { ok: true; runId: string; counts: StockSyncCounts; summary: string }
  /** No location chosen: nothing was started. */
  | { ok: false; reason: "off"; summary: string }
  | AlreadyRunning
  | { ok: false; runId: string; reason: "failed"; summary: string };

export interface StockSyncOptions {
  /** Tests pass a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  maxThrottleRetries?: number;
  maxWaitMs?: number;
  logger?: Logger;
}

/** The location whose quantities follow Brilliant for the shop, or null when Settings says Off. */
export async function stockSyncLocation(shop: string): Promise<{ id: string; name: string } | null> {
  const settings = await prisma.shopSettings.findUnique({
    where: { shop },
    select: { stockSyncLocationId: true, stockSyncLocationName: true, uninstalledAt: true },
  });
  if (!settings?.stockSyncLocationId || settings.uninstalledAt) return null;
  return { id: settings.stockSyncLocationId, name: settings.stockSyncLocationName ?? "your location" };
}

/**
 * One run for the shop: the plan, then Shopify read and written a batch at a
 * time within the shop's query budget. Shopify failing (after the waits the
 * throttling allows) ends the run as failed with what it did so far.
 */
export async function syncStockToShopify(
  shop: string,
  graphql: AdminGraphql,
  options: StockSyncOptions = {},
): Promise<StockSyncResult> {
  const location = await stockSyncLocation(shop);
  if (!location) return { ok: false, reason: "off", summary: "Stock in Shopify is off." };
  const begun = await beginSyncRun(
    shop,
    SHOPIFY_STOCK_SYNC,
    "A stock sync of this shop is already under way.",
  );
  if (!begun.ok) return begun;
  const run = begun.run;
  const log = (options.logger ?? rootLogger).child({ shop, syncRunId: run.id, sync: SHOPIFY_STOCK_SYNC });
  const throttling = adminThrottling(log, SYNC_LIMITS, options);
  const counts: StockSyncCounts = {
    ...noneLeftAlone(),
    read: 0,
    changed: 0,
    unchanged: 0,
    mismatches: 0,
    failed: 0,
  };

  try {
    const plan = await planStock(shop);
    Object.assign(counts, plan.leftAlone);
    await prisma.syncRun.update({ where: { id: run.id }, data: { total: plan.targets.length } });
    for (let from = 0; from < plan.targets.length; from += QUANTITIES_PER_SET) {
      const batch = plan.targets.slice(from, from + QUANTITIES_PER_SET);
      await syncBatch({ graphql, throttling, locationId: location.id, counts, log }, batch);
      await prisma.syncRun.update({
        where: { id: run.id },
        data: { processed: counts.read, ingested: counts.changed, failed: counts.failed },
      });
    }
    const summary = stockSummary(location.name, counts);
    await prisma.syncRun.update({
      where: { id: run.id },
      data: {
        status: "succeeded",
        finishedAt: new Date(),
        processed: counts.read,
        ingested: counts.changed,
        failed: counts.failed,
        summary,
      },
    });
    log.info(counts, "stock set in Shopify");
    countSync("shopify_stock", "succeeded");
    return { ok: true, runId: run.id, counts, summary };
  } catch (error) {
    countSync("shopify_stock", "failed");
    return failAdminSyncRun(run.id, error, log, {
      note: `Before it stopped: ${stockSummary(location.name, counts)}`,
      counts: { processed: counts.read, ingested: counts.changed, failed: counts.failed },
    });
  }
}

interface BatchContext {
  graphql: AdminGraphql;
  throttling: AdminThrottling;
  locationId: string;
  counts: StockSyncCounts;
  log: Logger;
}

/**
 * Reads a batch's levels and sets those that differ. When Shopify refuses
 * some quantities it sets none of the call (as we read its all-or-nothing
 * answer): the refused ones are counted, the others read again and set once
 * more, so one sale does not hold up the rest until the next run.
 */
async function syncBatch(context: BatchContext, batch: StockTarget[]): Promise<void> {
  const { counts } = context;
  let pending = await differences(context, batch, true);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const outcome = await setAvailableAt(context.graphql, context.throttling, context.locationId, pending);
    if (outcome.set) {
      counts.changed += pending.length;
      return;
    }
    const refused = new Set<number>();
    for (const { index, code, message } of outcome.refused) {
      if (index === null || index >= pending.length || refused.has(index)) continue;
      refused.add(index);
      if (code === "CHANGE_FROM_QUANTITY_STALE") counts.mismatches += 1;
      else {
        counts.failed += 1;
        context.log.warn(
          { code, message, inventoryItemId: pending[index]!.inventoryItemId },
          "Shopify refused a quantity",
        );
      }
    }
    const rest = pending.filter((_, index) => !refused.has(index));
    if (refused.size === 0 || attempt >= 2) {
      // Nothing named (or a second refusal): the rest stays as Shopify has it until the next run.
      counts.failed += rest.length;
      context.log.warn({ refused: outcome.refused.slice(0, 3) }, "Shopify refused a batch of quantities");
      return;
    }
    const again = new Set(rest.map((quantity) => quantity.inventoryItemId));
    pending = await differences(
      context,
      batch.filter((target) => again.has(target.inventoryItemId)),
      false,
    );
  }
}

/** The quantities of `targets` that differ from what Shopify has now, with what it has as changeFromQuantity. */
async function differences(
  { graphql, throttling, locationId, counts }: BatchContext,
  targets: StockTarget[],
  firstRead: boolean,
): Promise<QuantityToSet[]> {
  const ids = [...new Set(targets.map((target) => target.inventoryItemId))];
  const items = await readItemsAtLocation(graphql, throttling, locationId, ids);
  const changes: QuantityToSet[] = [];
  const planned = new Set<string>();
  for (const target of targets) {
    const item = items.get(target.inventoryItemId);
    // Two Shopify variants never share an inventory item; a repeat would be refused, so it goes once.
    if (planned.has(target.inventoryItemId)) continue;
    planned.add(target.inventoryItemId);
    if (firstRead && item && item.available !== null) counts.read += 1;
    if (!firstRead && (!item || !item.tracked || item.available === null)) {
      // Changed in Shopify since the first read: left for the next run.
      counts.failed += 1;
      continue;
    }
    if (!item) counts.noInventoryItem += 1;
    else if (!item.tracked) counts.untracked += 1;
    else if (item.available === null) counts.notStocked += 1;
    else if (item.available === target.wanted) counts.unchanged += 1;
    else
      changes.push({
        inventoryItemId: target.inventoryItemId,
        quantity: target.wanted,
        changeFromQuantity: item.available,
      });
  }
  return changes;
}

const count = (n: number) => n.toLocaleString("en-US");

/** The run in the merchant's words, every count that is not zero. */
export function stockSummary(locationName: string, counts: StockSyncCounts): string {
  const parts = [
    `${count(counts.changed)} set`,
    `${count(counts.unchanged)} already right`,
    counts.mismatches > 0
      ? `${count(counts.mismatches)} changed in Shopify meanwhile (read again next time)`
      : null,
    counts.failed > 0 ? `${count(counts.failed)} refused by Shopify` : null,
  ].filter(Boolean);
  const alone = [
    counts.untracked > 0 ? `${count(counts.untracked)} not tracked` : null,
    counts.notShipped > 0 ? `${count(counts.notShipped)} not shipped by Brilliant` : null,
    counts.notStocked > 0 ? `${count(counts.notStocked)} not stocked at ${locationName}` : null,
    counts.notOrderable > 0 ? `${count(counts.notOrderable)} inactive or gone at Brilliant` : null,
    counts.noInventoryItem > 0 ? `${count(counts.noInventoryItem)} not read from Shopify yet` : null,
  ].filter(Boolean);
  return (
    `${count(counts.read)} read at ${locationName}: ${parts.join(", ")}.` +
    (alone.length > 0 ? ` Left alone: ${alone.join(", ")}.` : "")
  );
}

/** A sync run as every settings card shows it, with the stock sync's own counts. */
export interface StockSyncRunView extends SyncRunView {
  read: number;
  changed: number;
  failed: number;
}

/** The shop's latest stock sync, as the settings page shows it; null before the first. */
export async function lastStockSync(shop: string): Promise<StockSyncRunView | null> {
  const run: SyncRun | null = await lastSyncRun(shop, SHOPIFY_STOCK_SYNC);
  if (!run) return null;
  return { ...syncRunView(run)!, read: run.processed, changed: run.ingested, failed: run.failed };
}
