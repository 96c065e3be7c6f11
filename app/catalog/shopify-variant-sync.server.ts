import { Prisma, type ShopifyVariant, type SyncRun } from "@prisma/client";
import { z } from "zod/v4";

import prisma from "../db.server";
import {
  adminFailureSummary,
  readPagesWithinBudget,
  throttledAdminQuery,
  UnexpectedShopifyAnswerError,
  type AdminGraphql,
  type AdminThrottling,
} from "../integrations/shopify-admin.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import {
  SYNC_RUN_ABANDONED_AFTER_MS,
  failSyncRun,
  lastSyncRun,
  liveSyncRun,
} from "../models/sync-run.server";
import { blankToNull, numericShopifyId, variantTitleOf, type VariantFields } from "./shopify-variants.server";

/**
 * The full sync of the shop's Shopify variants: every page of productVariants
 * read within the shop's query budget, written, and the ones Shopify no longer
 * has marked deleted, with its progress and outcome kept in a SyncRun.
 */

export const SHOPIFY_PRODUCTS_SYNC = "shopify_products";

const PAGE_SIZE = 250;

// API 2026-10: a variant has up to 20 barcodes (`barcodes`; the single
// `barcode` is deprecated and returns the first) and a product's featured
// image is its featured media's preview (`featuredImage` is deprecated). The
// app keeps one barcode per variant: the first, as before. See
// docs/shopify-api-2026-10.md.
const VARIANTS_PAGE_QUERY = `#graphql
  query ShopifyVariantsPage($first: Int!, $cursor: String) {
    productVariants(first: $first, after: $cursor) {
      nodes {
        id
        title
        sku
        barcodes(first: 1) {
          nodes {
            value
          }
        }
        image {
          url
        }
        product {
          id
          title
          featuredMedia {
            preview {
              image {
                url
              }
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const VARIANTS_COUNT_QUERY = `#graphql
  query ShopifyVariantsCount {
    productVariantsCount(limit: null) {
      count
      precision
    }
  }
`;

// ---------------------------------------------------------------------------
// Shopify's answers

const ImageSchema = z.object({ url: z.string() }).nullish();

const VariantNodeSchema = z.object({
  id: z.string(),
  title: z.string().nullish(),
  sku: z.string().nullish(),
  barcodes: z.object({ nodes: z.array(z.object({ value: z.string() })) }).nullish(),
  image: ImageSchema,
  product: z.object({
    id: z.string(),
    title: z.string(),
    featuredMedia: z.object({ preview: z.object({ image: ImageSchema }).nullish() }).nullish(),
  }),
});

const VariantsPageSchema = z.object({
  productVariants: z.object({
    nodes: z.array(VariantNodeSchema),
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
  }),
});

const VariantsCountSchema = z.object({
  productVariantsCount: z.object({ count: z.number().int(), precision: z.string() }).nullish(),
});

function fieldsFromNode(node: z.infer<typeof VariantNodeSchema>): VariantFields {
  return {
    shopifyVariantId: numericShopifyId(node.id),
    shopifyProductId: numericShopifyId(node.product.id),
    productTitle: node.product.title,
    variantTitle: variantTitleOf(node.title),
    sku: blankToNull(node.sku),
    barcode: blankToNull(node.barcodes?.nodes[0]?.value),
    imageUrl: node.image?.url ?? node.product.featuredMedia?.preview?.image?.url ?? null,
  };
}

// ---------------------------------------------------------------------------
// Writing what we read

interface PageWrite {
  created: number;
  changed: number;
}

const WRITTEN_FIELDS = [
  "shopifyProductId",
  "productTitle",
  "variantTitle",
  "sku",
  "barcode",
  "imageUrl",
] as const satisfies ReadonlyArray<keyof VariantFields>;

function differs(row: ShopifyVariant, fields: VariantFields): boolean {
  return row.deletedAt !== null || WRITTEN_FIELDS.some((key) => row[key] !== fields[key]);
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * Writes one page of variants read at `readAt`: new ones are created, changed
 * ones updated, and every one not learnt of later is marked as seen
 * (`syncedAt`), which is what tells the end of a full sync which are gone.
 */
async function writeVariants(shop: string, variants: VariantFields[], readAt: Date): Promise<PageWrite> {
  const write = () =>
    prisma.$transaction(
      async (tx) => {
        const ids = variants.map((variant) => variant.shopifyVariantId);
        const existing = await tx.shopifyVariant.findMany({ where: { shop, shopifyVariantId: { in: ids } } });
        const byId = new Map(existing.map((row) => [row.shopifyVariantId, row]));
        const fresh = variants.filter((variant) => !byId.has(variant.shopifyVariantId));
        if (fresh.length > 0) {
          await tx.shopifyVariant.createMany({
            data: fresh.map((variant) => ({ shop, ...variant, syncedAt: readAt })),
          });
        }
        let changed = 0;
        for (const variant of variants) {
          const row = byId.get(variant.shopifyVariantId);
          if (!row || !differs(row, variant)) continue;
          const updated = await tx.shopifyVariant.updateMany({
            where: { id: row.id, syncedAt: { lte: readAt } },
            data: { ...variant, deletedAt: null, syncedAt: readAt },
          });
          changed += updated.count;
        }
        if (existing.length > 0) {
          await tx.shopifyVariant.updateMany({
            where: { id: { in: existing.map((row) => row.id) }, syncedAt: { lt: readAt } },
            data: { syncedAt: readAt },
          });
        }
        return { created: fresh.length, changed };
      },
      { timeout: 30_000 },
    );
  try {
    return await write();
  } catch (error) {
    // A webhook created one of these variants meanwhile: it exists now, so
    // the second go updates it instead.
    if (!isUniqueViolation(error)) throw error;
    return write();
  }
}

// ---------------------------------------------------------------------------
// The full sync

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
  | { ok: false; runId: string; reason: "already_running"; summary: string }
  | { ok: false; runId: string; reason: "failed"; summary: string };

export { SYNC_RUN_ABANDONED_AFTER_MS };

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
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

const ALREADY_RUNNING = "A sync of the shop's products is already under way.";

/** A new running SyncRun for the shop, unless one is already under way. */
async function beginSync(
  shop: string,
): Promise<
  { ok: true; run: SyncRun } | { ok: false; runId: string; reason: "already_running"; summary: string }
> {
  const running = await liveSyncRun(shop, SHOPIFY_PRODUCTS_SYNC);
  if (running) return { ok: false, runId: running.id, reason: "already_running", summary: ALREADY_RUNNING };
  const run = await prisma.syncRun.create({
    data: { shop, kind: SHOPIFY_PRODUCTS_SYNC, status: "running", startedAt: new Date() },
  });
  return { ok: true, run };
}

/** Syncs started by `startShopifyVariantSync` that have not ended yet, in this process. */
const inFlight = new Set<Promise<unknown>>();

/**
 * Starts a full sync in the background of this process and returns at once,
 * with the run the admin shows progress of (`processed` of `total`, then the
 * summary). "Sync Shopify products now" uses it, so a catalog of 50k variants
 * (minutes within Shopify's query budget) never holds a request open. A
 * process that ends mid-sync leaves the run "running" until
 * SYNC_RUN_ABANDONED_AFTER_MS, after which a new one may start.
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
  const throttling: AdminThrottling = {
    sleep: options.sleep ?? sleepFor,
    maxThrottleRetries: options.maxThrottleRetries ?? 10,
    maxWaitMs: options.maxWaitMs ?? 60_000,
    log,
  };

  try {
    const total = await countVariants(graphql, throttling, log);
    if (total !== null) await prisma.syncRun.update({ where: { id: run.id }, data: { total } });

    let variants = 0;
    let created = 0;
    let changed = 0;
    const products = new Set<string>();

    await readPagesWithinBudget({
      graphql,
      operation: VARIANTS_PAGE_QUERY,
      schema: VariantsPageSchema,
      throttling,
      pageSize: Math.min(PAGE_SIZE, options.pageSize ?? PAGE_SIZE),
      variables: (first, cursor) => ({ first, cursor }),
      pageInfo: (data) => data.productVariants.pageInfo,
      items: "variants",
      onPage: async (data, readAt) => {
        const page = data.productVariants.nodes.map(fieldsFromNode);
        const written = await writeVariants(shop, page, readAt);
        variants += page.length;
        created += written.created;
        changed += written.changed;
        for (const variant of page) products.add(variant.shopifyProductId);
        await prisma.syncRun.update({
          where: { id: run.id },
          data: { processed: variants, ...(total !== null && variants > total ? { total: variants } : {}) },
        });
      },
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
    const summary = adminFailureSummary(error);
    await failSyncRun(run.id, summary);
    log.warn({ err: error instanceof Error ? { name: error.name, message: error.message } : error }, summary);
    if (error instanceof Response) throw error;
    return { ok: false, runId: run.id, reason: "failed", summary };
  }
}

/** The exact number of variants, for progress; null when Shopify cannot say. */
async function countVariants(
  graphql: AdminGraphql,
  throttling: AdminThrottling,
  log: Logger,
): Promise<number | null> {
  try {
    const answer = await throttledAdminQuery(
      graphql,
      VARIANTS_COUNT_QUERY,
      {},
      VariantsCountSchema,
      throttling,
      null,
    );
    const counted = answer.data.productVariantsCount;
    return counted && counted.precision === "EXACT" ? counted.count : null;
  } catch (error) {
    // Progress without a total is still progress; the pages decide.
    if (!(error instanceof UnexpectedShopifyAnswerError)) throw error;
    log.info({ reason: error.message }, "variant count unavailable; syncing without a total");
    return null;
  }
}

/** The shop's latest Shopify products sync (running, succeeded or failed), or null before the first. */
export async function lastSync(shop: string): Promise<SyncRun | null> {
  return lastSyncRun(shop, SHOPIFY_PRODUCTS_SYNC);
}
