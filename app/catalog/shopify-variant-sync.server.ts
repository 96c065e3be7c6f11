import type { SyncRun } from "@prisma/client";

import prisma from "../db.server";
import { type AdminGraphql } from "../integrations/shopify-admin.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { countSync } from "../ops/metrics.server";
import { SYNC_RUN_ABANDONED_AFTER_MS, lastSyncRun } from "../models/sync-run.server";
import { adminThrottling, SYNC_LIMITS } from "../orders/admin-reads.server";
import { beginSyncRun, failAdminSyncRun, type AlreadyRunning } from "../orders/admin-sync-run.server";
import { countVariants, readVariantPages } from "./shopify-variant-read.server";
import { writeVariants } from "./shopify-variant-write.server";

/**
 * The full sync of the shop's Shopify variants: every page of productVariants
 * read within the shop's query budget, written, and the ones Shopify no longer
 * has marked deleted, with its progress and outcome kept in a SyncRun.
 */

export const SHOPIFY_PRODUCTS_SYNC = "shopify_products";

export interface SyncShopifyVariantsOptions {
  /** Variants per query, 250 (Shopify's most) by default. */
  pageSize?: number;
  /** Throttled answers in a row before giving up. */
  maxThrottleRetries?: number;
  /** Longest single wait for the bucket to refill. */
  maxWaitMs?: number;
  /** Tests pass a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

export type ShopifyVariantSyncResult =
  | {
      ok: true;
      runId: string;
      variants: number;
      products: number;
      created: number;
      changed: number;
      deleted: number;
      summary: string;
    }
  /** Another sync of this shop is under way; nothing was started. */
  | AlreadyRunning
  | { ok: false; runId: string; reason: "failed"; summary: string };

export { SYNC_RUN_ABANDONED_AFTER_MS };

const count = (n: number) => n.toLocaleString("en-US");

/**
 * Reads every variant of the shop through the Admin GraphQL API, page by page,
 * within the shop's query-cost budget, and mirrors them: new and changed ones
 * are written, ones Shopify no longer has are marked deleted. Progress and the
 * outcome are kept in a SyncRun ("shopify_products").
 *
 * Failures end the run as failed with the reason, and come back as
 * `{ ok: false }`; only a Response thrown by the admin client (authenticate.admin
 * asking Remix to re-authenticate) is thrown on.
 */
export async function syncShopifyVariants(
  shop: string,
  graphql: AdminGraphql,
  options: SyncShopifyVariantsOptions = {},
): Promise<ShopifyVariantSyncResult> {
  const begun = await beginSync(shop);
  if (!begun.ok) return begun;
  return runSync(shop, graphql, begun.run, options);
}

function beginSync(shop: string) {
  return beginSyncRun(shop, SHOPIFY_PRODUCTS_SYNC, "A sync of the shop's products is already under way.");
}

/** Syncs started by `startShopifyVariantSync` that have not ended yet, in this process. */
const inFlight = new Set<Promise<unknown>>();

/**
 * Starts a full sync in the background of this process and returns at once,
 * with the run the admin shows progress of (`processed` of `total`, then the
 * summary), so a large catalog never holds a request open. A process that ends
 * mid-sync leaves the run "running" until SYNC_RUN_ABANDONED_AFTER_MS, after
 * which a new one may start.
 */
export async function startShopifyVariantSync(
  shop: string,
  graphql: AdminGraphql,
  options: SyncShopifyVariantsOptions = {},
): Promise<{ started: boolean; runId: string; summary: string }> {
  const begun = await beginSync(shop);
  if (!begun.ok) return { started: false, runId: begun.runId, summary: begun.summary };
  const log = (options.logger ?? rootLogger).child({ shop, syncRunId: begun.run.id });
  const job = runSync(shop, graphql, begun.run, options)
    .catch((error: unknown) => {
      // The run is already marked failed; a Response here is the admin client
      // asking for a new OAuth, which the merchant gets on the next page load.
      log.warn(
        { err: error instanceof Error ? { name: error.name, message: error.message } : String(error) },
        "background Shopify products sync ended with an error",
      );
    })
    .finally(() => inFlight.delete(job));
  inFlight.add(job);
  return { started: true, runId: begun.run.id, summary: "Reading your Shopify products in the background." };
}

/** Resolves once every background sync this process started has ended (tests, shutdown). */
export async function backgroundSyncsSettled(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}

async function runSync(
  shop: string,
  graphql: AdminGraphql,
  run: SyncRun,
  options: SyncShopifyVariantsOptions,
): Promise<ShopifyVariantSyncResult> {
  const startedAt = run.startedAt;
  const log = (options.logger ?? rootLogger).child({ shop, syncRunId: run.id, sync: SHOPIFY_PRODUCTS_SYNC });
  const throttling = adminThrottling(log, SYNC_LIMITS, options);

  try {
    const total = await countVariants(graphql, throttling, log);
    if (total !== null) await prisma.syncRun.update({ where: { id: run.id }, data: { total } });

    let variants = 0;
    let created = 0;
    let changed = 0;
    const products = new Set<string>();

    await readVariantPages(graphql, throttling, options.pageSize, async (page, readAt) => {
      const written = await writeVariants(shop, page, readAt);
      variants += page.length;
      created += written.created;
      changed += written.changed;
      for (const variant of page) products.add(variant.shopifyProductId);
      await prisma.syncRun.update({
        where: { id: run.id },
        data: { processed: variants, ...(total !== null && variants > total ? { total: variants } : {}) },
      });
    });

    // Every variant Shopify still has was marked seen by this run (or by a
    // webhook during it); the rest are gone.
    const deleted = await prisma.shopifyVariant.updateMany({
      where: { shop, deletedAt: null, syncedAt: { lt: startedAt } },
      data: { deletedAt: new Date() },
    });

    const summary =
      `Read ${count(variants)} variant${variants === 1 ? "" : "s"} of ${count(products.size)} ` +
      `product${products.size === 1 ? "" : "s"}: ${count(created)} new, ${count(changed)} changed, ` +
      `${count(deleted.count)} no longer in Shopify.`;
    await prisma.syncRun.update({
      where: { id: run.id },
      data: { status: "succeeded", finishedAt: new Date(), processed: variants, total: variants, summary },
    });
    log.info({ variants, created, changed, deleted: deleted.count }, "Shopify products synced");
    countSync("shopify_products", "succeeded");
    return {
      ok: true,
      runId: run.id,
      variants,
      products: products.size,
      created,
      changed,
      deleted: deleted.count,
      summary,
    };
  } catch (error) {
    countSync("shopify_products", "failed");
    return failAdminSyncRun(run.id, error, log);
  }
}

/** The shop's latest Shopify products sync (running, succeeded or failed), or null before the first. */
export async function lastSync(shop: string): Promise<SyncRun | null> {
  return lastSyncRun(shop, SHOPIFY_PRODUCTS_SYNC);
}
