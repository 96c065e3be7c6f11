import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { callRoute as call } from "../../tests/helpers/call-route";
import { resetDatabase } from "../../tests/helpers/db";
import { signedWebhook, type WebhookOptions } from "../../tests/helpers/webhooks";
import { TEST_APP_URL } from "../../tests/setup/app-env";
import { countInbox, flushReceivedOrders } from "../orders/ingest.server";
import { action as ordersPaid } from "./webhooks.orders.paid";
import { action as ordersCancelled } from "./webhooks.orders.cancelled";
import { action as appUninstalled } from "./webhooks.app.uninstalled";
import { action as customersRedact } from "./webhooks.customers.redact";
import { action as customersDataRequest } from "./webhooks.customers.data_request";
import { action as shopRedact } from "./webhooks.shop.redact";

const SHOP = "webhook-test.myshopify.com";
const URL_BASE = `${TEST_APP_URL}/webhooks`;

function paidOrder(id = 820001, overrides: Record<string, unknown> = {}) {
  return {
    id,
    name: `#${id}`,
    email: "buyer@example.com",
    financial_status: "paid",
    created_at: "2026-11-25T10:00:00Z",
    line_items: [{ id: 1, variant_id: 11, sku: "73002", title: "Tee", quantity: 1 }],
    shipping_address: {
      name: "Buyer",
      address1: "1 St",
      city: "Austin",
      province_code: "TX",
      zip: "73301",
      country_code: "US",
    },
    ...overrides,
  };
}

const signed = (topic: string, body: unknown, extra?: WebhookOptions) =>
  signedWebhook(SHOP, topic, body, extra);

beforeEach(() => resetDatabase(prisma));

describe("orders/paid", () => {
  it("GIVEN a signed paid order WHEN delivered THEN it is recorded as received with its webhook id and its body as it came, and answered 200", async () => {
    // Spacing and key order as JSON.stringify would not write them: the body is kept as is.
    const rawBody = JSON.stringify(paidOrder(), null, 1).replace('"email"', '"email" ');
    const before = new Date();
    const response = await call(ordersPaid, signed("orders/paid", null, { webhookId: "wh-1", rawBody }));
    expect(response.status).toBe(200);
    // Answered once it is in the inbox (decision 012); Order has it once moved.
    expect(await countInbox(SHOP)).toBe(1);
    expect(await prisma.order.count()).toBe(0);
    expect(await flushReceivedOrders(SHOP)).toEqual({ moved: 1, created: 1 });
    expect(await countInbox()).toBe(0);
    const order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP } });
    expect(order).toMatchObject({
      shopifyOrderId: "820001",
      name: "#820001",
      state: "received",
      firstWebhookId: "wh-1",
      deliveries: 1,
    });
    expect(order.payload).toBe(rawBody);
    expect(JSON.parse(order.payload).email).toBe("buyer@example.com");
    const transitions = await prisma.orderTransition.findMany({ where: { orderId: order.id } });
    expect(transitions).toMatchObject([
      { fromState: null, toState: "received", actor: "webhook", reason: "orders/paid webhook wh-1" },
    ]);
    // Dated when Shopify's webhook came, not when the order was moved.
    expect(transitions[0]!.at.getTime()).toBe(order.createdAt.getTime());
    expect(order.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
    expect(order.nextAttemptAt).toEqual(order.createdAt);
    expect(order.shopifyCreatedAt).toEqual(new Date("2026-11-25T10:00:00Z"));
  });

  it("GIVEN one order delivered three times at once WHEN recorded THEN exactly one order exists, counting three deliveries", async () => {
    const responses = await Promise.all(
      [1, 2, 3].map(() =>
        call(ordersPaid, signed("orders/paid", paidOrder(), { webhookId: "same-delivery" })),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await countInbox(SHOP)).toBe(1);
    await flushReceivedOrders(SHOP);
    const orders = await prisma.order.findMany({ where: { shop: SHOP } });
    expect(orders).toHaveLength(1);
    expect(orders[0]!.deliveries).toBe(3);

    // A fourth, after the move, only counts itself on the order.
    expect((await call(ordersPaid, signed("orders/paid", paidOrder()))).status).toBe(200);
    expect(await countInbox()).toBe(0);
    expect(await prisma.order.findFirstOrThrow({ where: { shop: SHOP } })).toMatchObject({
      id: orders[0]!.id,
      deliveries: 4,
    });
  });

  it("answers 401 to a wrong HMAC and to a missing one, writing nothing", async () => {
    const wrong = await call(ordersPaid, signed("orders/paid", paidOrder(), { secret: "not-the-secret" }));
    expect(wrong.status).toBe(401);
    const unsigned = signed("orders/paid", paidOrder());
    unsigned.headers.delete("x-shopify-hmac-sha256");
    expect((await call(ordersPaid, unsigned)).status).toBe(401);
    expect(await prisma.order.count()).toBe(0);
  });

  it("answers 400 to a signed body that is not JSON, or JSON that is not an order, writing nothing", async () => {
    expect((await call(ordersPaid, signed("orders/paid", null, { rawBody: "{not json" }))).status).toBe(400);
    expect((await call(ordersPaid, signed("orders/paid", { hello: "world" }))).status).toBe(400);
    expect((await call(ordersPaid, signed("orders/paid", paidOrder(1, { line_items: "nope" })))).status).toBe(
      400,
    );
    expect(await prisma.order.count()).toBe(0);
  });

  it("answers 400 when Shopify's headers are missing and 405 to a GET", async () => {
    const noTopic = signed("orders/paid", paidOrder());
    noTopic.headers.delete("x-shopify-topic");
    expect((await call(ordersPaid, noTopic)).status).toBe(400);
    const get = new Request(`${URL_BASE}/orders/paid`, { method: "GET" });
    expect((await call(ordersPaid, get)).status).toBe(405);
  });
});

describe("orders/cancelled", () => {
  it("cancels an order not yet sent, so it never goes to Brilliant", async () => {
    await call(ordersPaid, signed("orders/paid", paidOrder()));
    const response = await call(
      ordersCancelled,
      signed("orders/cancelled", paidOrder(820001, { cancelled_at: "2026-11-25T11:00:00Z" })),
    );
    expect(response.status).toBe(200);
    const order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP } });
    expect(order.state).toBe("cancelled");
    expect(order.cancelledAt).not.toBeNull();
  });

  it("records a cancellation that arrives before its paid webhook, so the late paid webhook sends nothing", async () => {
    await call(
      ordersCancelled,
      signed("orders/cancelled", paidOrder(820002, { cancelled_at: "2026-11-25T11:00:00Z" })),
    );
    await call(ordersPaid, signed("orders/paid", paidOrder(820002)));
    const order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP } });
    expect(order).toMatchObject({ state: "cancelled", deliveries: 2 });
  });

  it("raises an alert when Brilliant already has the cancelled order", async () => {
    await call(ordersPaid, signed("orders/paid", paidOrder()));
    await flushReceivedOrders(SHOP);
    await prisma.order.updateMany({
      where: { shop: SHOP },
      data: { state: "forwarded", brilliantOrderId: "50001" },
    });
    await call(
      ordersCancelled,
      signed("orders/cancelled", paidOrder(820001, { cancelled_at: "2026-11-25T11:00:00Z" })),
    );
    const alerts = await prisma.alert.findMany({ where: { shop: SHOP } });
    expect(alerts).toMatchObject([{ kind: "cancelled_after_forward", status: "open" }]);
    expect(alerts[0]!.detail).toMatch(/contact Brilliant to cancel order 50001/);
  });
});

describe("app/uninstalled and compliance topics", () => {
  it("app/uninstalled removes the shop's sessions and marks it uninstalled", async () => {
    await prisma.session.create({
      data: { id: `offline_${SHOP}`, shop: SHOP, state: "x", accessToken: "t" },
    });
    await prisma.shopSettings.create({ data: { shop: SHOP, statusWebhookToken: "tok" } });
    expect((await call(appUninstalled, signed("app/uninstalled", { id: 1, domain: SHOP }))).status).toBe(200);
    expect(await prisma.session.count({ where: { shop: SHOP } })).toBe(0);
    expect(
      (await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).uninstalledAt,
    ).not.toBeNull();
  });

  it("customers/redact scrubs the customer's personal data from orders and attempts", async () => {
    await call(ordersPaid, signed("orders/paid", paidOrder()));
    await flushReceivedOrders(SHOP);
    const order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP } });
    await prisma.forwardAttempt.create({
      data: {
        orderId: order.id,
        shop: SHOP,
        number: 1,
        kind: "create",
        startedAt: new Date(),
        durationMs: 5,
        outcome: "accepted",
        requestBody: JSON.stringify({ shipping_address: { name: "Buyer", address_1: "1 St" } }),
        responseBody: JSON.stringify({ code: 1200, payload: { shipping_address: { name: "Buyer" } } }),
      },
    });
    const response = await call(
      customersRedact,
      signed("customers/redact", {
        shop_domain: SHOP,
        customer: { id: 1, email: "buyer@example.com" },
        orders_to_redact: [820001],
      }),
    );
    expect(response.status).toBe(200);
    const rows =
      JSON.stringify(await prisma.order.findMany()) + JSON.stringify(await prisma.forwardAttempt.findMany());
    expect(rows).not.toContain("buyer@example.com");
    expect(rows).not.toContain("Buyer");
    expect(rows).not.toContain("1 St");
  });

  it("customers/data_request answers 200; shop/redact removes everything of the shop", async () => {
    await call(ordersPaid, signed("orders/paid", paidOrder()));
    expect(
      (
        await call(
          customersDataRequest,
          signed("customers/data_request", {
            shop_domain: SHOP,
            orders_requested: [820001],
            data_request: { id: 9 },
          }),
        )
      ).status,
    ).toBe(200);
    // The data request moved the first order into Order to read it; a second waits in the inbox.
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(1);
    await call(ordersPaid, signed("orders/paid", paidOrder(820009)));
    expect(await countInbox(SHOP)).toBe(1);
    expect((await call(shopRedact, signed("shop/redact", { shop_id: 1, shop_domain: SHOP }))).status).toBe(
      200,
    );
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.orderTransition.count({ where: { shop: SHOP } })).toBe(0);
    expect(await countInbox(SHOP)).toBe(0);
  });

  it("every compliance topic answers 401 to a bad HMAC", async () => {
    for (const [action, topic] of [
      [customersRedact, "customers/redact"],
      [customersDataRequest, "customers/data_request"],
      [shopRedact, "shop/redact"],
      [appUninstalled, "app/uninstalled"],
    ] as const) {
      expect((await call(action, signed(topic, { shop_domain: SHOP }, { secret: "wrong" }))).status).toBe(
        401,
      );
    }
  });
});
