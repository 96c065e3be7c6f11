import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import {
  forwardUntilSettled,
  ingest,
  makeForwarder,
  mapVariants,
  testOrder,
} from "../../tests/helpers/forwarding";
import { withBrilliant } from "../../tests/helpers/with-brilliant";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { SIM_API_KEY, SIM_API_SECRET, startSimulator } from "../../simulator/server";
import { createBrilliantClient } from "../integrations/brilliant/client.server";
import { syncBrilliantCatalog } from "./brilliant-catalog.server";
import { shopifyVariantFor } from "../../tests/helpers/forwarding";
import { openAlerts as homeAlerts } from "../orders/dashboard.server";
import { markNotShipped, unmarkNotShipped } from "./unshipped-variants.server";
import { removeMappings } from "./mapping.server";

const SHOP = "catalog-test.myshopify.com";
const INACTIVE_PRODUCT = 24506;
const world = withBrilliant(SHOP);
const client = () =>
  createBrilliantClient({ baseUrl: world.sim.url, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET });

const openAlerts = () =>
  prisma.alert.findMany({ where: { shop: SHOP, status: "open" }, orderBy: { key: "asc" } });

describe("Brilliant catalog sync", () => {
  it("stores every variant with stock, flags and images, and records the run", async () => {
    const result = await syncBrilliantCatalog(SHOP, client());
    expect(result).toMatchObject({ ok: true });
    const variants = await prisma.brilliantVariant.findMany({ where: { shop: SHOP } });
    expect(variants.length).toBeGreaterThan(10);
    expect(variants.find((v) => v.brilliantVariantId === String(V.untracked))).toMatchObject({
      inventoryCount: -1,
    });
    expect(variants.find((v) => v.brilliantVariantId === String(V.inactive))).toMatchObject({
      productInactive: true,
    });
    expect(variants.find((v) => v.brilliantVariantId === String(V.lowStock))).toMatchObject({
      inventoryCount: 2,
      inventoryRequired: true,
    });
    const run = await prisma.syncRun.findFirstOrThrow({ where: { shop: SHOP, kind: "brilliant_catalog" } });
    expect(run).toMatchObject({ status: "succeeded", processed: variants.length, total: variants.length });
  });

  it("raises inactive and low-stock alerts for mapped variants only, and closes them when the cause is gone", async () => {
    await mapVariants(SHOP, [V.inactive, V.lowStock]);
    await syncBrilliantCatalog(SHOP, client());
    expect((await openAlerts()).map((a) => a.key)).toEqual([
      `inactive:variant:${V.inactive}`,
      `lowstock:variant:${V.lowStock}`,
    ]);

    world.sim.setProductInactive(INACTIVE_PRODUCT, false);
    world.sim.setStock(V.lowStock, 50);
    await syncBrilliantCatalog(SHOP, client());
    expect(await openAlerts()).toEqual([]);
  });

  it("GIVEN a mapped variant low and one inactive at Brilliant WHEN the merchant marks them not shipped by Brilliant THEN Home shows no alert for them; taken off, they are watched again; unmapped, watched no more", async () => {
    for (const id of [V.inactive, V.lowStock]) {
      await prisma.shopifyVariant.create({
        data: {
          shop: SHOP,
          shopifyVariantId: String(shopifyVariantFor(id)),
          shopifyProductId: "700",
          productTitle: `Product ${id}`,
          sku: String(id),
          syncedAt: new Date(),
        },
      });
    }
    await mapVariants(SHOP, [V.inactive, V.lowStock]);
    await syncBrilliantCatalog(SHOP, client());
    const titles = async () => (await homeAlerts(SHOP)).map((alert) => alert.title.split(":")[0]).sort();
    expect(await titles()).toEqual(["Inactive at Brilliant", "Low stock at Brilliant"]);

    await markNotShipped(SHOP, [String(shopifyVariantFor(V.lowStock))]);
    expect(await titles()).toEqual(["Inactive at Brilliant"]);
    // Nor does the next catalog sync raise it again.
    await syncBrilliantCatalog(SHOP, client());
    expect(await titles()).toEqual(["Inactive at Brilliant"]);

    await unmarkNotShipped(SHOP, [String(shopifyVariantFor(V.lowStock))]);
    expect(await titles()).toEqual(["Inactive at Brilliant", "Low stock at Brilliant"]);

    await removeMappings(SHOP, [String(shopifyVariantFor(V.inactive))]);
    expect(await titles()).toEqual(["Low stock at Brilliant"]);
  });

  it("marks a variant that disappeared as removed, not deleted, and alerts when it is mapped", async () => {
    await mapVariants(SHOP, [V.teeMedium]);
    await syncBrilliantCatalog(SHOP, client());
    const store = await client().getStore();
    if (store.kind !== "ok") throw new Error("no store");
    // Brilliant drops the tee from the store.
    const { defaultCatalog } = await import("../../simulator/catalog");
    const products = defaultCatalog().map((p) => ({
      ...p,
      variants: p.variants.filter((v) => v.id !== V.teeMedium),
    }));
    const smaller = await startSimulator({
      stores: [{ key: SIM_API_KEY, secret: SIM_API_SECRET, products }],
    });
    try {
      await syncBrilliantCatalog(
        SHOP,
        createBrilliantClient({ baseUrl: smaller.url, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET }),
      );
    } finally {
      await smaller.close();
    }
    const tee = await prisma.brilliantVariant.findFirstOrThrow({
      where: { shop: SHOP, brilliantVariantId: String(V.teeMedium) },
    });
    expect(tee.removedAt).not.toBeNull();
    expect((await openAlerts()).map((a) => a.key)).toContain(`mapping:brilliant:${V.teeMedium}`);
  });

  it("GIVEN an order held for stock WHEN Brilliant restocks and the catalog syncs THEN it goes out by itself", async () => {
    await mapVariants(SHOP, [V.lowStock]);
    await ingest(SHOP, testOrder(1, [{ variant: V.lowStock, quantity: 5 }]));
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({
      state: "held",
      holdKind: "stock",
      lastCode: 2503,
    });

    await syncBrilliantCatalog(SHOP, client());
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({ state: "held" });

    world.sim.setStock(V.lowStock, 20);
    const result = await syncBrilliantCatalog(SHOP, client());
    expect(result).toMatchObject({ ok: true, released: 1 });
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({ state: "forwarded" });
    expect((await openAlerts()).filter((a) => a.kind === "stock" && a.key.startsWith("stock:"))).toEqual([]);
  });

  it("GIVEN an order held for an unmapped variant WHEN the merchant maps it THEN it goes out by itself, once", async () => {
    await ingest(SHOP, testOrder(2, [{ variant: V.teeMedium, quantity: 1 }]));
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({ state: "held", holdKind: "mapping" });

    await mapVariants(SHOP, [V.teeMedium]);
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({ state: "ready" });
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({ state: "forwarded" });
    expect(world.sim.ordersForShopifyOrder("900002")).toHaveLength(1);
    expect(await openAlerts()).toEqual([]);
  });

  it("records a failed run with the reason when Brilliant refuses the credentials", async () => {
    const result = await syncBrilliantCatalog(
      SHOP,
      createBrilliantClient({ baseUrl: world.sim.url, apiKey: "x", apiSecret: "y" }),
    );
    expect(result).toMatchObject({ ok: false });
    expect(await prisma.syncRun.findFirstOrThrow()).toMatchObject({ status: "failed" });
    expect((await openAlerts()).map((a) => a.kind)).toEqual(["credentials"]);
  });
});
