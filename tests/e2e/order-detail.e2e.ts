import { describe, expect, it } from "vitest";
import { openAdminAround, type AdminBrowser } from "./harness";

/** The order's state as its page shows it, loaded afresh. */
async function stateOnReload(admin: AdminBrowser, path: string) {
  await admin.goto(path);
  return admin.page.locator("[data-order-state]").getAttribute("data-order-state");
}

describe("order detail in Chromium", () => {
  let admin: AdminBrowser;
  openAdminAround((opened) => (admin = opened));

  it("fixes #1007's address (Ontario chosen as ON), resubmits it, and it leaves held", async () => {
    const { page } = admin;
    await admin.goto("/app/orders?query=1007");
    const link = page.locator(".Polaris-IndexTable__TableRow a", { hasText: "#1007" });
    await expect.poll(() => link.count()).toBe(1);
    const href = await link.getAttribute("href");
    expect(href).toMatch(/\/app\/orders\/[^/?]+/);
    const path = new URL(href!, "http://x").pathname;
    await admin.goto(path);
    await admin.screenshot("order-detail-held");

    const stateBadge = page.locator("[data-order-state]");
    await expect.poll(() => stateBadge.getAttribute("data-order-state")).toBe("held");
    expect(await page.getByText("Problem with the shipping address").first().isVisible()).toBe(true);

    // Country and province are chosen from ISO 3166 lists; Shopify's "Ontario" (no code) is matched to ON.
    const country = page.getByLabel("Country", { exact: true });
    const province = page.getByLabel("State or province", { exact: true });
    expect(await country.inputValue()).toBe("CA");
    expect(await province.inputValue()).toBe("ON");
    expect(await page.getByText("Shopify has Ontario; ON matches it").isVisible()).toBe(true);
    // No province is refused on the field, and nothing changes.
    await province.selectOption("");
    await page.getByRole("button", { name: "Save address and resubmit" }).click();
    await expect.poll(() => page.getByText("Choose the state or province in Canada").isVisible()).toBe(true);
    expect(await stateBadge.getAttribute("data-order-state")).toBe("held");

    await province.selectOption("ON");
    await page.getByRole("button", { name: "Save address and resubmit" }).click();
    await expect
      .poll(() => page.locator(".Polaris-Banner", { hasText: "Address saved and resubmitted" }).isVisible())
      .toBe(true);

    // The worker takes it from ready; whatever comes next, it is no longer held.
    await expect
      .poll(() => stateOnReload(admin, path), { timeout: 30_000, interval: 1_000 })
      .toBe("forwarded");
    expect(await page.getByText("History (newest first)").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Show request and response" }).first().click();
    await admin.screenshot("order-detail");
    expect(admin.pageErrors).toEqual([]);
  });

  it("an order not in the shop: the page says so in the admin's style, with a way back, and no error in the console", async () => {
    const { page } = admin;
    await admin.goto("/app/orders/not-an-order-of-this-shop");
    const banner = page.locator(".Polaris-Banner", { hasText: "This order is not in your shop." });
    await expect.poll(() => banner.isVisible()).toBe(true);
    expect(await page.getByRole("heading", { level: 1, name: "Not found" }).isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Orders" }).first().getAttribute("href")).toBe("/app/orders");
    await admin.screenshot("order-not-found");
    expect(admin.pageErrors).toEqual([]);
  });

  it("every page has its own title, one main landmark, one h1 and App Bridge's title bar", async () => {
    const { page } = admin;
    for (const [path, title] of [
      ["/app", "Home · Brilliant Sync"],
      ["/app/orders", "Orders · Brilliant Sync"],
      ["/app/mappings", "Mappings · Brilliant Sync"],
      ["/app/mappings/auto-match", "Auto-match · Brilliant Sync"],
      ["/app/mappings/import", "Import mappings · Brilliant Sync"],
      ["/app/settings", "Settings · Brilliant Sync"],
    ] as const) {
      await admin.goto(path);
      await expect.poll(() => page.title()).toBe(title);
      expect(await page.locator("main").count()).toBe(1);
      expect(await page.locator("h1").count()).toBe(1);
      expect(await page.locator("ui-title-bar").count()).toBe(1);
    }
    // A page's way back and actions are in the title bar, as the admin draws them.
    await admin.goto("/app/mappings/import");
    await page.locator("ui-title-bar").getByRole("button", { name: "Mappings" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app/mappings");
    await page.locator("ui-title-bar").getByRole("button", { name: "Auto-match" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app/mappings/auto-match");
    expect(admin.pageErrors).toEqual([]);
  });

  it("asks before it skips a held order: Cancel leaves it held", async () => {
    const { page } = admin;
    await admin.goto("/app/orders?query=1004");
    const link = page.locator(".Polaris-IndexTable__TableRow a", { hasText: "#1004" });
    await expect.poll(() => link.count()).toBe(1);
    const path = new URL((await link.getAttribute("href"))!, "http://x").pathname;
    await admin.goto(path);
    const stateBadge = page.locator("[data-order-state]");
    await expect.poll(() => stateBadge.getAttribute("data-order-state")).toBe("held");
    await page.getByRole("button", { name: "Skip", exact: true }).click();
    expect(await page.getByText("Skip #1004? Brilliant will never get it.").isVisible()).toBe(true);
    await admin.screenshot("order-detail-skip-asked");
    await page.getByRole("button", { name: "Cancel" }).click();
    expect(await page.getByRole("button", { name: "Skip", exact: true }).isVisible()).toBe(true);
    await admin.goto(path);
    await expect.poll(() => stateBadge.getAttribute("data-order-state")).toBe("held");
    expect(admin.pageErrors).toEqual([]);
  });
  it("works #1003's stock hold on its page: the line's mapping and stock, then sent as another in-stock variant", async () => {
    const { page } = admin;
    await admin.goto("/app/orders?query=1003");
    const href = await page
      .locator(".Polaris-IndexTable__TableRow a", { hasText: "#1003" })
      .getAttribute("href");
    const path = new URL(href!, "http://x").pathname;
    await admin.goto(path);
    const lines = page.getByRole("region", { name: "Line items" });
    await expect.poll(() => lines.isVisible()).toBe(true);
    // The line, what it is mapped to, and why it cannot go: 5 ordered, 2 in stock.
    expect(await lines.innerText()).toMatch(/Classic Logo Tee - L/);
    expect(await lines.innerText()).toMatch(/\b2 in stock\b/);
    expect(await lines.innerText()).toMatch(/Not sent to Brilliant yet/);
    await admin.screenshot("order-detail-line-items");

    const substitute = lines.getByLabel("Send as another Brilliant variant");
    const chosen = await substitute.inputValue();
    expect(chosen).not.toBe("");
    await lines.getByRole("button", { name: "Send as this variant" }).click();
    await expect
      .poll(() => page.locator(".Polaris-Banner", { hasText: "Line changed and resubmitted" }).isVisible())
      .toBe(true);

    // The worker sends it; the page then shows the change in the history and what went to Brilliant.
    await expect
      .poll(() => stateOnReload(admin, path), { timeout: 30_000, interval: 1_000 })
      .toBe("forwarded");
    expect(await lines.innerText()).toContain(`Last request to Brilliant: 5 of variant ${chosen}.`);
    expect(await lines.getByText("Sent as another variant").isVisible()).toBe(true);
    // The history says it in the merchant's words: who did what, and how the order came.
    const history = page.getByRole("region", { name: "History (newest first)" });
    expect(await history.getByText(/^Line changed by the merchant: /).isVisible()).toBe(true);
    expect(await history.getByText("by you").first().isVisible()).toBe(true);
    expect(await history.getByText(/^Paid in Shopify; Shopify told Brilliant Sync/).isVisible()).toBe(true);
    await admin.screenshot("order-detail-line-substituted");
  });
});
