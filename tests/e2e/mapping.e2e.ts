import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";

import { createPrismaClient } from "../../app/db.server";
import { deliverWebhook } from "../../shopify-stand-in/webhooks";
import { testOrder } from "../helpers/test-order";
import { openAdmin, type AdminBrowser } from "./harness";

// Mapping in Chromium: a paid order for a Shopify variant nobody mapped is
// held; the merchant maps the variant from the picker, and the page says the
// held order was released. The test brings its own order and variant and
// removes them afterwards, so the demo's eight orders stay as the other e2e
// files expect them.

const VARIANT_ID = "990000001";
const ORDER_ID = 7_700_001;
const SKU = "E2E-MAPPING-TEE";

function paidOrder() {
  return testOrder(0, [], {
    id: ORDER_ID,
    name: "#E2E-MAP",
    line_items: [
      {
        id: 77_000_011,
        variant_id: Number(VARIANT_ID),
        product_id: 990000000,
        sku: SKU,
        title: "E2E Mapping Tee",
        quantity: 1,
        requires_shipping: true,
      },
    ],
  });
}

describe("mapping in Chromium", () => {
  let admin: AdminBrowser;
  let db: PrismaClient;

  async function orderState() {
    return db.order.findUnique({
      where: { shop_shopifyOrderId: { shop: admin.stack.shop, shopifyOrderId: String(ORDER_ID) } },
      select: { id: true, state: true, holdKind: true },
    });
  }

  beforeAll(async () => {
    admin = await openAdmin();
    db = createPrismaClient(admin.stack.databaseUrl);
    // The variant as "Sync Shopify products" would have stored it.
    await db.shopifyVariant.create({
      data: {
        shop: admin.stack.shop,
        shopifyVariantId: VARIANT_ID,
        shopifyProductId: "990000000",
        productTitle: "E2E Mapping Tee",
        variantTitle: "Default Title",
        sku: SKU,
        syncedAt: new Date(),
      },
    });
  });

  afterAll(async () => {
    if (db && admin) {
      const shop = admin.stack.shop;
      const order = await orderState();
      if (order) await db.order.delete({ where: { id: order.id } });
      await db.alert.deleteMany({ where: { shop, key: { contains: VARIANT_ID } } });
      await db.variantMapping.deleteMany({ where: { shop, shopifyVariantId: VARIANT_ID } });
      await db.shopifyVariant.deleteMany({ where: { shop, shopifyVariantId: VARIANT_ID } });
      await db.$disconnect();
    }
    await admin?.close();
  });

  it("maps a variant from the picker and releases the order held for it", async () => {
    const { page, stack } = admin;
    const status = await deliverWebhook(`${stack.appUrl}/webhooks/orders/paid`, {
      topic: "orders/paid",
      shop: stack.shop,
      body: paidOrder(),
      secret: stack.apiSecret,
    });
    expect(status).toBe(200);
    await expect.poll(async () => (await orderState())?.state, { timeout: 20_000 }).toBe("held");
    expect((await orderState())?.holdKind).toBe("mapping");

    // The unmapped variant, found by its SKU.
    await admin.goto(`/app/mappings?filter=unmapped&q=${SKU}`);
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: `SKU ${SKU}` });
    await expect.poll(() => row.isVisible()).toBe(true);
    expect(await row.getByText("Unmapped").isVisible()).toBe(true);
    // How many orders wait on it, so the merchant maps what matters first.
    expect(await row.getByText("1 order waiting").isVisible()).toBe(true);
    await admin.screenshot("mappings-unmapped");
    await row.getByRole("link", { name: "Map" }).click();

    // The picker: search the Brilliant catalog and pick a variant with stock.
    await expect.poll(() => page.getByText("Map E2E Mapping Tee").first().isVisible()).toBe(true);
    const search = page.getByPlaceholder("Search by product name, size, color, flavor or variant id");
    // Several words each narrow the search: "logo tee m" finds the medium tee among the sizes.
    await search.fill("logo tee m");
    await search.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("logo tee m");
    await expect
      .poll(() => page.locator(".Polaris-ResourceItem__ListItem").allInnerTexts())
      .toEqual([expect.stringContaining("M / Heather Gray")]);
    await search.fill("73002");
    await search.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("73002");
    const candidate = page.locator(".Polaris-ResourceItem__ListItem", { hasText: "#73002" });
    await expect.poll(() => candidate.count()).toBe(1);
    await admin.screenshot("mapping-picker");
    await candidate.getByRole("button", { name: /^Map to/ }).click();

    // Back on the list: the mapping is saved and the held order went out again.
    await expect
      .poll(() => page.getByText("1 held order released", { exact: false }).isVisible(), {
        timeout: 20_000,
      })
      .toBe(true);
    expect(new URL(page.url()).searchParams.get("q")).toBeNull();
    await admin.screenshot("mapping-released");
    expect(
      (await db.variantMapping.findFirst({ where: { shop: stack.shop, shopifyVariantId: VARIANT_ID } }))
        ?.brilliantVariantId,
    ).toBe("73002");
    await expect.poll(async () => (await orderState())?.state, { timeout: 20_000 }).toBe("forwarded");
    expect(admin.pageErrors).toEqual([]);
  });

  it("pages forward and back through the variants", async () => {
    const { page, stack } = admin;
    // More variants than a page holds (50), as a synced catalog would have them.
    const extra = Array.from({ length: 60 }, (_, index) => ({
      shop: stack.shop,
      shopifyVariantId: String(990_100_000 + index),
      shopifyProductId: "990100000",
      productTitle: "E2E Paging Tee",
      variantTitle: `Size ${String(index).padStart(2, "0")}`,
      sku: `E2E-PAGE-${String(index).padStart(2, "0")}`,
      syncedAt: new Date(),
    }));
    await db.shopifyVariant.createMany({ data: extra });
    try {
      const variantRows = page.locator(
        ".Polaris-IndexTable__TableRow:not(.Polaris-IndexTable__TableRow--subheader)",
      );
      await admin.goto("/app/mappings");
      await expect.poll(() => variantRows.count()).toBe(50);
      const firstOfPageOne = await variantRows.first().innerText();
      const previous = page.getByRole("button", { name: "Previous" });
      const next = page.getByRole("button", { name: "Next" });
      expect(await previous.isDisabled()).toBe(true);

      await next.click();
      await expect.poll(() => new URL(page.url()).searchParams.has("cursor")).toBe(true);
      await expect.poll(() => variantRows.first().innerText()).not.toBe(firstOfPageOne);
      expect(await previous.isDisabled()).toBe(false);
      await admin.screenshot("mappings-page-two");

      await previous.click();
      await expect.poll(() => new URL(page.url()).searchParams.has("before")).toBe(true);
      await expect.poll(() => variantRows.first().innerText()).toBe(firstOfPageOne);
      expect(await variantRows.count()).toBe(50);
      expect(admin.pageErrors).toEqual([]);
    } finally {
      await db.shopifyVariant.deleteMany({
        where: {
          shop: stack.shop,
          shopifyVariantId: { in: extra.map((variant) => variant.shopifyVariantId) },
        },
      });
    }
  });

  it("syncs Shopify products in the background and shows how far it got", async () => {
    const { page } = admin;
    await admin.goto("/app/mappings");
    await page.getByRole("button", { name: "Sync Shopify products now" }).click();
    await expect
      .poll(() =>
        page.getByText("Reading your Shopify products in the background", { exact: false }).isVisible(),
      )
      .toBe(true);
    // The page follows the run by itself until it ends, read from the Admin GraphQL stand-in.
    // The heading's block: the heading and its run line.
    const shopifyProducts = page
      .getByRole("heading", { name: "Shopify products", exact: true })
      .locator("xpath=..");
    await expect
      .poll(() => shopifyProducts.locator(".Polaris-Badge").first().innerText(), { timeout: 30_000 })
      .toMatch(/\bDone$/); // the badge reads its tone first, for screen readers
    // The button comes back once the page has read the finished run: a moment after the badge.
    await expect
      .poll(() => page.getByRole("button", { name: "Sync Shopify products now" }).isEnabled())
      .toBe(true);
    await admin.screenshot("mappings-shopify-synced");
    expect(admin.pageErrors).toEqual([]);
  });
});
