import { beforeEach, describe, expect, it } from "vitest";

import prisma from "../db.server";
import type { AdminGraphql } from "../integrations/shopify-admin.server";
import { serializeLineChanges } from "../orders/line-changes";
import { transition } from "../orders/state.server";
import { syncDueCatalogs } from "../worker/chores.server";
import { action as settingsAction, loader as settingsLoader } from "../routes/app.settings";
import {
  adminGraphqlFor,
  seedStandInSession,
  withShopifyAndBrilliant,
} from "../../tests/helpers/admin-graphql";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import {
  forwardAllQuickly,
  ingest,
  makeForwarder,
  mapVariants,
  shopifyVariantFor,
  testOrder,
} from "../../tests/helpers/forwarding";
import { settingsForm } from "../../tests/helpers/settings-form";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import {
  inventoryItemIdOf,
  locationGid,
  restProductPayload,
  STAND_IN_LOCATION,
  type StandInProduct,
} from "../../shopify-stand-in/admin-graphql";
import { applyProductWebhook, parseProductWebhook } from "./shopify-product-webhooks.server";
import { syncShopifyVariants } from "./shopify-variant-sync.server";
import { markNotShipped } from "./unshipped-variants.server";
import { SHOPIFY_STOCK_SYNC, syncStockToShopify } from "./stock-to-shopify.server";

// Stock back to Shopify through the worker's real path: the catalog read from
// the simulator, the shop's variants and their inventory items read from the
// Admin GraphQL stand-in, and quantities set there with compare-and-swap.

const SHOP = "stock-sync.myshopify.com";
const SETTINGS_URL = "https://brilliant-sync.test/app/settings";
const LOCATION = STAND_IN_LOCATION.id;
const world = withShopifyAndBrilliant([SHOP]);

const BOTTLE_BLACK = 73011; // 30 at Brilliant; not tracked in Shopify below
const DAD_HAT = 73061; // 15 at Brilliant; marked not shipped by Brilliant below
const TEE_SMALL = 73001; // 40 at Brilliant; not stocked at the location below
const MAPPED = [V.teeMedium, V.lowStock, V.stockNotRequired, V.untracked, BOTTLE_BLACK, DAD_HAT, TEE_SMALL];

/** What Shopify shows at the location before any run, by Brilliant variant. */
const SHOPIFY_AVAILABLE: Record<number, number> = {
  [V.teeMedium]: 10,
  [V.lowStock]: 2,
  [V.stockNotRequired]: 0,
  [V.untracked]: 7,
  [BOTTLE_BLACK]: 4,
  [DAD_HAT]: 9,
};

const item = (brilliantVariantId: number) => inventoryItemIdOf({ id: shopifyVariantFor(brilliantVariantId) });
const available = (brilliantVariantId: number) =>
  world.standIn.available(SHOP, item(brilliantVariantId), LOCATION);

function products(untrackedInShopify: number[] = [BOTTLE_BLACK]): StandInProduct[] {
  return MAPPED.map((id) => ({
    id: 8_100_000_000 + id,
    title: `Brilliant ${id}`,
    variants: [
      {
        id: shopifyVariantFor(id),
        title: "Default Title",
        sku: String(id),
        barcode: null,
        tracked: !untrackedInShopify.includes(id),
      },
    ],
  }));
}

async function chooseLocation(id: number | null) {
  await prisma.shopSettings.update({
    where: { shop: SHOP },
    data: {
      stockSyncLocationId: id ? locationGid(id) : null,
      stockSyncLocationName: id ? "Shop location" : null,
    },
  });
}

/** The worker's catalog chore, with the shop due (Brilliant's catalog read, then stock set in Shopify). */
const runChore = () => syncDueCatalogs(makeForwarder(world.sim.url), 1);

const stockRuns = () =>
  prisma.syncRun.findMany({ where: { shop: SHOP, kind: SHOPIFY_STOCK_SYNC }, orderBy: { startedAt: "asc" } });
const setRequests = () => world.standIn.requests.filter((request) => request.operation === "StockSyncSet");

beforeEach(async () => {
  world.standIn.setProducts(SHOP, products());
  for (const [id, quantity] of Object.entries(SHOPIFY_AVAILABLE)) {
    world.standIn.setAvailable(SHOP, item(Number(id)), LOCATION, quantity);
  }
  await mapVariants(SHOP, MAPPED);
  expect(await syncShopifyVariants(SHOP, await adminGraphqlFor(SHOP))).toMatchObject({ ok: true });
  await markNotShipped(SHOP, [String(shopifyVariantFor(DAD_HAT))]);
  await chooseLocation(LOCATION);
  world.standIn.requests.length = 0;
});

/** An order recorded as its webhook records it, then moved as the test says. */
async function orderOf(number: number, lines: { variant: number; quantity: number }[]) {
  return (await ingest(SHOP, testOrder(number, lines))).orderId;
}

describe("the Shopify variant sync and products webhooks", () => {
  it("store each variant's inventory item and whether Shopify tracks it", async () => {
    const rows = await prisma.shopifyVariant.findMany({
      where: {
        shop: SHOP,
        shopifyVariantId: { in: [V.teeMedium, BOTTLE_BLACK].map((id) => String(shopifyVariantFor(id))) },
      },
      orderBy: { shopifyVariantId: "asc" },
    });
    expect(rows.map((row) => [row.inventoryItemId, row.inventoryTracked])).toEqual([
      [`gid://shopify/InventoryItem/${item(V.teeMedium)}`, true],
      [`gid://shopify/InventoryItem/${item(BOTTLE_BLACK)}`, false],
    ]);

    // products/update names the item; one that does not say keeps what the sync stored.
    const [product] = products().filter(
      (candidate) => candidate.variants[0]!.id === shopifyVariantFor(V.teeMedium),
    );
    const payload = restProductPayload({
      ...product!,
      variants: [{ ...product!.variants[0]!, inventoryItemId: 77 }],
    });
    await applyProductWebhook(SHOP, parseProductWebhook(payload).data!, new Date());
    const variantId = String(shopifyVariantFor(V.teeMedium));
    const updated = await prisma.shopifyVariant.findFirstOrThrow({
      where: { shop: SHOP, shopifyVariantId: variantId },
    });
    expect(updated).toMatchObject({
      inventoryItemId: "gid://shopify/InventoryItem/77",
      inventoryTracked: true,
    });
    const withoutItem = structuredClone(payload) as { variants: Record<string, unknown>[] };
    delete withoutItem.variants[0]!.inventory_item_id;
    await applyProductWebhook(SHOP, parseProductWebhook(withoutItem).data!, new Date());
    expect(
      await prisma.shopifyVariant.findFirstOrThrow({ where: { shop: SHOP, shopifyVariantId: variantId } }),
    ).toMatchObject({ inventoryItemId: "gid://shopify/InventoryItem/77" });
  });
});

describe("stock back to Shopify", () => {
  it("GIVEN orders not yet at Brilliant WHEN the worker syncs the catalog THEN Shopify's available is Brilliant's count less what they will take, only changes are written, and Settings shows the run", async () => {
    // Forwarded before the catalog is read: already out of Brilliant's count (55 - 4 = 51).
    await orderOf(1, [{ variant: V.teeMedium, quantity: 4 }]);
    await forwardAllQuickly(world.sim.url);
    // Received: owes 3 tees and 1 low-stock tee.
    await orderOf(2, [
      { variant: V.teeMedium, quantity: 3 },
      { variant: V.lowStock, quantity: 1 },
    ]);
    // Held for review, its low-stock line sent as a medium tee instead and its notebooks left out: owes 1 tee.
    const held = await orderOf(3, [
      { variant: V.lowStock, quantity: 1 },
      { variant: V.stockNotRequired, quantity: 2 },
    ]);
    await transition({
      shop: SHOP,
      orderId: held,
      from: "received",
      to: "held",
      actor: "system",
      reason: "Test: review.",
      holdKind: "review",
    });
    const at = new Date().toISOString();
    await prisma.order.update({
      where: { id: held },
      data: {
        lineChanges: serializeLineChanges([
          { lineItemId: "300", action: "substitute", brilliantVariantId: String(V.teeMedium), at },
          { lineItemId: "301", action: "omit", at },
        ]),
      },
    });
    // Skipped: owes nothing.
    const skipped = await orderOf(4, [{ variant: V.teeMedium, quantity: 5 }]);
    await transition({
      shop: SHOP,
      orderId: skipped,
      from: "received",
      to: "skipped",
      actor: "merchant",
      reason: "Test: skipped.",
    });

    await runChore();

    expect(available(V.teeMedium)).toBe(51 - 3 - 1);
    expect(available(V.lowStock)).toBe(2 - 1);
    expect(available(V.stockNotRequired)).toBe(5);
    // Untracked at Brilliant (-1), untracked in Shopify, not shipped by Brilliant: as they were.
    expect(available(V.untracked)).toBe(7);
    expect(available(BOTTLE_BLACK)).toBe(4);
    expect(available(DAD_HAT)).toBe(9);
    expect(available(TEE_SMALL)).toBeNull();
    expect(
      world.standIn.inventoryChanges(SHOP).map((change) => [change.inventoryItemId, change.delta]),
    ).toEqual([
      [item(V.teeMedium), 37],
      [item(V.lowStock), -1],
      [item(V.stockNotRequired), 5],
    ]);
    const [run] = await stockRuns();
    expect(run).toMatchObject({ status: "succeeded", processed: 3, ingested: 3, failed: 0, total: 4 });
    expect(run!.summary).toBe(
      "3 read at Shop location: 3 set, 0 already right. Left alone: 2 not tracked, 1 not shipped by Brilliant, 1 not stocked at Shop location.",
    );

    // A second run finds nothing to change and writes nothing.
    world.standIn.requests.length = 0;
    await runChore();
    expect(setRequests()).toHaveLength(0);
    expect(world.standIn.inventoryChanges(SHOP)).toHaveLength(3);
    expect((await stockRuns())[1]).toMatchObject({ status: "succeeded", processed: 3, ingested: 0 });
    expect((await stockRuns())[1]!.summary).toMatch(/^3 read at Shop location: 0 set, 3 already right\./);

    // Settings shows the last run with its counts.
    await seedAdminShop(SHOP);
    await seedStandInSession(SHOP);
    const page = await (
      await callRoute(settingsLoader, await adminRequest(SETTINGS_URL, { shop: SHOP }))
    ).json();
    expect(page.stockSync.saved).toEqual({ id: locationGid(LOCATION), name: "Shop location" });
    expect(page.stockSync.last).toMatchObject({ status: "succeeded", read: 3, changed: 0, failed: 0 });
    expect(page.stockSync.last.summary).toMatch(/3 already right/);
  });

  it("GIVEN a sale in Shopify between the read and the write THEN it is not overwritten, it is counted, and the rest is set; the next run sets it", async () => {
    await runChore(); // the catalog, as the worker keeps it
    world.standIn.setAvailable(SHOP, item(V.teeMedium), LOCATION, 10);
    world.standIn.setAvailable(SHOP, item(V.lowStock), LOCATION, 0);
    world.standIn.requests.length = 0;
    const graphql = await adminGraphqlFor(SHOP);
    let sold = false;
    const sellingMeanwhile: AdminGraphql = async (query, options) => {
      const response = await graphql(query, options);
      if (!sold && query.includes("StockSyncLevels")) {
        sold = true;
        world.standIn.setAvailable(SHOP, item(V.teeMedium), LOCATION, 9);
      }
      return response;
    };

    const result = await syncStockToShopify(SHOP, sellingMeanwhile);

    expect(result).toMatchObject({ ok: true, counts: { mismatches: 1, changed: 1, failed: 0 } });
    expect(available(V.teeMedium)).toBe(9);
    expect(available(V.lowStock)).toBe(2);
    expect(result.summary).toMatch(/1 changed in Shopify meanwhile \(read again next time\)/);
    const [first] = setRequests().map((request) => request.variables as { input: { quantities: unknown[] } });
    expect(first!.input.quantities).toContainEqual({
      inventoryItemId: `gid://shopify/InventoryItem/${item(V.teeMedium)}`,
      locationId: locationGid(LOCATION),
      quantity: 55,
      changeFromQuantity: 10,
    });

    expect(await syncStockToShopify(SHOP, graphql)).toMatchObject({
      ok: true,
      counts: { changed: 1, mismatches: 0 },
    });
    expect(available(V.teeMedium)).toBe(55);
  });

  it("GIVEN a variant Shopify stopped tracking since the products sync THEN its quantity is left alone", async () => {
    world.standIn.setProducts(SHOP, products([BOTTLE_BLACK, V.teeMedium]));
    await runChore();
    expect(available(V.teeMedium)).toBe(10);
    expect(available(V.lowStock)).toBe(2);
    const [run] = await stockRuns();
    expect(run!.summary).toMatch(/Left alone: 3 not tracked/);
  });

  it("GIVEN no location chosen THEN nothing is read or written in Shopify and no run is recorded", async () => {
    await chooseLocation(null);
    await runChore();
    expect(await prisma.brilliantVariant.count({ where: { shop: SHOP } })).toBeGreaterThan(0);
    expect(world.standIn.requests.filter((request) => request.operation?.startsWith("StockSync"))).toEqual(
      [],
    );
    expect(await stockRuns()).toEqual([]);
    expect(await syncStockToShopify(SHOP, await adminGraphqlFor(SHOP))).toMatchObject({
      ok: false,
      reason: "off",
    });
  });

  it("GIVEN an empty bucket THEN it waits for Shopify to refill it and sets everything", async () => {
    await runChore();
    await prisma.syncRun.deleteMany({ where: { shop: SHOP, kind: SHOPIFY_STOCK_SYNC } });
    for (const [id, quantity] of Object.entries(SHOPIFY_AVAILABLE)) {
      world.standIn.setAvailable(SHOP, item(Number(id)), LOCATION, quantity);
    }
    world.standIn.setBucket({ maximumAvailable: 100, restoreRate: 200 });
    world.standIn.drain(SHOP);
    world.standIn.requests.length = 0;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
    };

    const result = await syncStockToShopify(SHOP, await adminGraphqlFor(SHOP), { sleep });

    expect(result).toMatchObject({ ok: true, counts: { changed: 2, unchanged: 1 } });
    expect(available(V.teeMedium)).toBe(55);
    const stock = world.standIn.requests.filter((request) => request.operation?.startsWith("StockSync"));
    expect(stock[0]!.errorCode).toBe("THROTTLED");
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1_000);
  });

  it("GIVEN Shopify keeps throttling past the retries allowed THEN the run fails with why, and nothing is set", async () => {
    await runChore();
    world.standIn.setAvailable(SHOP, item(V.teeMedium), LOCATION, 10);
    world.standIn.setBucket({ maximumAvailable: 100, restoreRate: 0 });
    world.standIn.drain(SHOP);

    const result = await syncStockToShopify(SHOP, await adminGraphqlFor(SHOP), {
      sleep: async () => {},
      maxThrottleRetries: 2,
    });

    expect(result).toMatchObject({ ok: false, reason: "failed" });
    expect(available(V.teeMedium)).toBe(10);
    const last = (await stockRuns()).at(-1)!;
    expect(last).toMatchObject({ status: "failed" });
    expect(last.summary).toMatch(/kept throttling/);
  });
});

describe("Settings → Stock in Shopify", () => {
  const load = async () =>
    (await callRoute(settingsLoader, await adminRequest(SETTINGS_URL, { shop: SHOP }))).json();

  beforeEach(async () => {
    await seedAdminShop(SHOP);
    await seedStandInSession(SHOP);
  });

  it("lists the shop's active locations from Shopify, with the saved choice", async () => {
    world.standIn.setLocations(SHOP, [
      { id: LOCATION, name: "Shop location" },
      { id: 42, name: "Pop-up", fulfillsOnlineOrders: false },
      { id: 43, name: "Closed store", isActive: false },
    ]);
    const page = await load();
    expect(page.stockSync).toMatchObject({
      saved: { id: locationGid(LOCATION), name: "Shop location" },
      unreadable: null,
      last: null,
      locations: [
        { id: locationGid(LOCATION), name: "Shop location", fulfillsOnlineOrders: true },
        { id: locationGid(42), name: "Pop-up", fulfillsOnlineOrders: false },
      ],
    });
    expect(page.settings).toMatchObject({ stockSyncLocationId: locationGid(LOCATION) });
  });

  it("GIVEN Shopify unreadable THEN the page says so and keeps the saved choice", async () => {
    world.standIn.failNext("StockSyncLocations", { status: 500, times: 10 });
    const response = await callRoute(settingsLoader, await adminRequest(SETTINGS_URL, { shop: SHOP }));
    expect(response.status).toBe(200);
    const page = await response.json();
    expect(page.stockSync).toMatchObject({
      saved: { id: locationGid(LOCATION), name: "Shop location" },
      locations: null,
    });
    expect(page.stockSync.unreadable).toMatch(/HTTP 500|Shopify/);
    world.standIn.failNext("StockSyncLocations", { times: 0 });
  });

  it("refuses a location that is not a Shopify location id, writing nothing", async () => {
    const response = await callRoute(
      settingsAction,
      await adminRequest(SETTINGS_URL, {
        shop: SHOP,
        method: "POST",
        body: settingsForm({ stockSyncLocationId: "warehouse" }),
      }),
    );
    expect(response.status).toBe(422);
    expect((await response.json()).fieldErrors.stockSyncLocationId).toMatch(/Choose one of your locations/);
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      stockSyncLocationId: locationGid(LOCATION),
    });
  });

  it("saves the location chosen for the token's shop, and Off clears it", async () => {
    const post = async (fields: Record<string, string>) =>
      callRoute(
        settingsAction,
        await adminRequest(SETTINGS_URL, { shop: SHOP, method: "POST", body: settingsForm(fields) }),
      );
    expect(
      (await post({ stockSyncLocationId: locationGid(42), stockSyncLocationName: "Back room" })).status,
    ).toBe(200);
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      stockSyncLocationId: locationGid(42),
      stockSyncLocationName: "Back room",
    });
    expect((await post({ stockSyncLocationId: "" })).status).toBe(200);
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      stockSyncLocationId: null,
      stockSyncLocationName: null,
    });
  });
});
