import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { statementWriterFor } from "../db/statement-writer.server";
import { resetDatabase } from "../../tests/helpers/db";
import { makeForwarder, seedShopForForwarding, testOrder } from "../../tests/helpers/forwarding";
import { signedWebhookRequest } from "../../shopify-stand-in/webhooks";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { TEST_API_SECRET } from "../../tests/setup/app-env";
import { loader as syncStatusLoader } from "../routes/api.orders.$shopifyOrderId.sync";
import { loader as homeLoader } from "../routes/app._index";
import { loader as ordersLoader } from "../routes/app.orders._index";
import { action as customersRedact } from "../routes/webhooks.customers.redact";
import {
  countInbox,
  inboxMoveResult,
  inboxMoveStatements,
  recordPaidOrder,
  flushReceivedOrders,
} from "./ingest.server";
import { parseShopifyOrder } from "./shopify-order";

const SHOP = "inbox.myshopify.com";
const OTHER = "inbox-other.myshopify.com";

beforeEach(() => resetDatabase(prisma));

function paid(shop: string, number: number, webhookId: string | null = `wh-${number}`) {
  const body = testOrder(number, [{ variant: 73002, quantity: 1 }]);
  const parsed = parseShopifyOrder(body);
  if (!parsed.success) throw new Error(parsed.error.message);
  const input = { shop, order: parsed.data, payload: body, rawBody: JSON.stringify(body), webhookId };
  return {
    receive: () => recordPaidOrder({ ...input, source: "webhook" }),
    recordDirectly: () => recordPaidOrder({ ...input, source: "reconciliation" }),
    shopifyOrderId: parsed.data.id,
  };
}

async function receivedTransitions(orderId: string) {
  return prisma.orderTransition.findMany({ where: { orderId, toState: "received" } });
}

describe("recordPaidOrder", () => {
  it("GIVEN a new order THEN it is appended to the inbox, not to Order, under the id its order will have", async () => {
    const result = await paid(SHOP, 1).receive();
    expect(result.kind).toBe("recorded");
    expect(await countInbox(SHOP)).toBe(1);
    expect(await prisma.order.count()).toBe(0);

    expect(await flushReceivedOrders(SHOP)).toEqual({ moved: 1, created: 1 });
    const order = await prisma.order.findUniqueOrThrow({ where: { id: result.orderId } });
    expect(order).toMatchObject({ shop: SHOP, state: "received", deliveries: 1, firstWebhookId: "wh-1" });
    expect(order.stateReason).toMatch(/waiting for the forwarder/);
    expect(await receivedTransitions(order.id)).toMatchObject([
      { id: `${order.id}r`, fromState: null, actor: "webhook", reason: "orders/paid webhook wh-1" },
    ]);
  });

  it("GIVEN a second delivery THEN it only counts itself: in the inbox before the move, in Order after", async () => {
    const order = paid(SHOP, 2);
    const first = await order.receive();
    const second = await order.receive();
    expect(second).toEqual({ kind: "duplicate", orderId: first.orderId, deliveries: 2 });
    await flushReceivedOrders(SHOP);
    const third = await order.receive();
    expect(third).toEqual({ kind: "duplicate", orderId: first.orderId, deliveries: 3 });
    expect(await countInbox()).toBe(0);
    expect(await prisma.order.findUniqueOrThrow({ where: { id: first.orderId } })).toMatchObject({
      deliveries: 3,
    });
    expect(await receivedTransitions(first.orderId)).toHaveLength(1);
  });

  it("GIVEN the sweep finding an order whose webhook waits in the inbox THEN it is the webhook's order, counted once more, first recorded by its webhook", async () => {
    const order = paid(SHOP, 3);
    const fromWebhook = await order.receive();
    const direct = await order.recordDirectly();
    expect(direct).toEqual({ kind: "duplicate", orderId: fromWebhook.orderId, deliveries: 2 });

    expect(await flushReceivedOrders(SHOP)).toEqual({ moved: 0, created: 0 });
    const orders = await prisma.order.findMany({ where: { shop: SHOP } });
    expect(orders).toMatchObject([{ id: fromWebhook.orderId, deliveries: 2 }]);
    expect(await receivedTransitions(fromWebhook.orderId)).toMatchObject([{ actor: "webhook" }]);
    expect(await countInbox()).toBe(0);
  });

  it("GIVEN an order in Order before its webhook WHEN the webhook comes THEN it only counts itself", async () => {
    const order = paid(SHOP, 16);
    const direct = await order.recordDirectly();
    expect(direct.kind).toBe("recorded");
    expect(await order.receive()).toEqual({ kind: "duplicate", orderId: direct.orderId, deliveries: 2 });
    expect(await countInbox()).toBe(0);
    expect(await receivedTransitions(direct.orderId)).toMatchObject([
      { actor: "reconciliation", reason: "found by the reconciliation sweep" },
    ]);
  });
});

describe("flushReceivedOrders", () => {
  it("moves one shop's rows, or one order's, and leaves the rest", async () => {
    await paid(SHOP, 4).receive();
    const wanted = paid(SHOP, 5);
    await wanted.receive();
    await paid(OTHER, 6).receive();

    expect(await flushReceivedOrders(SHOP, wanted.shopifyOrderId)).toEqual({ moved: 1, created: 1 });
    expect(await prisma.order.findMany({ select: { shopifyOrderId: true } })).toEqual([
      { shopifyOrderId: wanted.shopifyOrderId },
    ]);
    expect(await flushReceivedOrders(SHOP)).toEqual({ moved: 1, created: 1 });
    expect(await countInbox(SHOP)).toBe(0);
    expect(await countInbox(OTHER)).toBe(1);
    expect(await flushReceivedOrders(SHOP)).toEqual({ moved: 0, created: 0 });
  });

  it("a move takes the oldest rows first, at most its limit", async () => {
    const ids: string[] = [];
    for (const number of [7, 8, 9]) ids.push((await paid(SHOP, number).receive()).orderId);
    const move = inboxMoveResult(await statementWriterFor().write(inboxMoveStatements({}, 2)));
    expect(move).toEqual({ moved: 2, created: 2 });
    expect((await prisma.order.findMany({ select: { id: true } })).map((o) => o.id).sort()).toEqual(
      ids.slice(0, 2).sort(),
    );
    expect(await countInbox()).toBe(1);
  });

  it("GIVEN deliveries and moves racing THEN each order is in Order once, with every delivery counted", async () => {
    const orders = Array.from({ length: 40 }, (_, index) =>
      paid(index % 2 === 0 ? SHOP : OTHER, 100 + index),
    );
    let done = false;
    const mover = (async () => {
      while (!done) {
        await flushReceivedOrders(SHOP);
        await flushReceivedOrders(OTHER);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(orders.flatMap((order) => [order.receive(), order.receive(), order.receive()]));
    done = true;
    await mover;
    await flushReceivedOrders(SHOP);
    await flushReceivedOrders(OTHER);

    const stored = await prisma.order.findMany({ select: { id: true, deliveries: true } });
    expect(stored).toHaveLength(40);
    expect(stored.reduce((sum, order) => sum + order.deliveries, 0)).toBe(120);
    expect(await prisma.orderTransition.count({ where: { toState: "received" } })).toBe(40);
    expect(await countInbox()).toBe(0);
  });
});

describe("the doors: orders still in the inbox are readable by whatever the shop asks next", () => {
  it("GIVEN orders only in the inbox WHEN a staff member opens the home page, the orders list and the order block THEN each shows them", async () => {
    await seedAdminShop(SHOP);
    await paid(SHOP, 11).receive();
    await paid(SHOP, 12).receive();
    const home = (await (await callRoute(homeLoader, await adminRequest("/app", { shop: SHOP }))).json()) as {
      counts: Record<string, number>;
    };
    expect(home.counts.received).toBe(2);

    const listed = await paid(SHOP, 13).receive();
    const list = (await (
      await callRoute(ordersLoader, await adminRequest("/app/orders?state=received", { shop: SHOP }))
    ).json()) as { orders: { id: string }[] };
    expect(list.orders.map((order) => order.id)).toContain(listed.orderId);

    const blocked = paid(SHOP, 14);
    const { orderId } = await blocked.receive();
    const status = await callRoute(
      syncStatusLoader,
      await adminRequest(`/api/orders/${blocked.shopifyOrderId}/sync`, { shop: SHOP }),
      { shopifyOrderId: blocked.shopifyOrderId },
    );
    expect((await status.json()).status).toMatchObject({ orderId, state: "received" });
    expect(await countInbox(SHOP)).toBe(0);
  });

  it("GIVEN an order only in the inbox WHEN customers/redact names it THEN it is redacted", async () => {
    const redacted = paid(SHOP, 15);
    await redacted.receive();
    expect(await countInbox(SHOP)).toBe(1);
    const response = await customersRedact({
      request: signedWebhookRequest("https://brilliant-sync.test/webhooks/customers/redact", {
        topic: "customers/redact",
        shop: SHOP,
        body: {
          shop_domain: SHOP,
          customer: { id: 1, email: "buyer@example.com" },
          orders_to_redact: [Number(redacted.shopifyOrderId)],
        },
        secret: TEST_API_SECRET,
      }),
      params: {},
      context: {},
    });
    expect(response.status).toBe(200);
    const { payload } = await prisma.order.findFirstOrThrow({
      where: { shopifyOrderId: redacted.shopifyOrderId },
    });
    expect(payload).not.toContain("Test Buyer");
    expect(payload).not.toContain("1 Test St");
  });
});

describe("the worker's round", () => {
  it("moves what waits in the inbox and claims it, even when every shop with orders in Order is left out", async () => {
    await seedShopForForwarding(SHOP);
    await seedShopForForwarding(OTHER);
    const { orderId } = await paid(SHOP, 20).receive();
    const forwarder = makeForwarder("http://127.0.0.1:9");

    await forwarder.takeReceivedOrders();
    const claimed = await forwarder.claimDue(5);
    expect(claimed.map((order) => order.id)).toEqual([orderId]);
    expect(await countInbox()).toBe(0);

    // OTHER is at its limit; SHOP's new order is in the inbox only.
    const next = await paid(SHOP, 21).receive();
    await forwarder.takeReceivedOrders();
    const again = await forwarder.claimDue(5, [OTHER], [orderId]);
    expect(again.map((order) => order.id)).toEqual([next.orderId]);
  });
});
