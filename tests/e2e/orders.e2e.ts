import { describe, expect, it } from "vitest";
import { openAdminAround, type AdminBrowser } from "./harness";

const rows = (admin: AdminBrowser) => admin.page.locator(".Polaris-IndexTable__TableRow");
const rowNames = async (admin: AdminBrowser) =>
  (await rows(admin).locator("td:nth-child(2)").allInnerTexts()).map((text) => text.trim());
/** The list searched for `query` afresh, and its first row's text. */
const firstRowFound = async (admin: AdminBrowser, query: string) => {
  await admin.goto(`/app/orders?query=${query}`);
  return rows(admin).first().innerText();
};

describe("orders list in Chromium", () => {
  let admin: AdminBrowser;
  openAdminAround((opened) => (admin = opened));

  it("lists every order and filters by state, code and name", async () => {
    const { page } = admin;
    await admin.goto("/app/orders");
    await expect.poll(() => rows(admin).count()).toBe(8);
    expect(await rowNames(admin)).toEqual(
      expect.arrayContaining(["#1001", "#1002", "#1003", "#1004", "#1005", "#1006", "#1007", "#1008"]),
    );
    // Who ordered, how many items and the total, beside the state and what Brilliant said.
    const first1001 = await rows(admin).filter({ hasText: "#1001" }).innerText();
    expect(first1001).toMatch(/Ada Lovelace/);
    expect(first1001).toMatch(/\b3\b/); // 2 tees and a gift box
    expect(first1001).toMatch(/48\.00 USD/);

    // A tab per state with its count; a tab filters the list.
    await page.getByRole("tab", { name: /^Held orders/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("state")).toBe("held");
    await expect.poll(() => rowNames(admin)).toEqual(expect.arrayContaining(["#1002"]));
    expect(await page.getByRole("tab", { name: /^Held orders/ }).innerText()).toMatch(/^Held \(\d+\)$/);
    await page.getByRole("tab", { name: /^All orders/ }).click();
    await expect.poll(() => rows(admin).count()).toBe(8);

    // Search by order name, as the merchant types.
    await page.getByPlaceholder("Search by order name").fill("1003");
    await expect.poll(() => rowNames(admin)).toEqual(["#1003"]);
    await page.getByPlaceholder("Search by order name").fill("");
    await expect.poll(() => rows(admin).count()).toBe(8);

    // The Brilliant code filter, from the filter menu.
    await page.getByRole("button", { name: "Add filter" }).click();
    await page.locator(".Polaris-ActionList__Item", { hasText: "Brilliant code" }).click();
    // Codes by what they mean, not only their number.
    await page.locator(".Polaris-Choice", { hasText: "2501 · Problem with the shipping address" }).click();
    await expect.poll(() => rowNames(admin)).toEqual(["#1007"]);
    await page.keyboard.press("Escape");
    await admin.screenshot("orders-filtered-by-code");

    // State and date range, from the URL (links from the home page use it).
    const today = new Date().toISOString().slice(0, 10);
    await admin.goto(`/app/orders?state=held&from=${today}&to=${today}`);
    await expect
      .poll(() => rowNames(admin))
      .toEqual(expect.arrayContaining(["#1002", "#1003", "#1004", "#1007"]));
    expect(await rows(admin).count()).toBe(4);
    await admin.goto("/app/orders?state=held&to=2000-01-01");
    await expect.poll(() => page.getByText("No orders match").isVisible()).toBe(true);

    await admin.goto("/app/orders");
    await admin.screenshot("orders");
    expect(admin.pageErrors).toEqual([]);
  });

  it("takes a date that is not one as a field error, not a crash: the page says what to fix and lists nothing", async () => {
    const { page } = admin;
    await admin.goto("/app/orders?from=xx&to=2026-01-01");
    await expect
      .poll(() => page.getByText("Fix the Received filter", { exact: false }).isVisible())
      .toBe(true);
    expect(await page.getByText(/^From: /).isVisible()).toBe(true);
    expect(await rows(admin).count()).toBe(0);
    await admin.screenshot("orders-bad-date");

    // From after To: said on the To field.
    await admin.goto("/app/orders?from=2026-02-01&to=2026-01-01");
    await expect
      .poll(() => page.getByText("To: Pick a To date on or after the From date.").isVisible())
      .toBe(true);
  });

  it("retries a retrying order now and says why a forwarded one was left alone", async () => {
    const { page } = admin;
    await admin.goto("/app/orders?state=retrying");
    await expect.poll(() => rowNames(admin)).toEqual(["#1005"]);
    await admin.goto("/app/orders");
    for (const name of ["#1005", "#1001"]) {
      await rows(admin).filter({ hasText: name }).locator('input[type="checkbox"]').check({ force: true });
    }
    await page.getByRole("button", { name: "Retry now" }).click();
    const banner = page.locator(".Polaris-Banner", { hasText: "1 order retried now; 1 unchanged" });
    await expect.poll(() => banner.isVisible()).toBe(true);
    expect(await banner.getByText("#1001: not changed, it is forwarded").isVisible()).toBe(true);
    // The same summary as an App Bridge toast.
    expect(
      await page
        .locator(".app-bridge-stand-in-toast", { hasText: "1 order retried now; 1 unchanged" })
        .count(),
    ).toBe(1);
    await admin.screenshot("orders-retry-now");

    // The worker sends it at once; Brilliant takes it this time.
    await expect
      .poll(() => firstRowFound(admin, "1005"), { timeout: 20_000, interval: 500 })
      .toContain("Forwarded");
    expect(admin.pageErrors).toEqual([]);
  });

  it("resubmits a held order: checked at once, and said to stay held while the variant is still unmapped", async () => {
    const { page } = admin;
    await admin.goto("/app/orders?query=1002");
    await rows(admin).first().locator('input[type="checkbox"]').check({ force: true });
    await page.getByRole("button", { name: "Resubmit", exact: true }).click();
    const banner = page.locator(".Polaris-Banner", { hasText: "1 order unchanged" });
    await expect.poll(() => banner.isVisible()).toBe(true);
    expect(await banner.getByText(/#1002: not changed, still held: /).isVisible()).toBe(true);
    await expect
      .poll(() => firstRowFound(admin, "1002"), { timeout: 20_000, interval: 500 })
      .toContain("Held");
    await admin.screenshot("orders-resubmitted");
    expect(admin.pageErrors).toEqual([]);
  });
  it("resubmits every held order of the view in the background, with its progress and what became of each", async () => {
    const { page } = admin;
    await admin.goto("/app/orders?state=held");
    const held = await rows(admin).count();
    expect(held).toBeGreaterThanOrEqual(3);
    await page.getByRole("button", { name: `Resubmit all ${held} orders in this view` }).click();
    await page.getByRole("button", { name: `Resubmit ${held} orders`, exact: true }).click();

    // The worker runs it; the page follows by itself until it is done. Every
    // held demo order is still held for what held it: checked first, none moved, and the summary says so.
    const done = page.locator(".Polaris-Banner", { hasText: "Resubmit of Held" });
    await expect
      .poll(async () => (await done.count()) > 0 && (await done.first().innerText()), { timeout: 30_000 })
      .toMatch(new RegExp(`done: ${held} orders unchanged`));
    expect(
      await done
        .first()
        .getByText(/#1002: .*still held/)
        .isVisible(),
    ).toBe(true);
    await admin.screenshot("orders-bulk-view-done");
    await expect.poll(() => rows(admin).count()).toBe(held);
  });
});
