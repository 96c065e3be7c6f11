import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import {
  FAST_BUCKET,
  adminGraphqlFor,
  seedStandInSession,
  startStandIn,
  stopStandIn,
} from "../../tests/helpers/admin-graphql";
import {
  DEFAULT_BUCKET,
  generateProducts,
  restProductPayload,
  type AdminGraphqlStandIn,
  type StandInProduct,
} from "../../shopify-stand-in/admin-graphql";
import { type AdminGraphql } from "../integrations/shopify-admin.server";
import { markProductDeleted } from "./shopify-product-webhooks.server";
import { lastSync, syncShopifyVariants } from "./shopify-variant-sync.server";
import { InvalidVariantCursorError, listShopifyVariants } from "./shopify-variants.server";
import { applyQueuedProductUpdates } from "./product-update-queue.server";
import { action as productsUpdate } from "../routes/webhooks.products.update";
import { signedWebhookRequest } from "../../shopify-stand-in/webhooks";
import { TEST_API_SECRET, TEST_APP_URL } from "../../tests/setup/app-env";

// The sync runs the app's real Admin API client (unauthenticated.admin, as the
// worker does) over real HTTP against the Admin GraphQL stand-in, reached
// through SHOPIFY_ADMIN_API_ORIGIN.

const SHOP = "variants-test.myshopify.com";

let standIn: AdminGraphqlStandIn;

beforeAll(async () => {
  standIn = await startStandIn([SHOP]);
});

afterAll(() => stopStandIn(standIn));

beforeEach(async () => {
  await resetDatabase(prisma);
  await seedStandInSession(SHOP);
  standIn.setBucket(FAST_BUCKET);
  standIn.requests.length = 0;
});

const adminGraphql = () => adminGraphqlFor(SHOP);

function pageRequests() {
  return standIn.requests.filter((request) => request.operation === "ShopifyVariantsPage");
}

function recordingSleep() {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
    await new Promise((resolve) => setTimeout(resolve, ms));
  };
  return { waits, sleep };
}

describe("syncShopifyVariants", () => {
  it("GIVEN 1,200 variants WHEN synced THEN five pages are read through the real client and every variant is stored by its numeric id", async () => {
    standIn.setProducts(
      SHOP,
      generateProducts(400, 3, { barcodeFor: (n) => (n === 0 ? "0123456789012" : null) }),
    );

    const result = await syncShopifyVariants(SHOP, await adminGraphql());

    expect(result).toMatchObject({
      ok: true,
      variants: 1200,
      products: 400,
      created: 1200,
      changed: 0,
      deleted: 0,
    });
    expect(pageRequests().map((request) => request.variables.first)).toEqual([250, 250, 250, 250, 250]);
    expect(await prisma.shopifyVariant.count({ where: { shop: SHOP, deletedAt: null } })).toBe(1200);

    const first = await prisma.shopifyVariant.findUniqueOrThrow({
      where: { shop_shopifyVariantId: { shop: SHOP, shopifyVariantId: "45000000001" } },
    });
    expect(first).toMatchObject({
      shopifyProductId: "8000000001",
      productTitle: "Product 001",
      variantTitle: "Size S",
      sku: "SKU-0",
      barcode: "0123456789012",
      // Product 1 has per-variant images.
      imageUrl: "https://cdn.shopify.test/variants/45000000001.jpg",
      deletedAt: null,
    });
    // Product 2 has only a featured image, product 10 none.
    const second = await prisma.shopifyVariant.findFirstOrThrow({
      where: { shop: SHOP, shopifyProductId: "8000000002" },
    });
    expect(second.imageUrl).toBe("https://cdn.shopify.test/products/8000000002.jpg");
    const tenth = await prisma.shopifyVariant.findFirstOrThrow({
      where: { shop: SHOP, shopifyProductId: "8000000010" },
    });
    expect(tenth.imageUrl).toBeNull();

    const run = await lastSync(SHOP);
    expect(run).toMatchObject({
      kind: "shopify_products",
      status: "succeeded",
      processed: 1200,
      total: 1200,
    });
    expect(run!.finishedAt).not.toBeNull();
    expect(run!.summary).toBe(
      "Read 1,200 variants of 400 products: 1,200 new, 0 changed, 0 no longer in Shopify.",
    );
  });

  it("GIVEN a small bucket WHEN synced THEN it waits for the budget between pages and is never throttled", async () => {
    standIn.setProducts(SHOP, generateProducts(300, 2));
    standIn.setBucket({ maximumAvailable: 300, restoreRate: 1_000 });
    const { waits, sleep } = recordingSleep();

    const result = await syncShopifyVariants(SHOP, await adminGraphql(), { sleep });

    expect(result).toMatchObject({ ok: true, variants: 600 });
    expect(pageRequests()).toHaveLength(3);
    expect(standIn.requests.filter((request) => request.errorCode === "THROTTLED")).toHaveLength(0);
    // 300 points, 252 a page, 1,000 restored a second: the second and third pages each wait ~0.2 s.
    expect(waits).toHaveLength(2);
    for (const wait of waits) expect(wait).toBeGreaterThan(150);
  });

  it("GIVEN another caller emptied the bucket WHEN synced THEN THROTTLED answers are waited out and the sync completes", async () => {
    standIn.setProducts(SHOP, generateProducts(100, 3));
    standIn.setBucket({ maximumAvailable: 1000, restoreRate: 500 });
    const { waits, sleep } = recordingSleep();
    const graphql = await adminGraphql();
    let drained = false;
    const drainingFirst: AdminGraphql = (query, options) => {
      // Emptied just before the first page: ~0.5 s until it holds a page's 252 points again.
      if (!drained && query.includes("ShopifyVariantsPage")) {
        drained = true;
        standIn.drain(SHOP);
      }
      return graphql(query, options);
    };

    const result = await syncShopifyVariants(SHOP, drainingFirst, { sleep });

    expect(result).toMatchObject({ ok: true, variants: 300 });
    const throttled = standIn.requests.filter((request) => request.errorCode === "THROTTLED");
    expect(throttled.length).toBeGreaterThan(0);
    expect(waits.length).toBeGreaterThanOrEqual(throttled.length);
    expect(await prisma.shopifyVariant.count({ where: { shop: SHOP } })).toBe(300);
    expect((await lastSync(SHOP))!.status).toBe("succeeded");
  });

  it("GIVEN Shopify keeps throttling WHEN the retries run out THEN the run is failed with the reason, not left running", async () => {
    standIn.setProducts(SHOP, generateProducts(5, 1));
    standIn.setBucket({ maximumAvailable: 1000, restoreRate: 0 });
    standIn.drain(SHOP);

    const result = await syncShopifyVariants(SHOP, await adminGraphql(), {
      sleep: async () => {},
      maxThrottleRetries: 3,
    });

    expect(result).toMatchObject({ ok: false, reason: "failed" });
    expect(standIn.requests).toHaveLength(4);
    const run = await lastSync(SHOP);
    expect(run).toMatchObject({ status: "failed" });
    expect(run!.finishedAt).not.toBeNull();
    expect(run!.summary).toMatch(/kept throttling/);
  });

  it("GIVEN a bucket smaller than one page WHEN synced THEN it asks for fewer variants at a time", async () => {
    standIn.setProducts(SHOP, generateProducts(50, 2));
    standIn.setBucket({ maximumAvailable: 100, restoreRate: 100_000 });

    const result = await syncShopifyVariants(SHOP, await adminGraphql());

    expect(result).toMatchObject({ ok: true, variants: 100 });
    const sizes = pageRequests().map((request) => [request.variables.first, request.errorCode]);
    expect(sizes.slice(0, 3)).toEqual([
      [250, "MAX_COST_EXCEEDED"],
      [125, "MAX_COST_EXCEEDED"],
      [62, null],
    ]);
  });

  it("GIVEN the app's token is refused WHEN synced THEN the run is failed with why, and nothing is written", async () => {
    standIn.setProducts(SHOP, generateProducts(5, 1));
    await seedStandInSession(SHOP, "shpat_revoked");

    const result = await syncShopifyVariants(SHOP, await adminGraphql());

    expect(result).toMatchObject({ ok: false, reason: "failed" });
    const run = await lastSync(SHOP);
    expect(run).toMatchObject({ status: "failed" });
    expect(run!.summary).toMatch(/refused the app's access \(HTTP 401\)/);
    expect(await prisma.shopifyVariant.count()).toBe(0);
    expect(await prisma.syncRun.count({ where: { status: "running" } })).toBe(0);
  });

  it("GIVEN products removed in Shopify WHEN synced again THEN their variants are marked deleted, and come back when Shopify has them again", async () => {
    const catalog = generateProducts(10, 2);
    standIn.setProducts(SHOP, catalog);
    const graphql = await adminGraphql();
    await syncShopifyVariants(SHOP, graphql);

    // Product 3 deleted; product 5 loses its second variant and is renamed.
    const trimmed: StandInProduct[] = catalog
      .filter((product) => product.id !== 8000000003)
      .map((product) =>
        product.id === 8000000005
          ? { ...product, title: "Renamed", variants: product.variants.slice(0, 1) }
          : product,
      );
    standIn.setProducts(SHOP, trimmed);
    const second = await syncShopifyVariants(SHOP, graphql);

    expect(second).toMatchObject({ ok: true, variants: 17, created: 0, changed: 1, deleted: 3 });
    const deleted = await prisma.shopifyVariant.findMany({
      where: { shop: SHOP, deletedAt: { not: null } },
      orderBy: { shopifyVariantId: "asc" },
    });
    expect(deleted.map((row) => row.shopifyVariantId)).toEqual(["45000000005", "45000000006", "45000000010"]);

    standIn.setProducts(SHOP, catalog);
    const third = await syncShopifyVariants(SHOP, graphql);
    expect(third).toMatchObject({ ok: true, variants: 20, created: 0, changed: 4, deleted: 0 });
    expect(await prisma.shopifyVariant.count({ where: { shop: SHOP, deletedAt: null } })).toBe(20);
  });

  it("GIVEN a product deleted by webhook while a page holding it was in flight THEN the sync does not bring it back", async () => {
    standIn.setProducts(SHOP, generateProducts(4, 2));
    const graphql = await adminGraphql();
    await syncShopifyVariants(SHOP, graphql);

    let deletedMeanwhile = false;
    const racing: AdminGraphql = async (query, options) => {
      const response = await graphql(query, options);
      if (!deletedMeanwhile && query.includes("ShopifyVariantsPage")) {
        deletedMeanwhile = true;
        await markProductDeleted(SHOP, 8000000002);
      }
      return response;
    };
    expect(await syncShopifyVariants(SHOP, racing)).toMatchObject({ ok: true, variants: 8 });

    const product2 = await prisma.shopifyVariant.findMany({
      where: { shop: SHOP, shopifyProductId: "8000000002" },
    });
    expect(product2).toHaveLength(2);
    for (const row of product2) expect(row.deletedAt).not.toBeNull();
  });

  it("GIVEN a products/update queued before a full sync WHEN the worker applies it after the sync THEN the sync's newer read stays", async () => {
    const catalog = generateProducts(2, 2);
    standIn.setProducts(SHOP, catalog);
    // What Shopify said of product 1 a moment ago, still waiting for the worker…
    const older = { ...restProductPayload(catalog[0]!), title: "Title before the rename" };
    const request = signedWebhookRequest(`${TEST_APP_URL}/webhooks/products/update`, {
      topic: "products/update",
      shop: SHOP,
      body: older,
      secret: TEST_API_SECRET,
    });
    expect((await productsUpdate({ request, params: {}, context: {} })).status).toBe(200);
    // …then the full sync reads the product as it is now.
    await syncShopifyVariants(SHOP, await adminGraphql());

    expect(await applyQueuedProductUpdates()).toMatchObject({ applied: 1 });
    const listed = await listShopifyVariants(SHOP);
    expect(listed.variants.map((row) => row.productTitle)).toEqual([
      "Product 1",
      "Product 1",
      "Product 2",
      "Product 2",
    ]);
  });

  it("does not start a second sync of a shop while one runs, but takes over from one abandoned long ago", async () => {
    standIn.setProducts(SHOP, generateProducts(2, 1));
    const running = await prisma.syncRun.create({ data: { shop: SHOP, kind: "shopify_products" } });
    const graphql = await adminGraphql();

    expect(await syncShopifyVariants(SHOP, graphql)).toMatchObject({
      ok: false,
      reason: "already_running",
      runId: running.id,
    });
    expect(standIn.requests).toHaveLength(0);

    await prisma.syncRun.update({
      where: { id: running.id },
      data: { startedAt: new Date(Date.now() - 2 * 60 * 60_000) },
    });
    expect(await syncShopifyVariants(SHOP, graphql)).toMatchObject({ ok: true, variants: 2 });
    expect(await prisma.syncRun.findUniqueOrThrow({ where: { id: running.id } })).toMatchObject({
      status: "failed",
    });
  });

  it("keeps the default bucket Shopify's standard one", () => {
    expect(DEFAULT_BUCKET).toEqual({ maximumAvailable: 1000, restoreRate: 50 });
  });
});

describe("listShopifyVariants", () => {
  beforeEach(async () => {
    const products = generateProducts(12, 3, {
      titleFor: (p) => ["Tote", "apron", "Mug", "Cap"][p % 4]! + ` ${String(p).padStart(2, "0")}`,
      skuFor: (n) => (n % 5 === 0 ? `7300${n}` : `SKU-${n}`),
    });
    standIn.setProducts(SHOP, products);
    await syncShopifyVariants(SHOP, await adminGraphql());
    await markProductDeleted(SHOP, products[0]!.id);
    await prisma.variantMapping.createMany({
      data: ["45000000004", "45000000005"].map((shopifyVariantId) => ({
        shop: SHOP,
        shopifyVariantId,
        brilliantVariantId: "73002",
      })),
    });
  });

  async function everyPage(options: Parameters<typeof listShopifyVariants>[1]) {
    const seen: Awaited<ReturnType<typeof listShopifyVariants>>["variants"] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const result = await listShopifyVariants(SHOP, { ...options, cursor });
      seen.push(...result.variants);
      if (!result.nextCursor) return seen;
      cursor = result.nextCursor;
    }
    throw new Error("did not reach the last page");
  }

  it("pages through every active variant by product title then id, each once", async () => {
    const rows = await everyPage({ limit: 7 });
    expect(rows).toHaveLength(33);
    const keys = rows.map((row) => [row.productTitle, row.shopifyVariantId] as const);
    const sorted = [...keys].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
    expect(keys).toEqual(sorted);
    expect(new Set(rows.map((row) => row.id)).size).toBe(33);
    expect(rows.every((row) => row.deletedAt === null)).toBe(true);
  });

  it("filters deleted, mapped and unmapped variants, with each one's mapping", async () => {
    expect(await everyPage({ filter: "deleted" })).toHaveLength(3);
    expect(await everyPage({ filter: "all" })).toHaveLength(36);
    const mapped = await everyPage({ filter: "mapped" });
    expect(mapped.map((row) => [row.shopifyVariantId, row.mapping?.brilliantVariantId])).toEqual([
      ["45000000004", "73002"],
      ["45000000005", "73002"],
    ]);
    const unmapped = await everyPage({ filter: "unmapped", limit: 5 });
    expect(unmapped).toHaveLength(31);
    expect(unmapped.every((row) => row.mapping === null)).toBe(true);
  });

  it("searches titles, SKUs and barcodes case-insensitively, and ids exactly", async () => {
    const mugs = await everyPage({ search: "mug" });
    expect(mugs).toHaveLength(9);
    expect(mugs.every((row) => row.productTitle.startsWith("Mug"))).toBe(true);
    expect((await everyPage({ search: "73005" })).map((row) => row.sku)).toEqual(["73005"]);
    const aprons = await everyPage({ search: "APRON" });
    expect(aprons).toHaveLength(9);
    expect(aprons.every((row) => row.productTitle.startsWith("apron"))).toBe(true);
    const skus = await everyPage({ search: "sku-1" });
    expect(skus.length).toBeGreaterThan(0);
    expect(skus.every((row) => row.sku?.startsWith("SKU-1"))).toBe(true);
    expect((await everyPage({ search: "45000000007" })).map((row) => row.shopifyVariantId)).toEqual([
      "45000000007",
    ]);
    // LIKE wildcards are taken literally.
    expect(await everyPage({ search: "%" })).toHaveLength(0);
    expect(await everyPage({ search: "_" })).toHaveLength(0);
  });

  it("refuses a cursor it did not give out", async () => {
    await expect(listShopifyVariants(SHOP, { cursor: "not-a-cursor" })).rejects.toBeInstanceOf(
      InvalidVariantCursorError,
    );
  });
});
