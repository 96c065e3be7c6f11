// Product webhooks are recorded, acknowledged, and applied by the worker.
//
// products/create, products/update and products/delete carry a whole product:
// up to 2,048 variants. Applying one in the web process held its event loop
// for over a second, and orders/paid webhooks arriving meanwhile waited past
// Shopify's 5 s. So the webhook checks the body's envelope, stores it in
// ProductUpdateQueue (one row per product, through the statement writer: on
// SQLite off the event loop) and answers; the worker's chore
// (applyQueuedProductUpdates, every poll) applies the queue one product per
// transaction, yielding between products.
//
// Order: a row holds the newest webhook Shopify sent for its product, by the
// product's `updated_at`. A later webhook replaces it (ties too: two updates
// within Shopify's one-second resolution, the later arrival wins); an older
// one arriving late changes nothing, also after the newer one was applied,
// since rows stay (without their body) once applied. A delete is final:
// Shopify never reuses a product id, so no update replaces it.
import { performance } from "node:perf_hooks";

import { sqlFor, toDate, type SqlValue } from "../db/sql.server";
import { statementWriterFor } from "../db/statement-writer.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import {
  applyProductWebhook,
  markProductDeleted,
  parseProductWebhook,
} from "./shopify-product-webhooks.server";

export type ProductWebhookKind = "update" | "delete";

export interface ProductWebhookRecord {
  shop: string;
  shopifyProductId: string;
  kind: ProductWebhookKind;
  /** The product's `updated_at`; for a delete (whose body is only the id), when Shopify triggered it. */
  productUpdatedAt: Date;
  /** An update's body exactly as received; null for a delete. */
  payload: string | null;
  webhookId: string | null;
}

/** `queued`: the worker will apply it; `superseded`: the queue already holds a newer webhook of the product. */
export type QueueOutcome = "queued" | "superseded";

/**
 * When a webhook says it was triggered (X-Shopify-Triggered-At), or now when
 * it does not say: the order of a delete, and of an update without `updated_at`.
 */
export function triggeredAt(request: Request): Date {
  const at = Date.parse(request.headers.get("x-shopify-triggered-at") ?? "");
  return Number.isNaN(at) ? new Date() : new Date(at);
}

/**
 * Records a product webhook for the worker, unless the queue holds a newer
 * one of the product. Resolves once committed: the webhook may then answer.
 */
export async function queueProductWebhook(record: ProductWebhookRecord): Promise<QueueOutcome> {
  const [kept] = await statementWriterFor().write([
    {
      sql: `INSERT INTO "ProductUpdateQueue" ("shop", "shopifyProductId", "kind", "productUpdatedAt", "payload",
              "webhookId", "receivedAt", "appliedAt")
            VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
            ON CONFLICT ("shop", "shopifyProductId") DO UPDATE SET
              "kind" = excluded."kind", "productUpdatedAt" = excluded."productUpdatedAt",
              "payload" = excluded."payload", "webhookId" = excluded."webhookId",
              "receivedAt" = excluded."receivedAt", "appliedAt" = NULL
            WHERE "ProductUpdateQueue"."kind" <> 'delete'
              AND (excluded."kind" = 'delete'
                OR excluded."productUpdatedAt" >= "ProductUpdateQueue"."productUpdatedAt")
            RETURNING "kind"`,
      params: [
        record.shop,
        record.shopifyProductId,
        record.kind,
        record.productUpdatedAt,
        record.payload,
        record.webhookId,
        new Date(),
      ],
      returns: true,
    },
  ]);
  return (kept?.length ?? 0) > 0 ? "queued" : "superseded";
}

/** Products read from the queue per query; each is applied in a transaction of its own. */
const QUEUE_READ_BATCH = 20;

/**
 * How long one round may go on applying before it returns (the worker calls
 * it again on its next poll): a backlog (a bulk edit of thousands of
 * products) is worked through without holding the worker's shutdown.
 */
const ROUND_BUDGET_MS = 2_000;

export interface ProductQueueRound {
  /** Webhooks applied to ShopifyVariant. */
  applied: number;
  /** Updates whose stored body no longer parses as a product: set aside, logged. */
  unreadable: number;
  /** The round ran out of time with webhooks still waiting. */
  more: boolean;
}

/**
 * The worker's chore: applies waiting product webhooks, oldest first, one
 * product per transaction, yielding to the event loop between products, until
 * none waits or `budgetMs` has passed. Costs one index seek when nothing
 * waits. Workers may run it at once: applying a webhook twice writes the same
 * values, and a webhook replaced while it was being applied stays waiting.
 */
export async function applyQueuedProductUpdates(
  options: { budgetMs?: number; log?: Logger } = {},
): Promise<ProductQueueRound> {
  const budgetMs = options.budgetMs ?? ROUND_BUDGET_MS;
  const log = options.log ?? rootLogger;
  const started = performance.now();
  const round: ProductQueueRound = { applied: 0, unreadable: 0, more: false };
  for (;;) {
    const waiting = await sqlFor().all<{ shop: string; shopifyProductId: string }>(
      `SELECT "shop", "shopifyProductId" FROM "ProductUpdateQueue"
       WHERE "appliedAt" IS NULL ORDER BY "receivedAt" LIMIT ?`,
      [QUEUE_READ_BATCH],
    );
    if (waiting.length === 0) return round;
    for (const { shop, shopifyProductId } of waiting) {
      if (performance.now() - started >= budgetMs) {
        round.more = true;
        return round;
      }
      try {
        const outcome = await applyOne(shop, shopifyProductId, log);
        if (outcome === "applied") round.applied += 1;
        if (outcome === "unreadable") round.unreadable += 1;
      } catch (error) {
        // It stays waiting for the next round; the others go on.
        log.error(
          { err: error, shop, shopifyProductId },
          "applying a product webhook failed; retrying later",
        );
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (waiting.length < QUEUE_READ_BATCH) return round;
  }
}

async function applyOne(
  shop: string,
  shopifyProductId: string,
  log: Logger,
): Promise<"applied" | "unreadable" | "gone"> {
  const sql = sqlFor();
  const [row] = await sql.all<{
    kind: string;
    payload: string | null;
    productUpdatedAt: SqlValue;
    receivedAt: SqlValue;
  }>(
    `SELECT "kind", "payload", "productUpdatedAt", "receivedAt" FROM "ProductUpdateQueue"
     WHERE "shop" = ? AND "shopifyProductId" = ? AND "appliedAt" IS NULL`,
    [shop, shopifyProductId],
  );
  // Applied meanwhile by another worker.
  if (!row) return "gone";
  const learntAt = toDate(row.receivedAt)!;
  let outcome: "applied" | "unreadable" = "applied";
  if (row.kind === "delete") {
    const deleted = await markProductDeleted(shop, shopifyProductId, learntAt);
    log.debug({ shop, shopifyProductId, deleted }, "products/delete applied");
  } else {
    const product = readProduct(row.payload);
    if (product) {
      const result = await applyProductWebhook(shop, product, learntAt);
      log.debug({ shop, shopifyProductId, ...result }, "products/update applied");
    } else {
      // The webhook checked its envelope and each variant by the schema's
      // rules, so this is a body an older version of the app let in. The
      // next full sync reads the product from Shopify instead.
      log.warn({ shop, shopifyProductId }, "a queued products/update is not a product; set aside");
      outcome = "unreadable";
    }
  }
  // Done, unless a newer webhook of the product replaced this one meanwhile:
  // that one stays waiting.
  await sql.run(
    `UPDATE "ProductUpdateQueue" SET "appliedAt" = ?, "payload" = NULL
     WHERE "shop" = ? AND "shopifyProductId" = ? AND "appliedAt" IS NULL
       AND "kind" = ? AND "productUpdatedAt" = ? AND "receivedAt" = ?`,
    [new Date(), shop, shopifyProductId, row.kind, row.productUpdatedAt, row.receivedAt],
  );
  return outcome;
}

function readProduct(payload: string | null) {
  if (payload === null) return null;
  try {
    const parsed = parseProductWebhook(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Product webhooks waiting for the worker (all shops', or one shop's): for tests and the bench. */
export async function countQueuedProductUpdates(shop?: string): Promise<number> {
  const [row] = await sqlFor().all<{ count: unknown }>(
    `SELECT COUNT(*) AS "count" FROM "ProductUpdateQueue" WHERE "appliedAt" IS NULL${shop ? ` AND "shop" = ?` : ""}`,
    shop ? [shop] : [],
  );
  return Number(row?.count ?? 0);
}
