import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { standInOrderFromRest, withShopifyAndBrilliant } from "../../tests/helpers/admin-graphql";
import {
  forwardUntilSettled,
  ingest,
  makeForwarder,
  mapVariants,
  shopifyVariantFor,
  testOrder,
} from "../../tests/helpers/forwarding";
import { deliverWebhook } from "../../tests/helpers/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import type { StandInOrder } from "../../shopify-stand-in/admin-graphql";
import { markNotShipped } from "../catalog/unshipped-variants.server";
import { writeBackShippedOrders } from "../worker/chores.server";
import { action as ordersPaid } from "../routes/webhooks.orders.paid";
import { recordStatusCallback } from "./brilliant-status.server";
import { getOrderDetail } from "./order-detail.server";

// GIVEN a shop that ships some variants itself (marked "not shipped by
// Brilliant" in Mappings) and takes pickups, local deliveries and POS sales,
// WHEN Shopify's signed orders/paid webhooks come and the worker forwards to
// Brilliant (the simulator, over HTTP), THEN Brilliant gets only the lines it
// ships, orders with none are skipped with the reason and never held, the
// order page says which line went and why the others stayed, and the
// fulfillment write-back fulfils in Shopify only what Brilliant shipped.

const SHOP = "not-for-brilliant.myshopify.com";
/** A candle the merchant ships from their own stock: no Brilliant variant. */
const CANDLE = 99_001;

const world = withShopifyAndBrilliant([SHOP]);

beforeEach(async () => {
  await prisma.shopifyVariant.create({
    data: {
      shop: SHOP,
      shopifyVariantId: String(shopifyVariantFor(CANDLE)),
      shopifyProductId: "700",
      productTitle: "Soy Candle",
      sku: String(CANDLE),
      syncedAt: new Date(),
    },
  });
});

/** The shop's orders in Shopify (the Admin GraphQL stand-in, for the write-back). */
const inShopify: StandInOrder[] = [];
beforeEach(() => {
  inShopify.length = 0;
});

/** The order placed in Shopify, and its signed orders/paid webhook delivered to the app. */
async function deliver(body: Record<string, unknown>) {
  inShopify.push(standInOrderFromRest(body));
  world.standIn.setOrders(SHOP, inShopify);
  expect((await deliverWebhook(ordersPaid, SHOP, "orders/paid", body)).status).toBe(200);
}

const forward = () => forwardUntilSettled([makeForwarder(world.sim.url)]);
const orderOf = (body: { id: number }) =>
  prisma.order.findUniqueOrThrow({
    where: { shop_shopifyOrderId: { shop: SHOP, shopifyOrderId: String(body.id) } },
    include: { transitions: true },
  });
const sentFor = (body: { id: number }) =>
  world.sim
    .acceptedOrders()
    .filter((record) => record.order.custom_data?.shopify_order_id === String(body.id));

/** A tee Brilliant ships and a candle it does not. */
const mixedCart = (number: number) =>
  testOrder(number, [
    { variant: V.teeMedium, quantity: 2 },
    { variant: CANDLE, quantity: 1 },
  ]);

describe("lines and orders Brilliant does not ship", () => {
  it("GIVEN a mixed cart WHEN forwarded THEN Brilliant gets the tee alone, and the order page says the candle stayed and why", async () => {
    await markNotShipped(SHOP, [String(shopifyVariantFor(CANDLE))]);
    const body = mixedCart(1);
    await deliver(body);
    await forward();

    const order = await orderOf(body);
    expect(order.state).toBe("forwarded");
    const [received] = sentFor(body);
    expect(received!.order.order_items).toEqual([{ variant_id: V.teeMedium, quantity: 2, notes: null }]);
    expect(received!.order.custom_data?.shopify_line_item_ids).toEqual(["100"]);

    const lines = (await getOrderDetail(SHOP, order.id))!.lineItems;
    expect(lines.map((line) => [line.title, line.notForBrilliant, line.sent.kind])).toEqual([
      [`Item ${V.teeMedium}`, null, "sent"],
      [`Item ${CANDLE}`, "not shipped by Brilliant", "left_out"],
    ]);
  });

  it("GIVEN only lines Brilliant does not ship THEN the order is skipped with the reason, and Brilliant is never asked", async () => {
    await markNotShipped(SHOP, [String(shopifyVariantFor(CANDLE))]);
    const body = testOrder(2, [{ variant: CANDLE, quantity: 1 }]);
    body.line_items.push({ ...body.line_items[0]!, id: 201, title: "Gift wrap", requires_shipping: false });
    await deliver(body);
    await forward();

    const order = await orderOf(body);
    expect(order).toMatchObject({ state: "skipped", attemptCount: 0 });
    expect(order.stateReason).toBe(
      `Nothing for Brilliant to ship: Item ${CANDLE} (not shipped by Brilliant); Gift wrap (needs no shipping).`,
    );
    expect(world.sim.requests.filter((request) => request.method === "POST")).toHaveLength(0);
  });

  it("GIVEN an order held for the unmapped candle WHEN the merchant marks it not shipped THEN it is skipped, and its page no longer says what Brilliant would have answered", async () => {
    const body = testOrder(3, [{ variant: CANDLE, quantity: 1 }]);
    await deliver(body);
    await forward();
    const held = await orderOf(body);
    expect(held).toMatchObject({ state: "held", holdKind: "mapping", lastCode: 2502 });

    await markNotShipped(SHOP, [String(shopifyVariantFor(CANDLE))]);
    await forward();

    const skipped = await orderOf(body);
    expect(skipped).toMatchObject({ state: "skipped", lastCode: null, attemptCount: 0 });
    expect((await getOrderDetail(SHOP, skipped.id))!.lastCodeExplanation).toBeNull();
  });

  it("GIVEN a local pickup, a local delivery and a POS sale, none with a shipping address, THEN each is skipped with why, never held", async () => {
    const noAddress = { shipping_address: null };
    const pickup = testOrder(3, [{ variant: V.teeMedium, quantity: 1 }], {
      ...noAddress,
      shipping_lines: [
        { code: "Pickup", title: "Main St store", source: "shopify", delivery_category: "pickup" },
      ],
    });
    const local = testOrder(4, [{ variant: V.teeMedium, quantity: 1 }], {
      ...noAddress,
      shipping_lines: [{ code: "Local Delivery", title: "Local Delivery", source: "shopify" }],
    });
    const pos = testOrder(5, [{ variant: V.teeMedium, quantity: 1 }], { ...noAddress, source_name: "pos" });
    for (const body of [pickup, local, pos]) await deliver(body);
    await forward();

    const reasons = [];
    for (const body of [pickup, local, pos]) {
      const order = await orderOf(body);
      expect(order.state).toBe("skipped");
      expect(order.transitions.map((t) => t.toState)).not.toContain("held");
      reasons.push(order.stateReason);
    }
    expect(reasons).toEqual([
      "Nothing for Brilliant to ship: the customer picks this order up (local pickup).",
      "Nothing for Brilliant to ship: you deliver this order yourself (local delivery).",
      "Nothing for Brilliant to ship: sold in store with Shopify POS, with no shipping address.",
    ]);
    expect(world.sim.acceptedOrders()).toHaveLength(0);
  });

  it("GIVEN an order held for the candle's mapping WHEN the candle is marked not shipped by Brilliant THEN the order goes out without it, and no order waits for it", async () => {
    const body = mixedCart(6);
    await deliver(body);
    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "mapping" });

    const result = await markNotShipped(SHOP, [String(shopifyVariantFor(CANDLE))]);
    expect(result).toMatchObject({ found: 1, marked: 1, released: 1 });
    await forward();

    expect(await orderOf(body)).toMatchObject({ state: "forwarded" });
    expect(sentFor(body)[0]!.order.order_items).toEqual([
      { variant_id: V.teeMedium, quantity: 2, notes: null },
    ]);
    expect(await prisma.alert.count({ where: { shop: SHOP, kind: "mapping", status: "open" } })).toBe(0);
  });
});

describe("fulfillment write-back of a partly shipped order", () => {
  beforeEach(async () => {
    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { fulfillmentWriteBack: true } });
  });

  async function shippedByBrilliant(body: { id: number }) {
    const order = await orderOf(body);
    expect(order.state).toBe("forwarded");
    await recordStatusCallback(
      SHOP,
      JSON.stringify({
        id: order.brilliantOrderId,
        status: "shipped",
        ship_status: "shipped",
        custom_data: { shopify_shop: SHOP, shopify_order_id: order.shopifyOrderId },
      }),
    );
    expect(await writeBackShippedOrders()).toBe(1);
    return order;
  }

  it("GIVEN a mixed cart Brilliant shipped THEN only the tee's line is fulfilled in Shopify; the candle stays open for the merchant", async () => {
    await markNotShipped(SHOP, [String(shopifyVariantFor(CANDLE))]);
    const body = mixedCart(7);
    await deliver(body);
    await forward();
    const order = await shippedByBrilliant(body);

    const [fulfillment, ...more] = world.standIn.fulfillments(SHOP);
    expect(more).toHaveLength(0);
    expect(fulfillment!.lineItems.map((line) => [line.lineItemId, line.quantity])).toEqual([[700, 2]]);
    const [fo] = world.standIn.fulfillmentOrders(SHOP, order.shopifyOrderId);
    expect(fo!.status).toBe("IN_PROGRESS");
    expect(fo!.lineItems.map((line) => [line.lineItemId, line.remainingQuantity])).toEqual([
      [700, 0],
      [701, 1],
    ]);
    expect(await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      fulfillmentSync: "written",
    });
  });

  it("GIVEN a request from before requests named their lines, and a line the merchant left out, THEN what it fulfils is every line Brilliant could ship but that one", async () => {
    await mapVariants(SHOP, [V.untracked]);
    const body = testOrder(8, [
      { variant: V.teeMedium, quantity: 1 },
      { variant: V.untracked, quantity: 1 },
    ]);
    world.standIn.setOrders(SHOP, [standInOrderFromRest(body)]);
    await ingest(SHOP, body);
    // The gift box left out by the merchant, then sent as an older version sent it: no line ids.
    await prisma.order.updateMany({
      where: { shop: SHOP, shopifyOrderId: String(body.id) },
      data: {
        lineChanges: JSON.stringify([{ lineItemId: "801", action: "omit", at: new Date().toISOString() }]),
      },
    });
    await forward();
    const order = await orderOf(body);
    const attempt = await prisma.forwardAttempt.findFirstOrThrow({
      where: { orderId: order.id, kind: "create" },
    });
    const request = JSON.parse(attempt.requestBody!) as { custom_data: Record<string, unknown> };
    expect(request.custom_data.shopify_line_item_ids).toEqual(["800"]);
    delete request.custom_data.shopify_line_item_ids;
    await prisma.forwardAttempt.update({
      where: { id: attempt.id },
      data: { requestBody: JSON.stringify(request) },
    });
    await shippedByBrilliant(body);

    const [fulfillment] = world.standIn.fulfillments(SHOP);
    expect(fulfillment!.lineItems.map((line) => line.lineItemId)).toEqual([800]);
  });
});
