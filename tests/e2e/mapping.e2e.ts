import { readFileSync } from "node:fs";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";

import { createPrismaClient } from "../../app/db.server";
import { deliverWebhook } from "../../shopify-stand-in/webhooks";
import { testOrder } from "../helpers/test-order";
import { openAdminAround, type AdminBrowser } from "./harness";

// Mapping in Chromium: a paid order for a Shopify variant nobody mapped is
// held; the merchant maps the variant from the picker, and the page says the
// held order was released. The test brings its own order and variant and
// removes them afterwards, so the demo's eight orders stay as the other e2e
// files expect them.

const VARIANT_ID = "990000001";
const ORDER_ID = 7_700_001;
const SKU = "E2E-MAPPING-TEE";
/** A candle the merchant ships from their own stock: marked "not shipped by Brilliant". */
const CANDLE = { variantId: "990000002", orderId: 7_700_002, sku: "E2E-OWN-CANDLE", title: "E2E Own Candle" };

function paidOrder(
  item = { variantId: VARIANT_ID, orderId: ORDER_ID, sku: SKU, title: "E2E Mapping Tee" },
  name = "#E2E-MAP",
) {
  return testOrder(0, [], {
    id: item.orderId,
    name,
    line_items: [
      {
        id: item.orderId * 10 + 1,
        variant_id: Number(item.variantId),
        product_id: 990000000,
        sku: item.sku,
        title: item.title,
        quantity: 1,
        requires_shipping: true,
      },
    ],
  });
}

describe("mapping in Chromium", () => {
  let admin: AdminBrowser;
  let db: PrismaClient;

  async function orderState(orderId = ORDER_ID) {
    return db.order.findUnique({
      where: { shop_shopifyOrderId: { shop: admin.stack.shop, shopifyOrderId: String(orderId) } },
      select: { id: true, state: true, holdKind: true, stateReason: true },
    });
  }

  openAdminAround((opened) => (admin = opened));

  beforeAll(async () => {
    db = createPrismaClient(admin.stack.databaseUrl);
    // The variants as "Sync Shopify products" would have stored them.
    for (const variant of [
      { id: VARIANT_ID, title: "E2E Mapping Tee", sku: SKU },
      { id: CANDLE.variantId, title: CANDLE.title, sku: CANDLE.sku },
    ]) {
      await db.shopifyVariant.create({
        data: {
          shop: admin.stack.shop,
          shopifyVariantId: variant.id,
          shopifyProductId: "990000000",
          productTitle: variant.title,
          variantTitle: "Default Title",
          sku: variant.sku,
          syncedAt: new Date(),
        },
      });
    }
  });

  afterAll(async () => {
    if (!db) return;
    const shop = admin.stack.shop;
    const variantIds = [VARIANT_ID, CANDLE.variantId];
    for (const orderId of [ORDER_ID, CANDLE.orderId]) {
      const order = await orderState(orderId);
      if (order) await db.order.delete({ where: { id: order.id } });
    }
    for (const id of variantIds) await db.alert.deleteMany({ where: { shop, key: { contains: id } } });
    await db.variantMapping.deleteMany({ where: { shop, shopifyVariantId: { in: variantIds } } });
    await db.unshippedVariant.deleteMany({ where: { shop, shopifyVariantId: { in: variantIds } } });
    await db.shopifyVariant.deleteMany({ where: { shop, shopifyVariantId: { in: variantIds } } });
    await db.$disconnect();
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

  it("marks a variant the merchant ships himself as not shipped by Brilliant: the order held for it is skipped with the reason, and the variant is under its tab", async () => {
    const { page, stack } = admin;
    const status = await deliverWebhook(`${stack.appUrl}/webhooks/orders/paid`, {
      topic: "orders/paid",
      shop: stack.shop,
      body: paidOrder(CANDLE, "#E2E-CANDLE"),
      secret: stack.apiSecret,
    });
    expect(status).toBe(200);
    await expect
      .poll(async () => (await orderState(CANDLE.orderId))?.state, { timeout: 20_000 })
      .toBe("held");

    await admin.goto(`/app/mappings?filter=unmapped&q=${CANDLE.sku}`);
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: `SKU ${CANDLE.sku}` });
    await expect.poll(() => row.isVisible()).toBe(true);
    await row.getByRole("button", { name: "Not shipped by Brilliant" }).click();
    expect(
      await page.getByText("Leave it out of every order sent to Brilliant?", { exact: false }).isVisible(),
    ).toBe(true);
    await page.getByRole("button", { name: "Leave it out" }).click();
    await expect
      .poll(() =>
        page.getByText("1 variant marked not shipped by Brilliant", { exact: false }).first().isVisible(),
      )
      .toBe(true);
    await admin.screenshot("mappings-not-shipped-marked");

    // Its only line is not Brilliant's: nothing to send, skipped with the reason, never held.
    await expect
      .poll(async () => (await orderState(CANDLE.orderId))?.state, { timeout: 20_000 })
      .toBe("skipped");

    // The tab lists it, badged, with the way back.
    await admin.goto("/app/mappings?filter=not_shipped");
    const marked = page.locator(".Polaris-IndexTable__TableRow", { hasText: `SKU ${CANDLE.sku}` });
    await expect.poll(() => marked.isVisible()).toBe(true);
    expect(await marked.getByText("Not shipped by Brilliant").first().isVisible()).toBe(true);
    expect(await marked.getByRole("button", { name: "Ship with Brilliant" }).isVisible()).toBe(true);
    await admin.screenshot("mappings-not-shipped-tab");

    // The order's page says which line stayed and why.
    await admin.goto(`/app/orders/${(await orderState(CANDLE.orderId))!.id}`);
    await expect.poll(() => page.getByText("Not sent to Brilliant").first().isVisible()).toBe(true);
    expect(await page.getByText("Not shipped by Brilliant", { exact: false }).first().isVisible()).toBe(true);
    // Nothing was sent, and nothing held it last: no answer Brilliant "would have" given.
    expect(await page.getByText("it would have answered", { exact: false }).count()).toBe(0);
    await admin.screenshot("order-not-shipped-line");
  });

  it("exports the mappings as CSV, with product and variant names, and the file re-imported unedited reports no error and nothing to change", async () => {
    const { page } = admin;
    await admin.goto("/app/mappings");
    const download = page.waitForEvent("download");
    await page.locator("ui-title-bar").getByRole("button", { name: "Export CSV" }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, "utf8");
    const [header, ...lines] = csv.trim().split(/\r?\n/);
    expect(header).toMatch(/product/i);
    expect(lines.length).toBeGreaterThan(0);
    expect(csv).toContain("Classic Logo Tee");

    await page.locator("ui-title-bar").getByRole("button", { name: "Import CSV" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app/mappings/import");
    await page.locator('input[type="file"]').setInputFiles(file);
    await expect.poll(() => page.getByText("Error: 0").isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByText("New: 0").isVisible()).toBe(true);
    expect(await page.getByText("Change: 0").isVisible()).toBe(true);
    // Every row read back as it is: unchanged, or an unmapped variant left as it was.
    const count = async (label: string) =>
      Number((await page.getByText(new RegExp(`^${label}: \\d+$`)).innerText()).split(": ")[1]);
    expect((await count("Unchanged")) + (await count("Skipped"))).toBe(lines.length);
    await admin.screenshot("mappings-csv-reimported");
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
