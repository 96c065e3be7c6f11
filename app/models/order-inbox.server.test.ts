import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { statementWriterFor } from "../db/statement-writer.server";
import { resetDatabase } from "../../tests/helpers/db";
import { makeForwarder, seedShopForForwarding, testOrder } from "../../tests/helpers/forwarding";
import { redactCustomerOrders } from "./compliance.server";
import { getDashboard } from "./dashboard.server";
import {
  countInbox,
  inboxMoveResult,
  inboxMoveStatements,
  receivePaidOrder,
  settleInbox,
} from "./order-inbox.server";
import { listOrders } from "./order-list.server";
import { getOrderSyncStatus } from "./order-sync-status.server";
import { getOrderByShopifyId, recordPaidOrder } from "./order.server";
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
    receive: () => receivePaidOrder({ ...input, source: "webhook" }),
    recordDirectly: () => recordPaidOrder({ ...input, source: "reconciliation" }),
    shopifyOrderId: parsed.data.id,
  };
}

async function receivedTransitions(orderId: string) {
  return prisma.orderTransition.findMany({ where: { orderId, toState: "received" } });
}

describe("receivePaidOrder", () => {
  it("GIVEN a new order THEN it is appended to the inbox, not to Order, under the id its order will have", async () => {
    const result = await paid(SHOP, 1).receive();
    expect(result.kind).toBe("recorded");
    expect(await countInbox(SHOP)).toBe(1);
    expect(await prisma.order.count()).toBe(0);

    expect(await settleInbox(SHOP)).toEqual({ moved: 1, created: 1 });
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
    await settleInbox(SHOP);
    const third = await order.receive();
    expect(third).toEqual({ kind: "duplicate", orderId: first.orderId, deliveries: 3 });
    expect(await countInbox()).toBe(0);
    expect(await prisma.order.findUniqueOrThrow({ where: { id: first.orderId } })).toMatchObject({
      deliveries: 3,
    });
    expect(await receivedTransitions(first.orderId)).toHaveLength(1);
  });

  it("GIVEN the order recorded straight in Order while its webhook waits in the inbox THEN the move adds its delivery and creates nothing", async () => {
    const order = paid(SHOP, 3);
    const fromWebhook = await order.receive();
    const direct = await order.recordDirectly();
    expect(direct.kind).toBe("recorded");
    expect(direct.orderId).not.toBe(fromWebhook.orderId);

    expect(await settleInbox(SHOP)).toEqual({ moved: 1, created: 0 });
    const orders = await prisma.order.findMany({ where: { shop: SHOP } });
    expect(orders).toMatchObject([{ id: direct.orderId, deliveries: 2 }]);
    expect(await prisma.orderTransition.count({ where: { toState: "received" } })).toBe(1);
    expect(await countInbox()).toBe(0);
  });
});

describe("settleInbox", () => {
  it("moves one shop's rows, or one order's, and leaves the rest", async () => {
    await paid(SHOP, 4).receive();
    const wanted = paid(SHOP, 5);
    await wanted.receive();
    await paid(OTHER, 6).receive();

    expect(await settleInbox(SHOP, wanted.shopifyOrderId)).toEqual({ moved: 1, created: 1 });
    expect(await prisma.order.findMany({ select: { shopifyOrderId: true } })).toEqual([
      { shopifyOrderId: wanted.shopifyOrderId },
    ]);
    expect(await settleInbox(SHOP)).toEqual({ moved: 1, created: 1 });
    expect(await countInbox(SHOP)).toBe(0);
    expect(await countInbox(OTHER)).toBe(1);
    expect(await settleInbox(SHOP)).toEqual({ moved: 0, created: 0 });
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

  it("readers of one order find it while it is still in the inbox", async () => {
    const order = paid(SHOP, 10);
    const { orderId } = await order.receive();
    expect((await getOrderByShopifyId(SHOP, order.shopifyOrderId))?.id).toBe(orderId);
  });

  it("the orders list, the order block's status and a customer's redaction find orders still in the inbox", async () => {
    const listed = await paid(SHOP, 13).receive();
    expect((await listOrders(SHOP, {})).orders.map((order) => order.id)).toEqual([listed.orderId]);

    const blocked = paid(SHOP, 14);
    const { orderId } = await blocked.receive();
    expect(await getOrderSyncStatus(SHOP, blocked.shopifyOrderId)).toMatchObject({
      orderId,
      state: "received",
    });

    const redacted = paid(SHOP, 15);
    await redacted.receive();
    expect(await countInbox(SHOP)).toBe(1);
    expect(await redactCustomerOrders(SHOP, [redacted.shopifyOrderId])).toBe(1);
    const { payload } = await prisma.order.findFirstOrThrow({
      where: { shopifyOrderId: redacted.shopifyOrderId },
    });
    expect(payload).not.toContain("Test Buyer");
    expect(payload).not.toContain("1 Test St");
  });

  it("the admin's home page counts orders still in the inbox", async () => {
    await paid(SHOP, 11).receive();
    await paid(SHOP, 12).receive();
    const dashboard = await getDashboard(SHOP, { days: 7 });
    expect(dashboard.counts.received).toBe(2);
  });

  it("GIVEN deliveries and moves racing THEN each order is in Order once, with every delivery counted", async () => {
    const orders = Array.from({ length: 40 }, (_, index) =>
      paid(index % 2 === 0 ? SHOP : OTHER, 100 + index),
    );
    let done = false;
    const mover = (async () => {
      while (!done) {
        await settleInbox(SHOP);
        await settleInbox(OTHER);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(orders.flatMap((order) => [order.receive(), order.receive(), order.receive()]));
    done = true;
    await mover;
    await settleInbox(SHOP);
    await settleInbox(OTHER);

    const stored = await prisma.order.findMany({ select: { id: true, deliveries: true } });
    expect(stored).toHaveLength(40);
    expect(stored.reduce((sum, order) => sum + order.deliveries, 0)).toBe(120);
    expect(await prisma.orderTransition.count({ where: { toState: "received" } })).toBe(40);
    expect(await countInbox()).toBe(0);
  });
});

describe("the worker's claim", () => {
  it("moves what waits in the inbox and claims it, even when every shop with orders in Order is left out", async () => {
    await seedShopForForwarding(SHOP);
    await seedShopForForwarding(OTHER);
    const { orderId } = await paid(SHOP, 20).receive();
    const forwarder = makeForwarder("http://127.0.0.1:9");

    const claimed = await forwarder.claimDue(5);
    expect(claimed.map((order) => order.id)).toEqual([orderId]);
    expect(await countInbox()).toBe(0);

    // OTHER is at its limit; SHOP's new order is in the inbox only.
    const next = await paid(SHOP, 21).receive();
    const again = await forwarder.claimDue(5, [OTHER], [orderId]);
    expect(again.map((order) => order.id)).toEqual([next.orderId]);
  });
});
