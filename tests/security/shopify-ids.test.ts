/**
 * Shopify ids key everything (the inbox, orders, custom_data at Brilliant), so
 * they are made canonical before anything is written (app/models/shopify-id.ts):
 * one order id written as a number and as a digit string with leading zeros
 * is one order, sent to Brilliant once; 0, negatives, fractions and ids past
 * 2^53 − 1 are refused with 400 and nothing written. Over real signed
 * webhooks into the route modules, the real database, the real forwarder and
 * the Brilliant simulator.
 */
import { beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { adminRequest, callRoute } from "../helpers/admin-session";
import { tableRowCounts } from "../helpers/catalog";
import { forwardUntilSettled, makeForwarder, testOrder } from "../helpers/forwarding";
import { signedWebhook } from "../helpers/webhooks";
import { withBrilliant } from "../helpers/with-brilliant";
import { answerOf, importRoute, type RouteFunction } from "./routes";

const SHOP = "shopify-ids.myshopify.com";
const ORDER_ID = 8_400_704_573;

const world = withBrilliant(SHOP, { installed: true, variants: [V.teeMedium] });
const routes: Record<string, RouteFunction> = {};

beforeAll(async () => {
  for (const [name, id] of [
    ["orders/paid", "webhooks.orders.paid"],
    ["orders/cancelled", "webhooks.orders.cancelled"],
    ["orders/edited", "webhooks.orders.edited"],
    ["customers/data_request", "webhooks.customers.data_request"],
    ["customers/redact", "webhooks.customers.redact"],
    ["fulfillment_orders/placed_on_hold", "webhooks.fulfillment_orders.placed_on_hold"],
    ["products/update", "webhooks.products.update"],
    ["products/delete", "webhooks.products.delete"],
  ] as const) {
    routes[name] = (await importRoute(id)).action!;
  }
  const api = await importRoute("api.orders.$shopifyOrderId.sync");
  routes["api"] = api.loader!;
  routes["orders-list"] = (await importRoute("app.orders._index")).loader!;
});

/** A paid order whose ids are written as given (a raw JSON fragment each: 8400704573, "08400704573", 1e400). */
function rawOrder(
  ids: { id?: string; lineId?: string; variantId?: string; productId?: string } = {},
): string {
  const order = testOrder(1, [{ variant: V.teeMedium, quantity: 1 }]);
  const line = order.line_items[0]!;
  const body = JSON.stringify({
    ...order,
    id: "@ID@",
    line_items: [{ ...line, id: "@LINE@", variant_id: "@VARIANT@", product_id: "@PRODUCT@" }],
  });
  return body
    .replace('"@ID@"', ids.id ?? String(ORDER_ID))
    .replace('"@LINE@"', ids.lineId ?? String(line.id))
    .replace('"@VARIANT@"', ids.variantId ?? String(line.variant_id))
    .replace('"@PRODUCT@"', ids.productId ?? "null");
}

async function deliver(topic: string, rawBody: string): Promise<number> {
  const response = await answerOf(routes[topic]!, signedWebhook(SHOP, topic, null, { rawBody }));
  return response.status;
}

/** The orders the admin lists for the shop, by name and state. */
async function listed(): Promise<{ name: string; state: string }[]> {
  const response = await callRoute(routes["orders-list"]!, await adminRequest("/app/orders", { shop: SHOP }));
  const { orders } = (await response.json()) as { orders: { name: string; state: string }[] };
  return orders.map(({ name, state }) => ({ name, state }));
}

/** Ids that are no Shopify id, as raw JSON: each must be refused wherever an id is read. */
const NOT_IDS: string[] = [
  "0",
  "-1",
  "1.5",
  '"0"',
  '"000"',
  '"-1"',
  '"+12"',
  '" 12"',
  '"12 "',
  '"1e5"',
  '"0x1F"',
  '""',
  `"${"9".repeat(400)}"`,
  "9".repeat(400),
  String(Number.MAX_SAFE_INTEGER + 1),
  `"${Number.MAX_SAFE_INTEGER + 1}"`,
  `"${"0".repeat(40)}1"`,
  "true",
  "[1]",
  '{"id":1}',
];

describe("Shopify ids, canonical before they key anything", () => {
  it('GIVEN one order as "id": 8400704573 and as "id": "08400704573" WHEN both arrive signed, at once THEN one order with two deliveries, listed once, sent to Brilliant once', async () => {
    const answers = await Promise.all([
      deliver("orders/paid", rawOrder({ id: String(ORDER_ID) })),
      deliver(
        "orders/paid",
        rawOrder({ id: `"0${ORDER_ID}"`, lineId: '"0100"', variantId: `"00${1_000_000 + V.teeMedium}"` }),
      ),
    ]);
    expect(answers).toEqual([200, 200]);
    await forwardUntilSettled([makeForwarder(world.sim.url)]);

    expect(await listed()).toEqual([{ name: "#T1", state: "forwarded" }]);
    const orders = await prisma.order.findMany({ where: { shop: SHOP } });
    expect(orders.map((order) => [order.shopifyOrderId, order.deliveries])).toEqual([[String(ORDER_ID), 2]]);
    expect(world.sim.acceptedOrders()).toHaveLength(1);
    expect(world.sim.acceptedOrders()[0]!.order.custom_data).toMatchObject({
      shopify_order_id: String(ORDER_ID),
    });

    // The order block asks with whatever spelling it has; it finds the one order.
    for (const asked of [`0${ORDER_ID}`, `gid://shopify/Order/00${ORDER_ID}`]) {
      const response = await callRoute(
        routes["api"]!,
        await adminRequest(`/api/orders/${encodeURIComponent(asked)}/sync`, { shop: SHOP }),
        { shopifyOrderId: asked },
      );
      expect(response.status).toBe(200);
      expect(((await response.json()) as { status: { orderId: string } }).status.orderId).toBe(orders[0]!.id);
    }
  });

  it('GIVEN an order paid as 8400704573 WHEN cancelled as "08400704573" THEN that order is cancelled and no other appears', async () => {
    expect(await deliver("orders/paid", rawOrder())).toBe(200);
    const cancelled = JSON.parse(rawOrder({ id: `"0${ORDER_ID}"` })) as Record<string, unknown>;
    cancelled.cancelled_at = new Date().toISOString();
    expect(await deliver("orders/cancelled", JSON.stringify(cancelled))).toBe(200);
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    expect(await listed()).toEqual([{ name: "#T1", state: "cancelled" }]);
    expect(world.sim.acceptedOrders()).toEqual([]);
  });

  it('GIVEN an order paid as 8400704573 WHEN customers/redact names it "08400704573" THEN its customer\'s data is gone from it', async () => {
    const paid = JSON.parse(rawOrder()) as Record<string, unknown>;
    paid.email = "jane.buyer@example.com";
    expect(await deliver("orders/paid", JSON.stringify(paid))).toBe(200);
    const request = {
      orders_requested: [`0${ORDER_ID}`],
      customer: { email: "jane.buyer@example.com" },
    };
    expect(await deliver("customers/data_request", JSON.stringify(request))).toBe(200);
    const redact = { orders_to_redact: [`0${ORDER_ID}`, "not an id"], customer: request.customer };
    expect(await deliver("customers/redact", JSON.stringify(redact))).toBe(200);
    const order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP } });
    expect(order.shopifyOrderId).toBe(String(ORDER_ID));
    expect(order.payload).not.toContain("jane.buyer@example.com");
    expect(order.payload).not.toContain("Test Buyer");
  });

  it("GIVEN an order, line, variant or product id that is no Shopify id (0, negative, fraction, 400 digits, past 2^53 - 1, not a number) THEN orders/paid and orders/cancelled answer 400, nothing is written and nothing reaches Brilliant", async () => {
    const before = await tableRowCounts(prisma);
    const refused: string[] = [];
    for (const bad of NOT_IDS) {
      const bodies: [string, string][] = [
        ["orders/paid", rawOrder({ id: bad })],
        ["orders/paid", rawOrder({ lineId: bad })],
        ["orders/paid", rawOrder({ variantId: bad })],
        ["orders/paid", rawOrder({ productId: bad })],
        ["orders/cancelled", rawOrder({ id: bad })],
      ];
      for (const [topic, body] of bodies) {
        const status = await deliver(topic, body);
        if (status !== 400) refused.push(`${topic} ${body.slice(0, 120)} answered ${status}`);
      }
    }
    expect(refused).toEqual([]);
    expect(await tableRowCounts(prisma)).toEqual(before);
    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    expect(await listed()).toEqual([]);
    expect(world.sim.acceptedOrders()).toEqual([]);
  });

  it("GIVEN ids that are no Shopify id in order edits, fulfillment holds and product webhooks THEN 400 and nothing written; the same ids written with leading zeros are taken", async () => {
    const before = await tableRowCounts(prisma);
    const refused: string[] = [];
    for (const bad of NOT_IDS) {
      const gidOf = (type: string) => (bad.startsWith('"') ? `"gid://shopify/${type}/${bad.slice(1)}` : null);
      const bodies: [string, string][] = [
        ["orders/edited", `{"order_edit":{"id":1,"order_id":${bad}}}`],
        ["fulfillment_orders/placed_on_hold", `{"fulfillment_order":{"id":${bad},"status":"on_hold"}}`],
        ["products/update", `{"id":${bad},"title":"Tee","variants":[]}`],
        ["products/delete", `{"id":${bad}}`],
      ];
      const orderGid = gidOf("Order");
      if (orderGid) bodies.push(["orders/edited", `{"order_edit":{"id":1,"order_id":${orderGid}}}`]);
      const holdGid = gidOf("FulfillmentOrder");
      if (holdGid)
        bodies.push(["fulfillment_orders/placed_on_hold", `{"fulfillment_order":{"id":${holdGid}}}`]);
      for (const [topic, body] of bodies) {
        const status = await deliver(topic, body);
        if (status !== 400) refused.push(`${topic} ${body.slice(0, 120)} answered ${status}`);
      }
    }
    expect(refused).toEqual([]);
    expect(await tableRowCounts(prisma)).toEqual(before);

    // Leading zeros are the same id: taken, and keyed without them.
    expect(await deliver("products/delete", '{"id":"000123"}')).toBe(200);
    expect(
      await deliver("orders/edited", `{"order_edit":{"id":1,"order_id":"gid://shopify/Order/0${ORDER_ID}"}}`),
    ).toBe(200);
  });
});
