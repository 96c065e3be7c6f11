import { beforeEach, describe, expect, it } from "vitest";

import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { orderInState } from "../../tests/helpers/admin-orders";
import { action, loader } from "./app.settings";
import { settingsForm } from "../../tests/helpers/settings-form";

// Settings that reach back into Shopify (fulfillment write-back, the
// reconciliation window, "Reconcile now") and review-first forwarding turned
// off, through the route with real session tokens: only the token's shop changes.

const SHOP = "settings-orders-a.myshopify.com";
const OTHER = "settings-orders-b.myshopify.com";
const URL = "https://brilliant-sync.test/app/settings";

const form = (overrides: Record<string, string> = {}) =>
  settingsForm({ fulfillmentWriteBack: "true", reconcileDays: "14", ...overrides });

const post = async (shop: string, body: Record<string, string>) =>
  callRoute(action, await adminRequest(URL, { shop, method: "POST", body }));

beforeEach(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(SHOP);
  await seedAdminShop(OTHER);
});

describe("settings: Shopify orders", () => {
  it("saves write-back and the reconciliation window for the token's shop only, and shows them", async () => {
    expect((await post(SHOP, form())).status).toBe(200);
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      fulfillmentWriteBack: true,
      reconcileDays: 14,
    });
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: OTHER } })).toMatchObject({
      fulfillmentWriteBack: false,
      reconcileDays: 7,
    });
    const body = await (await callRoute(loader, await adminRequest(URL, { shop: SHOP }))).json();
    expect(body.settings).toMatchObject({ fulfillmentWriteBack: true, reconcileDays: 14 });
    expect(body.reconciliation).toMatchObject({ last: null, requested: false, days: 14 });
  });

  it("answers 422 on the field for a window outside 1 to 60 days, writing nothing", async () => {
    const response = await post(SHOP, form({ reconcileDays: "90" }));
    expect(response.status).toBe(422);
    expect((await response.json()).fieldErrors.reconcileDays).toMatch(/1 to 60 days/);
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      reconcileDays: 7,
      fulfillmentWriteBack: false,
    });
  });

  it("Reconcile now asks the worker for a sweep of the token's shop only", async () => {
    const response = await post(SHOP, { intent: "reconcile" });
    expect(await response.json()).toEqual({ intent: "reconcile", requested: true });
    expect(
      (await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).reconcileRequestedAt,
    ).not.toBeNull();
    expect(
      (await prisma.shopSettings.findUniqueOrThrow({ where: { shop: OTHER } })).reconcileRequestedAt,
    ).toBeNull();
    const body = await (await callRoute(loader, await adminRequest(URL, { shop: SHOP }))).json();
    expect(body.reconciliation.requested).toBe(true);
  });

  it("GIVEN orders held for review WHEN review-first is turned off THEN they are released to go out, and another shop's stay held", async () => {
    await post(SHOP, form({ forwardingMode: "review" }));
    const waiting = await orderInState(SHOP, "held", { holdKind: "review" });
    const mapping = await orderInState(SHOP, "held", { holdKind: "mapping" });
    const otherShops = await orderInState(OTHER, "held", { holdKind: "review" });

    expect((await post(SHOP, form({ forwardingMode: "automatic" }))).status).toBe(200);

    expect(await prisma.order.findUniqueOrThrow({ where: { id: waiting } })).toMatchObject({
      state: "ready",
      holdKind: null,
    });
    const transitions = await prisma.orderTransition.findMany({
      where: { orderId: waiting },
      orderBy: { at: "asc" },
    });
    expect(transitions.at(-1)).toMatchObject({ fromState: "held", toState: "ready", actor: "merchant" });
    expect(transitions.at(-1)!.reason).toMatch(/Review-first forwarding was turned off/);
    // Other holds, and other shops, are not touched.
    expect(await prisma.order.findUniqueOrThrow({ where: { id: mapping } })).toMatchObject({ state: "held" });
    expect(await prisma.order.findUniqueOrThrow({ where: { id: otherShops } })).toMatchObject({
      state: "held",
    });
  });
});
