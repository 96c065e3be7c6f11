import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAdmin, type AdminBrowser } from "./harness";

describe("home page in Chromium", () => {
  let admin: AdminBrowser;
  beforeAll(async () => {
    admin = await openAdmin();
  });
  afterAll(async () => {
    await admin?.close();
  });

  it("shows every open alert with its orders and fix, the counts, and every held order's reason and next step", async () => {
    const { page } = admin;
    await admin.goto("/app");
    await expect.poll(() => page.getByText("Held orders (4)").isVisible()).toBe(true);

    // The App Bridge stand-in: title bar and nav menu.
    expect(await page.locator("ui-title-bar").getAttribute("title")).toBe("Brilliant Sync");
    expect(await page.locator("ui-nav-menu a", { hasText: "Home" }).isVisible()).toBe(true);

    // Alerts, each naming its orders and where to fix it.
    const mapping = page.locator(".Polaris-Banner", {
      hasText: "Launch Poster 18x24 cannot be sent to Brilliant",
    });
    await expect.poll(() => mapping.isVisible()).toBe(true);
    expect(await mapping.getByRole("link", { name: "#1002" }).getAttribute("href")).toMatch(
      /^\/app\/orders\//,
    );
    expect(await mapping.getByRole("link", { name: "Open mappings" }).getAttribute("href")).toBe(
      "/app/mappings",
    );
    const address = page.locator(".Polaris-Banner", {
      hasText: "Order #1007 has an address Brilliant cannot ship to",
    });
    expect(await address.isVisible()).toBe(true);
    expect(
      await page.locator(".Polaris-Banner", { hasText: "Inactive at Brilliant" }).first().isVisible(),
    ).toBe(true);
    expect(await page.locator(".Polaris-Banner", { hasText: "stock at Brilliant" }).first().isVisible()).toBe(
      true,
    );

    // Held orders: name, reason, next step.
    const held = page.locator(".Polaris-ShadowBevel", { hasText: "Held orders (4)" });
    for (const [name, step] of [
      ["#1002", "Map the variant"],
      ["#1003", "Map to a variant in stock, or resubmit once Brilliant restocks"],
      ["#1004", "Map to an active variant"],
      ["#1007", "Fix the shipping address"],
    ] as const) {
      expect(await held.getByRole("button", { name: `${step} for order ${name}` }).isVisible()).toBe(true);
    }
    expect(await held.getByText('the name "Ontario"', { exact: false }).isVisible()).toBe(true);

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
});
