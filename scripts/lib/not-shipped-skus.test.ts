import { describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import {
  forwardUntilSettled,
  ingest,
  makeForwarder,
  shopifyVariantFor,
  testOrder,
} from "../../tests/helpers/forwarding";
import { withBrilliant } from "../../tests/helpers/with-brilliant";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { DEMO_NOT_SHIPPED_SKUS, realWorldSampleOrders } from "../demo/sample-orders";
import { markNotShippedSkus, parseSkuList } from "./not-shipped-skus";

// The demo's --not-shipped-skus: the variants with those SKUs are marked
// before any order is sent, so Brilliant (the simulator) never gets their lines.

const SHOP = "demo-flag.myshopify.com";
const world = withBrilliant(SHOP, { variants: [V.teeMedium] });

async function seedVariant(id: number, sku: string) {
  await prisma.shopifyVariant.create({
    data: {
      shop: SHOP,
      shopifyVariantId: String(id),
      shopifyProductId: "1",
      productTitle: sku,
      sku,
      syncedAt: new Date(),
    },
  });
}

describe("--not-shipped-skus", () => {
  it("reads a comma-separated list, ignoring blanks and repeats", () => {
    expect(parseSkuList(" CANDLE-LOCAL, MUG,,MUG ")).toEqual(["CANDLE-LOCAL", "MUG"]);
    expect(parseSkuList(undefined)).toEqual([]);
  });

  it("GIVEN the SKUs WHEN the demo marks them THEN their lines stay out of what Brilliant gets, and an unknown SKU is named", async () => {
    await seedVariant(shopifyVariantFor(99_002), "CANDLE-LOCAL");
    await seedVariant(shopifyVariantFor(V.teeMedium), String(V.teeMedium));

    const said = await markNotShippedSkus(SHOP, ["CANDLE-LOCAL", "NOPE"]);
    expect(said).toMatch(/^Marked 1 variant\(s\) with SKU CANDLE-LOCAL, NOPE not shipped by Brilliant/);
    expect(said).toMatch(/No variant has SKU NOPE\.$/);

    const body = testOrder(1, [
      { variant: V.teeMedium, quantity: 1 },
      { variant: 99_002, quantity: 1 },
    ]);
    await ingest(SHOP, body);
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    const [received, ...more] = world.sim.acceptedOrders();
    expect(more).toHaveLength(0);
    expect(received!.order.order_items).toEqual([{ variant_id: V.teeMedium, quantity: 1, notes: null }]);
  });

  it("has the sample mixed cart's own-stock line under the SKU the demo marks by default", () => {
    const skus = realWorldSampleOrders().flatMap((sample) =>
      (sample.body.line_items as { sku: string }[]).map((line) => line.sku),
    );
    expect(skus).toEqual(expect.arrayContaining(DEMO_NOT_SHIPPED_SKUS));
  });
});
