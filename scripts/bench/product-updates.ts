/**
 * `npm run bench -- --only product-updates`: orders/paid acknowledgements
 * while Shopify's largest product updates arrive.
 *
 * The app (the real build behind server.ts), its worker and the Brilliant
 * simulator run on a fresh copy of the bench's database. orders/paid
 * webhooks come at Shopify's peak-minute pace for the whole window; every
 * second of it, five products/update webhooks of 2,048 variants each
 * (Shopify's most per product, ~0.7 MB each) arrive at once: a new version of
 * the same five products each time, as a bulk edit sends them. Measured: the
 * orders/paid acks over the window (p99 against < 1 s), the product updates'
 * own acks, and how long after the last one the worker had applied them all
 * (every variant with its last title).
 */
import { performance } from "node:perf_hooks";

import { generateProducts, restProductPayload } from "../../shopify-stand-in/admin-graphql";
import { signedWebhookHeaders } from "../../shopify-stand-in/webhooks";
import { runLoad, summariseLatencies, type LatencySummary, type LoadResult } from "./load-generator";
import { count, fmtMs, mark, openSqlite, printResultTable, type ResultRow } from "./scale-common";
import { signedOrderRequests } from "./webhook-bodies";

export const PRODUCT_UPDATES_TARGET = { orderAckP99Ms: 1_000 };

const PRODUCTS_PER_BURST = 5;
const VARIANTS_PER_PRODUCT = 2_048;
const BURST_EVERY_MS = 1_000;
/** Shopify's peak-minute order rate, as the ingest phase paces it. */
const ORDERS_PER_SECOND = 700;
const ORDER_CONNECTIONS = 50;
/** How long to wait for the worker to apply every product update after the last one was acknowledged. */
const APPLY_TIMEOUT_MS = 120_000;

/** What bench.ts hands this phase: its database, its shops and secret, and how it starts its processes. */
export interface ProductUpdatesContext {
  quick: boolean;
  say: (line?: string) => void;
  secret: string;
  /** The bench's installed shops; the products are the first one's. */
  shops: readonly string[];
  /** A fresh copy of the bench's template database, as a file path. */
  freshDatabase(name: string): string;
  startApp(name: string, dbFile: string): Promise<{ url: string; stop(): Promise<void> }>;
  startWorker(name: string, dbFile: string, brilliantUrl: string): Promise<{ stop(): Promise<void> }>;
  startBrilliant(name: string): Promise<{ url: string; stop(): Promise<void> }>;
}

export interface ProductUpdatesResults {
  bursts: number;
  productsPerBurst: number;
  variantsPerProduct: number;
  ordersPerSecond: number;
  /** orders/paid over the whole window, every second of which product updates arrived. */
  orders: LoadResult;
  /** The products/update webhooks' own acks. */
  productAcks: LatencySummary & { answered: number; non200: number; unanswered: number };
  /** From the last product update's ack until the worker had applied them all; null if it did not within the timeout. */
  appliedSeconds: number | null;
  variantsWithLastTitle: number;
  pass: boolean;
}

/** The bursts' signed bodies, made before anything is measured: burst b carries version b of each product. */
function productBursts(shop: string, secret: string, bursts: number) {
  const products = generateProducts(PRODUCTS_PER_BURST, VARIANTS_PER_PRODUCT, {
    firstProductId: 8_600_000_001,
    firstVariantId: 48_000_000_001,
  });
  const startedAt = Date.now();
  return Array.from({ length: bursts }, (_, burst) =>
    products.map((product) => {
      const rawBody = JSON.stringify({
        ...restProductPayload({ ...product, title: `${product.title}, edit ${burst + 1}` }),
        // Newer with every burst, as Shopify dates each edit.
        updated_at: new Date(startedAt + burst * BURST_EVERY_MS).toISOString(),
      });
      return signedWebhookHeaders({ topic: "products/update", shop, body: null, rawBody, secret });
    }),
  );
}

export async function productUpdatesPhase(ctx: ProductUpdatesContext): Promise<ProductUpdatesResults> {
  const bursts = ctx.quick ? 3 : 10;
  const shop = ctx.shops[0]!;
  ctx.say(
    `\n[product updates] orders/paid at ${count(ORDERS_PER_SECOND)}/s for ${bursts} s; every second, ${PRODUCTS_PER_BURST} products/update of ${count(VARIANTS_PER_PRODUCT)} variants at once; the worker applying them`,
  );
  const signed = productBursts(shop, ctx.secret, bursts);
  ctx.say(
    `  ${count(bursts * PRODUCTS_PER_BURST)} product bodies of ~${(signed[0]![0]!.body.length / 1e6).toFixed(1)} MB made`,
  );

  const dbFile = ctx.freshDatabase("product-updates");
  const brilliant = await ctx.startBrilliant("simulator-product-updates");
  const app = await ctx.startApp("app-product-updates", dbFile);
  const worker = await ctx.startWorker("worker-product-updates", dbFile, brilliant.url);
  try {
    const productLatencies: number[] = [];
    let non200 = 0;
    let unanswered = 0;
    let lastAckAt = 0;
    const sendProduct = async (webhook: { headers: Record<string, string>; body: string }) => {
      const sentAt = performance.now();
      try {
        const response = await fetch(`${app.url}/webhooks/products/update`, {
          method: "POST",
          headers: webhook.headers,
          body: webhook.body,
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        productLatencies.push(performance.now() - sentAt);
        if (response.status !== 200) non200 += 1;
      } catch {
        unanswered += 1;
      }
      lastAckAt = Math.max(lastAckAt, performance.now());
    };

    // The orders' window opens first; the bursts start half a second into it, and it stays open
    // 1.5 s past the last one, while the worker applies them (acks still out at its end are not counted).
    const durationMs = bursts * BURST_EVERY_MS + 2_000;
    const productSends: Array<Promise<void>> = [];
    const orders = runLoad({
      url: `${app.url}/webhooks/orders/paid`,
      connections: ORDER_CONNECTIONS,
      ratePerSecond: ORDERS_PER_SECOND,
      durationMs,
      request: signedOrderRequests({ shops: ctx.shops, secret: ctx.secret, firstOrderId: 7_900_000_000 }),
      onWindowStart: () => {
        signed.forEach((burst, index) => {
          const timer = setTimeout(
            () => productSends.push(...burst.map(sendProduct)),
            BURST_EVERY_MS / 2 + index * BURST_EVERY_MS,
          );
          timer.unref();
        });
      },
    });
    const orderRun = await orders;
    await Promise.all(productSends);

    // Applied: nothing waits in the queue, and every variant carries its product's last title.
    const db = openSqlite(dbFile);
    let appliedSeconds: number | null = null;
    let variantsWithLastTitle = 0;
    try {
      const waiting = db.prepare(`SELECT COUNT(*) AS n FROM "ProductUpdateQueue" WHERE "appliedAt" IS NULL`);
      const lastTitles = db.prepare(
        `SELECT COUNT(*) AS n FROM "ShopifyVariant" WHERE "shop" = ? AND "deletedAt" IS NULL AND "productTitle" LIKE ?`,
      );
      const deadline = performance.now() + APPLY_TIMEOUT_MS;
      for (;;) {
        const left = (waiting.get() as { n: number }).n;
        variantsWithLastTitle = (lastTitles.get(shop, `%, edit ${bursts}`) as { n: number }).n;
        if (left === 0 && variantsWithLastTitle === PRODUCTS_PER_BURST * VARIANTS_PER_PRODUCT) {
          appliedSeconds = (performance.now() - lastAckAt) / 1000;
          break;
        }
        if (performance.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      db.close();
    }

    const clean = orderRun.requests > 0 && orderRun.non200 + orderRun.failures === 0;
    const results: ProductUpdatesResults = {
      bursts,
      productsPerBurst: PRODUCTS_PER_BURST,
      variantsPerProduct: VARIANTS_PER_PRODUCT,
      ordersPerSecond: ORDERS_PER_SECOND,
      orders: orderRun,
      productAcks: {
        ...summariseLatencies(productLatencies),
        answered: productLatencies.length,
        non200,
        unanswered,
      },
      appliedSeconds,
      variantsWithLastTitle,
      pass: clean && orderRun.latencyMs.p99 < PRODUCT_UPDATES_TARGET.orderAckP99Ms,
    };
    printProductUpdates(ctx.say, results);
    return results;
  } finally {
    await worker.stop();
    await app.stop();
    await brilliant.stop();
  }
}

function printProductUpdates(say: (line?: string) => void, results: ProductUpdatesResults): void {
  const { orders, productAcks } = results;
  const rows: ResultRow[] = [
    [
      `orders/paid acks p99 while ${results.productsPerBurst} × ${count(results.variantsPerProduct)}-variant product updates arrive`,
      `p99 ${fmtMs(orders.latencyMs.p99)} (p50 ${fmtMs(orders.latencyMs.p50)}, max ${fmtMs(orders.latencyMs.max)}; ${count(orders.ok)} acks at ${count(results.ordersPerSecond)}/s, non-200 ${orders.non200}, no answer ${orders.failures}, over 5 s ${orders.over5s})`,
      `< ${PRODUCT_UPDATES_TARGET.orderAckP99Ms / 1000} s`,
      mark(results.pass),
    ],
    [
      "  products/update acks",
      `p50 ${fmtMs(productAcks.p50)}, max ${fmtMs(productAcks.max)} (${productAcks.answered} answered, non-200 ${productAcks.non200}, no answer ${productAcks.unanswered})`,
      "",
      "",
    ],
    [
      "  applied by the worker",
      results.appliedSeconds === null
        ? `not within ${APPLY_TIMEOUT_MS / 1000} s (${count(results.variantsWithLastTitle)} variants with their last title)`
        : `${results.appliedSeconds.toFixed(1)} s after the last ack: ${count(results.variantsWithLastTitle)} variants with their last title`,
      "",
      "",
    ],
  ];
  printResultTable(say, "Product updates beside orders/paid", rows);
}
