import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { withShopifyAndBrilliant } from "../../tests/helpers/admin-graphql";
import { adminRequest, callRoute } from "../../tests/helpers/admin-session";
import { forwardUntilSettled, makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { saveSettings } from "../../tests/helpers/settings-form";
import { placedWithPaymentTerms } from "../../tests/helpers/test-order";
import { deliverWebhook, type WebhookOptions } from "../../tests/helpers/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { countInbox } from "../orders/ingest.server";
import { paymentTermsInHistory } from "../orders/payment-terms";
import { action as ordersCreate } from "./webhooks.orders.create";
import { action as ordersPaid } from "./webhooks.orders.paid";
import { loader as ordersList } from "./app.orders._index";
import { loader as orderPage } from "./app.orders.$id";
import { loader as settingsLoader } from "./app.settings";

// B2B orders placed with payment terms are not paid when placed ("due on
// fulfillment" is never paid before it ships). With the shop's setting on,
// orders/create records them through the one way in; off, they wait for
// orders/paid. Real signed webhooks into the routes, the worker's code
// sending to the Brilliant simulator over HTTP, the admin's own loaders.

const SHOP = "terms-a.myshopify.com";
const OTHER = "terms-b.myshopify.com";

const world = withShopifyAndBrilliant([SHOP, OTHER]);

const placed = (number: number, terms?: { name: string; type: string }) =>
  placedWithPaymentTerms(testOrder(number, [{ variant: V.teeMedium, quantity: 1 }]), terms);
/** The same order once paid, as orders/paid sends it. */
const paidLater = (body: ReturnType<typeof placed>) => ({ ...body, financial_status: "paid" });

const create = (body: unknown, options?: WebhookOptions, shop = SHOP) =>
  deliverWebhook(ordersCreate, shop, "orders/create", body, options);
const pay = (body: unknown) => deliverWebhook(ordersPaid, SHOP, "orders/paid", body);

const orderOf = (body: { id: number }, shop = SHOP) =>
  prisma.order.findUnique({ where: { shop_shopifyOrderId: { shop, shopifyOrderId: String(body.id) } } });

const forward = () => forwardUntilSettled([makeForwarder(world.sim.url)]);
const sentToBrilliant = () =>
  world.sim.acceptedOrders().map((record) => String(record.order.custom_data?.shopify_order_id));

async function turnOn(shop = SHOP) {
  expect((await saveSettings(shop, { forwardPaymentTerms: "true" })).status).toBe(200);
}

describe("orders placed with payment terms (orders/create)", () => {
  it("GIVEN the setting on WHEN an order is placed with Net 30 THEN it goes to Brilliant unpaid; its later orders/paid changes nothing and Brilliant has it once", async () => {
    await turnOn();
    const body = placed(1);
    expect((await create(body)).status).toBe(200);
    // Recorded when placed, straight into Order: readable at once.
    const recorded = await orderOf(body);
    expect(recorded).toMatchObject({ state: "received", deliveries: 1 });
    expect(JSON.parse(recorded!.payload)).toMatchObject({ financial_status: "pending" });

    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "forwarded" });
    expect(sentToBrilliant()).toEqual([String(body.id)]);

    // Paid 30 days later: one more delivery, nothing else.
    expect((await pay(paidLater(body))).status).toBe(200);
    expect((await create(body)).status).toBe(200);
    await forward();
    expect(await countInbox()).toBe(0);
    const after = await orderOf(body);
    expect(after).toMatchObject({ id: recorded!.id, state: "forwarded", deliveries: 3 });
    expect(JSON.parse(after!.payload)).toMatchObject({ financial_status: "pending" });
    expect(await prisma.order.count()).toBe(1);
    expect(world.sim.acceptedCount()).toBe(1);
    expect(world.sim.requests.filter((request) => request.method === "POST")).toHaveLength(1);
  });

  it("GIVEN the setting on WHEN orders/paid comes before orders/create THEN one order, sent once", async () => {
    await turnOn();
    const body = placed(2);
    expect((await pay(paidLater(body))).status).toBe(200);
    expect((await create(body)).status).toBe(200);
    await forward();
    expect(await prisma.order.count()).toBe(1);
    expect(await orderOf(body)).toMatchObject({ state: "forwarded", deliveries: 2 });
    expect(sentToBrilliant()).toEqual([String(body.id)]);
  });

  it("GIVEN the setting off (the default, and another shop's setting on) WHEN an order is placed with terms THEN nothing is recorded until orders/paid, which forwards it as before", async () => {
    await turnOn(OTHER);
    const body = placed(3, { name: "Due on fulfillment", type: "fulfillment" });
    expect((await create(body)).status).toBe(200);
    await forward();
    expect(await orderOf(body)).toBeNull();
    expect(world.sim.acceptedCount()).toBe(0);

    expect((await pay(paidLater(body))).status).toBe(200);
    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "forwarded", deliveries: 1 });
    expect(sentToBrilliant()).toEqual([String(body.id)]);
  });

  it("GIVEN the setting on THEN orders placed without terms, already paid, or cancelled are left to orders/paid", async () => {
    await turnOn();
    const plain = testOrder(4, [{ variant: V.teeMedium, quantity: 1 }], { financial_status: "pending" });
    const paid = paidLater(placed(5));
    const cancelled = { ...placed(6), cancelled_at: new Date().toISOString() };
    for (const body of [plain, paid, cancelled]) expect((await create(body)).status).toBe(200);
    expect(await prisma.order.count()).toBe(0);
  });

  it("answers 401 to a wrong or missing HMAC and 400 to a body that is not an order, writing nothing", async () => {
    await turnOn();
    const body = placed(7);
    expect((await create(body, { secret: "wrong" })).status).toBe(401);
    const unsigned = new Request("https://brilliant-sync.test/webhooks/orders/create", {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-topic": "orders/create" },
      body: JSON.stringify(body),
    });
    expect((await ordersCreate({ request: unsigned, params: {}, context: {} })).status).toBe(401);
    expect((await create(null, { rawBody: "{not json" })).status).toBe(400);
    expect((await create({ ...body, id: 0 })).status).toBe(400);
    expect((await create({ ...body, line_items: "none" })).status).toBe(400);
    expect((await create({ payment_terms: body.payment_terms })).status).toBe(400);
    expect(await prisma.order.count()).toBe(0);
    expect(await prisma.orderTransition.count()).toBe(0);
  });

  it("shows the terms on the orders list's row and the order page, and only for such orders", async () => {
    await turnOn();
    const terms = placed(8);
    const ordinary = testOrder(9, [{ variant: V.teeMedium, quantity: 1 }]);
    await create(terms);
    await pay(ordinary);
    await forward();

    const list = await callRoute(ordersList, await adminRequest("/app/orders", { shop: SHOP }));
    const rows = ((await list.json()) as { orders: { name: string; paymentTerms: string | null }[] }).orders;
    expect(rows.find((row) => row.name === terms.name)).toMatchObject({ paymentTerms: "Net 30" });
    expect(rows.find((row) => row.name === ordinary.name)).toMatchObject({ paymentTerms: null });

    const shown = async (body: { id: number }) => {
      const { id } = (await orderOf(body))!;
      const page = await callRoute(orderPage, await adminRequest(`/app/orders/${id}`, { shop: SHOP }), {
        id,
      });
      return ((await page.json()) as { order: { timeline: { type: string; reason?: string }[] } }).order;
    };
    expect(paymentTermsInHistory((await shown(terms)).timeline)).toBe("Net 30");
    expect(paymentTermsInHistory((await shown(ordinary)).timeline)).toBeNull();
  });
});

describe("Settings: send orders with payment terms when placed", () => {
  const load = async (shop: string) =>
    (
      (await (
        await callRoute(
          settingsLoader,
          await adminRequest("https://brilliant-sync.test/app/settings", { shop }),
        )
      ).json()) as { settings: { forwardPaymentTerms: boolean } }
    ).settings;

  it("is off by default, saved for the token's shop only, and kept by a page that leaves it out", async () => {
    expect(await load(SHOP)).toMatchObject({ forwardPaymentTerms: false });
    await turnOn();
    expect(await load(SHOP)).toMatchObject({ forwardPaymentTerms: true });
    expect(await load(OTHER)).toMatchObject({ forwardPaymentTerms: false });
    expect((await saveSettings(SHOP, {})).status).toBe(200);
    expect(await load(SHOP)).toMatchObject({ forwardPaymentTerms: true });
    expect((await saveSettings(SHOP, { forwardPaymentTerms: "false" })).status).toBe(200);
    expect(await load(SHOP)).toMatchObject({ forwardPaymentTerms: false });
  });

  it("answers 422 on the field to a value that is not on or off, writing nothing", async () => {
    const before = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    for (const value of ["yes", "", "TRUE"]) {
      const response = await saveSettings(SHOP, { forwardPaymentTerms: value, forwardingMode: "review" });
      expect(response.status).toBe(422);
      expect((await response.json()).fieldErrors).toMatchObject({ forwardPaymentTerms: "Choose on or off." });
    }
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toEqual(before);
  });
});
