import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";

import { createPrismaClient } from "../../app/db.server";
import { sampleOrders } from "../../scripts/demo/sample-orders";
import { deliverWebhook } from "../../shopify-stand-in/webhooks";
import { SIM_API_KEY, SIM_API_SECRET } from "../../simulator/server";
import { openAdminAround, type AdminBrowser } from "./harness";

// The settings page in Chromium: a save with an invalid field shows the error
// on the field and saves nothing; a valid save then goes through. The saved
// Brilliant secret is never on the page, only how it ends.

/** An order for the demo's mapped tee, paid while the shop has no Brilliant credentials. */
const CREDENTIALS_ORDER = 7_700_301;

describe("settings in Chromium", () => {
  let admin: AdminBrowser;
  let db: PrismaClient;
  openAdminAround((opened) => (admin = opened));
  beforeAll(() => {
    db = createPrismaClient(admin.stack.databaseUrl);
  });
  afterAll(async () => {
    if (!db) return;
    await db.order.deleteMany({
      where: { shop: admin.stack.shop, shopifyOrderId: String(CREDENTIALS_ORDER) },
    });
    await db.$disconnect();
  });

  it("shows field errors and saves nothing, then saves a valid form", async () => {
    const { page } = admin;
    await admin.goto("/app/settings");
    const threshold = page.getByLabel("Low-stock threshold");
    await expect.poll(() => threshold.isVisible()).toBe(true);
    const saved = await threshold.inputValue();

    // Credentials: only their endings, never the values.
    expect(await page.getByText(/^Saved/).count()).toBe(2);
    expect(await page.content()).not.toContain(SIM_API_SECRET);

    await threshold.fill("10001");
    await page.getByLabel("Wait before sending").fill("2000");
    await page.getByLabel("Unit").selectOption("minutes");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Nothing was saved").isVisible()).toBe(true);
    expect(await page.getByText("The low-stock threshold is 0 to 10,000.").isVisible()).toBe(true);
    expect(await page.getByText("The delay is at most 1,440 minutes (24 hours).").isVisible()).toBe(true);
    await admin.screenshot("settings-validation-error");

    // Nothing was written: a fresh load shows the saved value.
    await admin.goto("/app/settings");
    expect(await page.getByLabel("Low-stock threshold").inputValue()).toBe(saved);

    // A valid save, leaving the shop as the other tests expect it.
    await page.getByLabel("Hold orders tagged").fill(" e2e-hold , e2e-hold,  ");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
    await admin.goto("/app/settings");
    expect(await page.getByLabel("Hold orders tagged").inputValue()).toBe("e2e-hold");
    await admin.screenshot("settings-saved");

    // Put the tags back as they were.
    await page.getByLabel("Hold orders tagged").fill("");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
    expect(admin.pageErrors).toEqual([]);
  });

  it("writes fulfillments back and reconciles: a field error on the days, then saved, and a sweep on request", async () => {
    const { page } = admin;
    await admin.goto("/app/settings");
    const writeBack = page.getByLabel("Mark orders fulfilled in Shopify when Brilliant ships them");
    const days = page.getByLabel("Check the last days of paid orders");
    await expect.poll(() => days.isVisible()).toBe(true);
    const savedDays = await days.inputValue();
    expect(await writeBack.isChecked()).toBe(false);

    // More days than Shopify keeps for apps: refused on the field, nothing saved.
    await days.fill("61");
    await writeBack.check({ force: true });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect
      .poll(() =>
        page.getByText("Reconcile 1 to 60 days (Shopify keeps 60 days of orders for apps).").isVisible(),
      )
      .toBe(true);
    await admin.screenshot("settings-shopify-orders-error");
    await admin.goto("/app/settings");
    expect(await days.inputValue()).toBe(savedDays);
    expect(await writeBack.isChecked()).toBe(false);

    // Valid: both saved.
    await days.fill("14");
    await writeBack.check({ force: true });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
    await admin.goto("/app/settings");
    expect(await days.inputValue()).toBe("14");
    expect(await writeBack.isChecked()).toBe(true);
    expect(await page.getByText("Paid orders of the last 14 days", { exact: false }).isVisible()).toBe(true);

    // A sweep on request: the worker picks it up and reads the shop's paid
    // orders from the Admin GraphQL stand-in.
    await page.getByRole("button", { name: "Reconcile now" }).click();
    await expect
      .poll(() => page.getByText("Reconciliation requested", { exact: false }).isVisible())
      .toBe(true);
    const reconciliation = page.locator(".Polaris-Layout__AnnotatedSection", { hasText: "Reconciliation" });
    await expect
      .poll(
        async () => {
          await admin.goto("/app/settings");
          return reconciliation.locator(".Polaris-Badge").first().innerText();
        },
        { timeout: 90_000, interval: 2_000 },
      )
      .toMatch(/\bDone$/); // the badge reads its tone first, for screen readers
    expect(await reconciliation.getByText(/paid orders read/).isVisible()).toBe(true);
    await admin.screenshot("settings-reconciled");

    // Back as the other tests expect the shop.
    await days.fill(savedDays);
    await writeBack.uncheck({ force: true });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
    expect(admin.pageErrors).toEqual([]);
  }, 120_000);

  it("sends test orders only once allowed, with a warning that Brilliant ships them", async () => {
    const { page } = admin;
    await admin.goto("/app/settings");
    const testOrders = page.getByLabel("Send test orders to Brilliant");
    const warning = page.getByText("Brilliant cannot tell a test order from a real one", { exact: false });
    await expect.poll(() => testOrders.isVisible()).toBe(true);
    expect(await testOrders.isChecked()).toBe(false);
    expect(await warning.count()).toBe(0);

    // Clicked by its label, as a person would: the input itself is drawn over.
    const label = page.getByText("Send test orders to Brilliant", { exact: true });
    const toggleTo = async (on: boolean) => {
      await label.click();
      await expect.poll(() => testOrders.isChecked()).toBe(on);
      await expect.poll(async () => (await warning.count()) > 0).toBe(on);
    };

    await toggleTo(true);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
    await admin.goto("/app/settings");
    expect(await testOrders.isChecked()).toBe(true);
    expect(await warning.isVisible()).toBe(true);
    await admin.screenshot("settings-test-orders-allowed");

    // Back as the other tests expect the shop.
    await toggleTo(false);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
    await admin.goto("/app/settings");
    expect(await testOrders.isChecked()).toBe(false);
    expect(admin.pageErrors).toEqual([]);
  });
  it("shows App Bridge's save bar for unsaved changes, discards them, and asks before leaving the page", async () => {
    const { page } = admin;
    await admin.goto("/app/settings");
    const threshold = page.getByLabel("Low-stock threshold");
    await expect.poll(() => threshold.isVisible()).toBe(true);
    const saved = await threshold.inputValue();
    const saveBar = page.locator("[data-app-bridge-stand-in=save-bar]");
    expect(await saveBar.count()).toBe(0);

    // An edit shows the bar; Discard puts the saved value back and hides it.
    await threshold.fill(String(Number(saved) + 1));
    await expect.poll(() => saveBar.isVisible()).toBe(true);
    expect(await saveBar.getByRole("button", { name: "Save" }).isVisible()).toBe(true);
    await admin.screenshot("settings-unsaved");
    await saveBar.getByRole("button", { name: "Discard" }).click();
    await expect.poll(() => threshold.inputValue()).toBe(saved);
    await expect.poll(() => saveBar.count()).toBe(0);

    // Leaving with unsaved changes asks first: Stay keeps the page and the edit…
    await threshold.fill(String(Number(saved) + 1));
    await expect.poll(() => saveBar.isVisible()).toBe(true);
    const nav = page.locator("ui-nav-menu a", { hasText: "Orders" });
    const dialog = page.getByRole("alertdialog", { name: "Leave page with unsaved changes?" });
    await nav.click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await admin.screenshot("settings-leave-confirmation");
    await dialog.getByRole("button", { name: "Stay" }).click();
    expect(new URL(page.url()).pathname).toBe("/app/settings");
    expect(await threshold.inputValue()).toBe(String(Number(saved) + 1));

    // …and Leave page goes where the merchant was going, nothing saved.
    await nav.click();
    await dialog.getByRole("button", { name: "Leave page" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app/orders");
    await admin.goto("/app/settings");
    expect(await page.getByLabel("Low-stock threshold").inputValue()).toBe(saved);

    // Saved: a toast says so, and the bar goes away.
    await page.getByLabel("Low-stock threshold").fill(saved === "0" ? "1" : "0");
    await saveBar.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
    await expect.poll(() => saveBar.count()).toBe(0);
    await page.getByLabel("Low-stock threshold").fill(saved);
    await saveBar.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => saveBar.count()).toBe(0);
    await admin.goto("/app/settings");
    expect(await page.getByLabel("Low-stock threshold").inputValue()).toBe(saved);
    expect(admin.pageErrors).toEqual([]);
  });

  it("sends orders with payment terms, sends a country code as the state, and sets stock at a Shopify location: each saved, shown after a reload, and put back", async () => {
    const { page } = admin;
    await admin.goto("/app/settings");
    const terms = page.getByLabel("Send orders with payment terms when they are placed");
    const states = page.getByLabel("Addresses without a 2-letter state");
    const location = page.getByLabel("Location");
    await expect.poll(() => terms.isVisible()).toBe(true);
    expect(await terms.isChecked()).toBe(false);
    expect(await states.inputValue()).toBe("hold");
    expect(await location.inputValue()).toBe("");
    // Nothing has been set in Shopify yet, and the page says so.
    expect(await page.getByText("Stock has not been set in Shopify yet.").isVisible()).toBe(true);

    await terms.check({ force: true });
    // The risk is said where the choice is made.
    await expect
      .poll(() =>
        page
          .getByText("Brilliant ships these orders before your customer pays", { exact: false })
          .isVisible(),
      )
      .toBe(true);
    await states.selectOption("country");
    // The shop's locations, read from Shopify.
    await location.selectOption({ label: "Shop location" });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
    await admin.screenshot("settings-orders-and-stock");

    await admin.goto("/app/settings");
    expect(await page.getByLabel("Send orders with payment terms when they are placed").isChecked()).toBe(
      true,
    );
    expect(await page.getByLabel("Addresses without a 2-letter state").inputValue()).toBe("country");
    // The saved location is the one chosen.
    expect(
      await page
        .getByLabel("Location")
        .evaluate((select) => (select as HTMLSelectElement).selectedOptions[0]?.textContent),
    ).toBe("Shop location");

    // Put back as the other tests expect the shop.
    await page.getByLabel("Send orders with payment terms when they are placed").uncheck({ force: true });
    await page.getByLabel("Addresses without a 2-letter state").selectOption("hold");
    await page.getByLabel("Location").selectOption("");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
    await admin.goto("/app/settings");
    expect(await page.getByLabel("Send orders with payment terms when they are placed").isChecked()).toBe(
      false,
    );
    expect(await page.getByLabel("Location").inputValue()).toBe("");
  });

  it("a shop without Brilliant credentials: Home's setup guide leads to Settings, a refused key is never saved, the right one clears the alert and sends the order that waited", async () => {
    const { page, stack } = admin;
    const shop = stack.shop;
    const order = async () =>
      db.order.findUnique({
        where: { shop_shopifyOrderId: { shop, shopifyOrderId: String(CREDENTIALS_ORDER) } },
        select: { state: true, holdKind: true },
      });
    // As a new install: no credentials saved yet.
    await db.shopSettings.update({
      where: { shop },
      data: { brilliantApiKeyEnc: null, brilliantApiSecretEnc: null },
    });
    try {
      const tee = sampleOrders()[0]!.body as { line_items: Record<string, unknown>[] };
      const status = await deliverWebhook(`${stack.appUrl}/webhooks/orders/paid`, {
        topic: "orders/paid",
        shop,
        body: {
          ...tee,
          id: CREDENTIALS_ORDER,
          name: "#E2E-CRED",
          line_items: [{ ...tee.line_items[0]!, id: CREDENTIALS_ORDER * 10 }],
        },
        secret: stack.apiSecret,
      });
      expect(status).toBe(200);
      await expect.poll(async () => (await order())?.holdKind, { timeout: 20_000 }).toBe("credentials");

      // Home: the guide's step left, and the alert with the order that waits.
      await admin.goto("/app");
      await expect.poll(() => page.getByText("Set up Brilliant Sync").isVisible()).toBe(true);
      expect(await page.getByText("3 of 4 steps done", { exact: false }).isVisible()).toBe(true);
      // One banner says what waits for the credentials, not two.
      const connect = page.locator(".Polaris-Banner", { hasText: "Connect your Brilliant store" });
      expect(await connect.count()).toBe(1);
      expect(await connect.getByText("#E2E-CRED").isVisible()).toBe(true);
      await admin.screenshot("home-setup-guide");
      await page.getByRole("link", { name: "Open settings: Connect your Brilliant store" }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe("/app/settings");

      // A secret Brilliant refuses: said on the field, nothing saved, no "Settings saved".
      const key = page.getByLabel("API key");
      const secret = page.getByLabel("API secret");
      await expect.poll(() => key.isVisible()).toBe(true);
      await key.fill(SIM_API_KEY);
      await secret.fill("not-the-secret");
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await expect.poll(() => page.getByText("Nothing was saved").isVisible()).toBe(true);
      expect(await page.getByText("Settings saved").count()).toBe(0);
      expect((await db.shopSettings.findUniqueOrThrow({ where: { shop } })).brilliantApiKeyEnc).toBeNull();
      await admin.screenshot("settings-credentials-refused");

      // The right ones: saved, and what waited for them goes.
      await secret.fill(SIM_API_SECRET);
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
      await expect.poll(async () => (await order())?.state, { timeout: 20_000 }).toBe("forwarded");

      // Home: no guide, no credentials alert.
      await admin.goto("/app");
      expect(await page.getByText("Set up Brilliant Sync").count()).toBe(0);
      expect(await page.getByText("Brilliant credentials are missing or refused").count()).toBe(0);
      expect(await page.locator(".Polaris-Banner", { hasText: "Connect your Brilliant store" }).count()).toBe(
        0,
      );
    } finally {
      // Whatever happened above, the shop keeps working credentials for the files after this one.
      const saved = await db.shopSettings.findUniqueOrThrow({ where: { shop } });
      if (!saved.brilliantApiKeyEnc) {
        await admin.goto("/app/settings");
        await page.getByLabel("API key").fill(SIM_API_KEY);
        await page.getByLabel("API secret").fill(SIM_API_SECRET);
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await expect.poll(() => page.getByText("Settings saved").isVisible()).toBe(true);
      }
    }
  });
});
