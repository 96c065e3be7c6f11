import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import type { Page } from "playwright-core";

import { createPrismaClient } from "../../app/db.server";
import { openAdminAround, type AdminBrowser } from "./harness";

// Runs first (vitest.e2e.config.ts): it reads the demo's eight orders as seeded.

describe("home page in Chromium", () => {
  let admin: AdminBrowser;
  let db: PrismaClient;
  openAdminAround((opened) => (admin = opened));
  beforeAll(() => {
    db = createPrismaClient(admin.stack.databaseUrl);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("shows every open alert with its orders and fix, the counts, and every held order's reason and next step", async () => {
    const { page } = admin;
    await admin.goto("/app");
    await expect.poll(() => page.getByText("Held orders (4)").isVisible()).toBe(true);

    // The App Bridge stand-in: title bar and nav menu.
    expect(await page.locator("ui-title-bar").getAttribute("title")).toBe("Brilliant Sync");
    for (const [label, href] of [
      ["Home", "/app"],
      ["Orders", "/app/orders"],
      ["Mappings", "/app/mappings"],
      ["Settings", "/app/settings"],
    ] as const) {
      const link = page.locator("ui-nav-menu a", { hasText: label });
      expect(await link.isVisible()).toBe(true);
      expect(await link.getAttribute("href")).toBe(href);
    }

    // Alerts, each naming its orders and where to fix it.
    const mapping = page.locator(".Polaris-Banner", {
      hasText: "Launch Poster 18x24 cannot be sent to Brilliant",
    });
    await expect.poll(() => mapping.isVisible()).toBe(true);
    expect(await mapping.getByRole("link", { name: "#1002" }).getAttribute("href")).toMatch(
      /^\/app\/orders\//,
    );
    // The fix leads to the variant itself, not the whole mappings list.
    expect(await mapping.getByRole("link", { name: "Map the variant" }).getAttribute("href")).toMatch(
      /^\/app\/mappings\/\d+$/,
    );
    const address = page.locator(".Polaris-Banner", {
      hasText: "Order #1007 has an address Brilliant cannot ship to",
    });
    expect(await address.isVisible()).toBe(true);
    expect(
      await page.locator(".Polaris-Banner", { hasText: "Inactive at Brilliant" }).first().isVisible(),
    ).toBe(true);
    expect(
      await page.locator(".Polaris-Banner", { hasText: "Not enough stock at Brilliant" }).first().isVisible(),
    ).toBe(true);
    // Low stock from the catalog, before any order is held for it.
    expect(
      await page.locator(".Polaris-Banner", { hasText: "Low stock at Brilliant" }).first().isVisible(),
    ).toBe(true);

    // Held orders: name, reason, next step.
    const held = page.locator(".Polaris-ShadowBevel", { hasText: "Held orders (4)" });
    for (const [name, step] of [
      ["#1002", "Map the variant"],
      ["#1003", "Map to a variant in stock, or resubmit once Brilliant restocks"],
      ["#1004", "Map to an active variant"],
      ["#1007", "Fix the shipping address"],
    ] as const) {
      expect(await held.getByRole("link", { name: `${step} for order ${name}` }).isVisible()).toBe(true);
    }
    // A step is a link of its own: it opens the variant's mapping, not the order its row opens.
    await held.getByRole("link", { name: "Map the variant for order #1002" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/app\/mappings\/\d+$/);
    await admin.goto("/app");
    await expect.poll(() => held.getByText('the name "Ontario"', { exact: false }).isVisible()).toBe(true);
    // The address step opens the order at its address form, in view.
    await held.getByRole("link", { name: "Fix the shipping address for order #1007" }).click();
    await expect.poll(() => new URL(page.url()).hash).toBe("#shipping-address");
    await expect.poll(() => page.getByLabel("State or province", { exact: true }).isVisible()).toBe(true);
    expect(
      await page.locator("#shipping-address").evaluate((node) => node.getBoundingClientRect().top),
    ).toBeLessThan(await page.evaluate(() => window.innerHeight));
    await admin.goto("/app");

    // Counts and the chart.
    expect(await page.getByRole("link", { name: "4 held: show them" }).isVisible()).toBe(true);
    expect(
      await page.getByRole("img", { name: /Brilliant's answers per day for the last 14 days/ }).isVisible(),
    ).toBe(true);

    await admin.screenshot("dashboard");
    expect(admin.pageErrors).toEqual([]);
  });

  it("switches the chart to 30 days and opens the held orders from their count", async () => {
    const { page } = admin;
    await page.getByRole("link", { name: "30 days" }).click();
    await expect.poll(() => page.getByRole("img", { name: /last 30 days/ }).isVisible()).toBe(true);
    await page.getByRole("link", { name: /4 held: show them/ }).click();
    await expect
      .poll(() => new URL(page.url()).pathname + new URL(page.url()).search)
      .toBe("/app/orders?state=held");
    await expect.poll(() => page.locator(".Polaris-IndexTable__TableRow").count()).toBe(4);
    expect(admin.pageErrors).toEqual([]);
  });

  /**
   * Records a held order as the forwarder leaves it, then checks the home
   * page's held list: the order's reason, its next step (a button), and that
   * the step opens the order's page; `onOrderPage` checks that page further.
   */
  async function withHeldOrder(
    order: { number: number; name: string; holdKind: string; stateReason: string },
    expected: {
      reason: string;
      step: string;
      screenshot: string;
      onOrderPage?: (page: Page) => Promise<void>;
    },
  ) {
    const shop = admin.stack.shop;
    const { number, name, holdKind, stateReason } = order;
    const created = await db.order.create({
      data: {
        shop,
        shopifyOrderId: String(number),
        name,
        payload: JSON.stringify({
          id: number,
          name,
          financial_status: "paid",
          line_items: [{ id: number * 10 + 1, variant_id: 45_000_000_001, sku: "73002", quantity: 1 }],
        }),
        state: "held",
        holdKind,
        stateReason,
      },
    });
    try {
      const { page } = admin;
      await admin.goto("/app");
      const held = page.locator(".Polaris-ShadowBevel", { hasText: "Held orders (5)" });
      await expect.poll(() => held.isVisible()).toBe(true);
      const item = held.locator("li", { hasText: name });
      expect(await item.getByText(expected.reason).isVisible()).toBe(true);
      const step = item.getByRole("link", { name: `${expected.step} for order ${name}` });
      expect(await step.isVisible()).toBe(true);
      await admin.screenshot(expected.screenshot);
      await step.click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/app/orders/${created.id}`);
      await expected.onOrderPage?.(page);
      expect(admin.pageErrors).toEqual([]);
    } finally {
      await db.orderTransition.deleteMany({ where: { shop, orderId: created.id } });
      await db.order.delete({ where: { id: created.id } });
    }
  }

  it("lists an order Shopify holds for fulfillment with its reason and next step", async () => {
    // The hold itself (webhook, lookup, state change) is tested in
    // app/routes/webhooks.fulfillment-holds.test.ts; here the order is
    // recorded as that path leaves it, to see what the merchant sees.
    await withHeldOrder(
      {
        number: 7_700_201,
        name: "#E2E-HOLD",
        holdKind: "fulfillment_hold",
        stateReason:
          "Shopify holds this order's fulfillment (awaiting payment). " +
          "It goes to Brilliant once the hold is released in Shopify.",
      },
      {
        reason: "Shopify holds this order's fulfillment (awaiting payment)",
        step: "Release the fulfillment hold in Shopify",
        screenshot: "dashboard-fulfillment-hold",
      },
    );
  });

  it("lists an order kept back while Shopify has not said whose a new hold is, with nothing for the merchant to do", async () => {
    // As the forwarder leaves it (app/routes/webhooks.fulfillment-holds.test.ts, decision 006).
    await withHeldOrder(
      {
        number: 7_700_202,
        name: "#E2E-LOOKUP",
        holdKind: "fulfillment_hold_lookup",
        stateReason:
          "Shopify put a fulfillment order of this shop on hold after this order was placed, and has not yet " +
          "said which order it belongs to (the app asks again every 30 s). This order waits until it knows; " +
          "it goes to Brilliant then unless the hold is its own.",
      },
      {
        reason: "has not yet said which order it belongs to",
        step: "Nothing to do: Shopify is asked whose hold it is every 30 s",
        screenshot: "dashboard-fulfillment-hold-lookup",
        onOrderPage: async (page) => {
          expect(await page.getByText("has not yet said which order it belongs to").first().isVisible()).toBe(
            true,
          );
          await admin.screenshot("order-detail-fulfillment-hold-lookup");
        },
      },
    );
  });
});
