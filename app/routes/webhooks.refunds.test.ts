import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { withShopifyAndBrilliant } from "../../tests/helpers/admin-graphql";
import { orderInState } from "../../tests/helpers/admin-orders";
import { adminRequest, callRoute } from "../../tests/helpers/admin-session";
import { forwardUntilSettled, makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { deliverWebhook, type WebhookOptions } from "../../tests/helpers/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { action as ordersPaid } from "./webhooks.orders.paid";
import { action as refundsCreate } from "./webhooks.refunds.create";
import { action as orderAction } from "./app.orders.$id";
import { action as homeAction, loader as home } from "./app._index";

// refunds/create: an order Brilliant has raises an alert to contact Brilliant;
// one not sent yet is held for the merchant. Real signed webhooks into the
// routes, the worker's code sending to the Brilliant simulator over HTTP.

const SHOP = "refunds-a.myshopify.com";
const OTHER = "refunds-b.myshopify.com";
const world = withShopifyAndBrilliant([SHOP, OTHER]);

const paid = (number: number) => testOrder(number, [{ variant: V.teeMedium, quantity: 2 }]);

/** Shopify's refunds/create body: the refund, its lines and transactions, naming its order. */
function refundOf(order: { id: number; line_items: { id: number }[] }, items = 1) {
  return {
    id: 509_562_969,
    order_id: order.id,
    created_at: new Date().toISOString(),
    note: "Changed their mind",
    restock: false,
    admin_graphql_api_id: "gid://shopify/Refund/509562969",
    refund_line_items:
      items === 0
        ? []
        : [
            {
              id: 104_689_539,
              line_item_id: order.line_items[0]!.id,
              quantity: items,
              restock_type: "no_restock",
            },
          ],
    transactions: [{ id: 1, order_id: order.id, kind: "refund", status: "success", amount: "41.94" }],
    order_adjustments: [],
  };
}

const refund = (body: unknown, options?: WebhookOptions, shop = SHOP) =>
  deliverWebhook(refundsCreate, shop, "refunds/create", body, options);

const orderOf = (body: { id: number }) =>
  prisma.order.findUniqueOrThrow({
    where: { shop_shopifyOrderId: { shop: SHOP, shopifyOrderId: String(body.id) } },
  });

const forward = () => forwardUntilSettled([makeForwarder(world.sim.url)]);

async function homeAlerts(shop = SHOP) {
  const response = await callRoute(home, await adminRequest("/app", { shop }));
  expect(response.status).toBe(200);
  return (
    (await response.json()) as {
      alerts: {
        id: string;
        kind: string;
        title: string;
        detail: string;
        orders: { id: string; name: string }[];
        dismissible: boolean;
      }[];
    }
  ).alerts;
}

describe("refunds/create", () => {
  it("GIVEN an order Brilliant has WHEN it is refunded in Shopify THEN an alert names the order and says to contact Brilliant; a redelivery adds nothing; the merchant dismisses it", async () => {
    const body = paid(1);
    await deliverWebhook(ordersPaid, SHOP, "orders/paid", body);
    await forward();
    const order = await orderOf(body);
    expect(order.state).toBe("forwarded");

    expect((await refund(refundOf(body))).status).toBe(200);
    expect((await refund(refundOf(body))).status).toBe(200);

    const alerts = await homeAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: "refunded_after_forward",
      title: `Order ${body.name} was refunded in Shopify (1 item refunded) after Brilliant took it`,
      orders: [{ id: order.id, name: body.name }],
    });
    expect(alerts[0]!.detail).toContain(`contact Brilliant about order ${order.brilliantOrderId}`);
    // Nothing moved, nothing resent.
    expect(await orderOf(body)).toMatchObject({ state: "forwarded" });
    expect(world.sim.acceptedCount()).toBe(1);
    expect(await homeAlerts(OTHER)).toEqual([]);

    // Dismissed from Home's banner: only the shop's own alert, and only once; bad input is 422.
    expect(alerts[0]!.dismissible).toBe(true);
    const dismiss = async (shop: string, alertId: string, intent = "dismissAlert") =>
      (
        await callRoute(
          homeAction,
          await adminRequest("/app", {
            shop,
            method: "POST",
            body: new URLSearchParams({ intent, alertId }),
          }),
        )
      ).status;
    expect(await dismiss(OTHER, alerts[0]!.id)).toBe(404);
    expect(await dismiss(SHOP, alerts[0]!.id, "delete")).toBe(422);
    expect(await dismiss(SHOP, alerts[0]!.id)).toBe(200);
    expect(await dismiss(SHOP, alerts[0]!.id)).toBe(404);
    expect(await homeAlerts()).toEqual([]);

    // A later refund opens a new one.
    expect((await refund(refundOf(body, 0))).status).toBe(200);
    expect((await homeAlerts()).map((alert) => alert.title)).toEqual([
      `Order ${body.name} was refunded in Shopify (a refund without items) after Brilliant took it`,
    ]);
  });

  it("GIVEN an order Brilliant may have (unknown) WHEN it is refunded THEN the alert says what happens if Brilliant has not", async () => {
    const id = await orderInState(SHOP, "unknown", { name: "#R2" });
    const { shopifyOrderId } = await prisma.order.findUniqueOrThrow({ where: { id } });
    const body = { ...paid(2), id: Number(shopifyOrderId) };
    expect((await refund(refundOf(body))).status).toBe(200);
    const [alert] = await homeAlerts();
    expect(alert).toMatchObject({
      kind: "refunded_after_forward",
      title: "Order #R2 was refunded in Shopify (1 item refunded) while it was being sent to Brilliant",
    });
    expect(alert!.detail).toContain("If Brilliant turns out not to have it, it goes as ordered");
    expect(await prisma.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "unknown" });
  });

  it("GIVEN an order not sent yet WHEN it is refunded THEN it is held with the refund as its reason, never sent by itself, and goes once the merchant resubmits it", async () => {
    const body = paid(3);
    await deliverWebhook(ordersPaid, SHOP, "orders/paid", body);
    expect((await refund(refundOf(body, 2))).status).toBe(200);
    const held = await orderOf(body);
    expect(held).toMatchObject({ state: "held", holdKind: "refund" });
    expect(held.stateReason).toMatch(/^Refunded in Shopify before it went to Brilliant \(2 items refunded\)/);

    // A redelivery writes nothing more.
    const moves = await prisma.orderTransition.count({ where: { orderId: held.id } });
    expect((await refund(refundOf(body, 2))).status).toBe(200);
    expect(await prisma.orderTransition.count({ where: { orderId: held.id } })).toBe(moves);

    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "held" });
    expect(world.sim.requests).toHaveLength(0);
    expect(await prisma.alert.count()).toBe(0);

    const resubmitted = await callRoute(
      orderAction,
      await adminRequest(`/app/orders/${held.id}`, {
        shop: SHOP,
        method: "POST",
        body: { intent: "resubmit" },
      }),
      { id: held.id },
    );
    expect(resubmitted.status).toBe(200);
    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "forwarded" });
    expect(world.sim.acceptedCount()).toBe(1);
  });

  it("GIVEN a refund of an order the app never recorded, or of another shop's order THEN 200 and nothing changes", async () => {
    const body = paid(4);
    await deliverWebhook(ordersPaid, SHOP, "orders/paid", body);
    expect((await refund(refundOf(paid(5)))).status).toBe(200);
    expect((await refund(refundOf(body), {}, OTHER)).status).toBe(200);
    expect(await orderOf(body)).toMatchObject({ state: "received" });
    expect(await prisma.order.count()).toBe(1);
    expect(await prisma.alert.count()).toBe(0);
  });

  it("answers 401 to a wrong or missing HMAC and 400 to a body that is not a refund, changing nothing", async () => {
    const body = paid(6);
    await deliverWebhook(ordersPaid, SHOP, "orders/paid", body);
    expect((await refund(refundOf(body), { secret: "wrong" })).status).toBe(401);
    const unsigned = new Request("https://brilliant-sync.test/webhooks/refunds/create", {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-topic": "refunds/create" },
      body: JSON.stringify(refundOf(body)),
    });
    expect((await refundsCreate({ request: unsigned, params: {}, context: {} })).status).toBe(401);
    expect((await refund(null, { rawBody: "{not json" })).status).toBe(400);
    expect((await refund({ ...refundOf(body), order_id: 0 })).status).toBe(400);
    expect((await refund({ ...refundOf(body), order_id: "gid://shopify/Order/1" })).status).toBe(400);
    expect((await refund({ id: body.id })).status).toBe(400);
    expect((await refund([])).status).toBe(400);
    expect(await orderOf(body)).toMatchObject({ state: "received" });
    expect(await prisma.alert.count()).toBe(0);
  });
});
