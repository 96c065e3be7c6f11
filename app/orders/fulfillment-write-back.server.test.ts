import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import {
  adminGraphqlFor,
  standInOrderFromRest,
  withShopifyAndBrilliant,
} from "../../tests/helpers/admin-graphql";
import { forwardUntilSettled, ingest, makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { SIM_API_KEY, SIM_API_SECRET } from "../../simulator/server";
import { createBrilliantClient } from "../integrations/brilliant/client.server";
import { writeBackShippedOrders } from "../worker/chores.server";
import { pollForwardedOrders, recordStatusCallback } from "./brilliant-status.server";
import { writeBackDueFulfillments } from "./fulfillment-write-back.server";
import { getOrderDetail } from "./order-detail.server";

// GIVEN a forwarded order and Shopify played by the Admin GraphQL stand-in
// (which keeps fulfillment orders and refuses to fulfill one twice), WHEN
// Brilliant reports it shipped, THEN the worker marks it fulfilled in Shopify
// exactly once, if the shop turned that on.

const SHOP = "write-back-test.myshopify.com";

const world = withShopifyAndBrilliant([SHOP]);
beforeEach(async () => {
  await prisma.shopSettings.update({ where: { shop: SHOP }, data: { fulfillmentWriteBack: true } });
});

async function forwardedOrder(number: number) {
  const body = testOrder(number, [{ variant: V.teeMedium, quantity: 2 }]);
  world.standIn.setOrders(SHOP, [standInOrderFromRest(body)]);
  await ingest(SHOP, body);
  await forwardUntilSettled([makeForwarder(world.sim.url)]);
  const order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, name: `#T${number}` } });
  expect(order.state).toBe("forwarded");
  return order;
}

async function brilliantSays(order: { shopifyOrderId: string; brilliantOrderId: string | null }, extra = {}) {
  return recordStatusCallback(
    SHOP,
    JSON.stringify({
      id: order.brilliantOrderId,
      status: "shipped",
      ship_status: "shipped",
      custom_data: { shopify_shop: SHOP, shopify_order_id: order.shopifyOrderId },
      ...extra,
    }),
  );
}

const createRequests = () =>
  world.standIn.requests.filter((request) => request.operation === "FulfillOrderShippedByBrilliant");

describe("fulfillment write-back", () => {
  it("GIVEN write-back on WHEN Brilliant reports shipped with tracking THEN the Shopify order is fulfilled once, with the tracking, and the order says so", async () => {
    const order = await forwardedOrder(1);
    await brilliantSays(order, { tracking_number: "1Z999AA10123456784", tracking_company: "UPS" });
    expect(await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      fulfillmentSync: "pending",
    });

    expect(await writeBackShippedOrders()).toBe(1);

    const fulfillments = world.standIn.fulfillments(SHOP);
    expect(fulfillments).toHaveLength(1);
    expect(fulfillments[0]).toMatchObject({
      orderId: Number(order.shopifyOrderId),
      trackingInfo: { number: "1Z999AA10123456784", company: "UPS" },
      notifyCustomer: true,
      lineItems: [{ quantity: 2 }],
    });
    expect(world.standIn.fulfillmentOrders(SHOP, order.shopifyOrderId).map((fo) => fo.status)).toEqual([
      "CLOSED",
    ]);
    const after = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(after).toMatchObject({
      state: "forwarded",
      fulfillmentSync: "written",
      shopifyFulfillmentIds: String(fulfillments[0]!.id),
      fulfillmentSyncError: null,
    });
    expect(after.fulfilledInShopifyAt).not.toBeNull();
    // The order page says so.
    expect((await getOrderDetail(SHOP, order.id))?.shopifyFulfillment).toMatch(/Marked fulfilled in Shopify/);
  });

  it("GIVEN it was written WHEN Brilliant calls again, and the worker runs again THEN no second fulfillment is created", async () => {
    const order = await forwardedOrder(2);
    await brilliantSays(order);
    await writeBackShippedOrders();
    await brilliantSays(order, { status: "delivered" });
    await brilliantSays(order);
    await writeBackShippedOrders();
    expect(await writeBackDueFulfillments(SHOP, await adminGraphqlFor(SHOP))).toEqual(new Map());

    expect(world.standIn.fulfillments(SHOP)).toHaveLength(1);
    expect(createRequests()).toHaveLength(1);
  });

  it("GIVEN the record of a written fulfillment was lost (a crash) WHEN retried THEN it sees Shopify already fulfilled it and creates nothing", async () => {
    const order = await forwardedOrder(3);
    await brilliantSays(order);
    await writeBackShippedOrders();
    await prisma.order.update({
      where: { id: order.id },
      data: { fulfillmentSync: "pending", shopifyFulfillmentIds: null, fulfillmentSyncNextAt: new Date(0) },
    });

    const outcomes = await writeBackDueFulfillments(SHOP, await adminGraphqlFor(SHOP));

    expect(outcomes.get(order.id)).toMatchObject({ kind: "not_needed" });
    expect(world.standIn.fulfillments(SHOP)).toHaveLength(1);
    expect(createRequests()).toHaveLength(1);
  });

  it("GIVEN write-back off THEN shipped orders are left for the merchant to fulfill", async () => {
    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { fulfillmentWriteBack: false } });
    const order = await forwardedOrder(4);
    await brilliantSays(order);
    expect(await writeBackShippedOrders()).toBe(0);
    expect(await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      brilliantShipStatus: "shipped",
      fulfillmentSync: null,
    });
    expect(world.standIn.requests.filter((request) => request.operation?.startsWith("Fulfill"))).toHaveLength(
      0,
    );
  });

  it("GIVEN Shopify fails or holds the order THEN the failure is recorded on the order and retried later, an alert after repeated failures, and it is written once Shopify allows", async () => {
    const order = await forwardedOrder(5);
    await brilliantSays(order);
    const [fo] = world.standIn.fulfillmentOrders(SHOP, order.shopifyOrderId);
    world.standIn.setFulfillmentOrderStatus(SHOP, fo!.id, "ON_HOLD");
    const graphql = await adminGraphqlFor(SHOP);
    const makeDue = () =>
      prisma.order.update({ where: { id: order.id }, data: { fulfillmentSyncNextAt: new Date(0) } });

    const held = await writeBackDueFulfillments(SHOP, graphql);
    expect(held.get(order.id)).toMatchObject({ kind: "failed", why: expect.stringMatching(/holds/) });
    const failed = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(failed).toMatchObject({ fulfillmentSync: "pending", fulfillmentSyncAttempts: 1 });
    expect(failed.fulfillmentSyncError).toMatch(/holds this order's fulfillment/);
    expect(failed.fulfillmentSyncNextAt!.getTime()).toBeGreaterThan(Date.now());
    // Not due yet: nothing is tried.
    expect((await writeBackDueFulfillments(SHOP, graphql)).size).toBe(0);

    world.standIn.setFulfillmentOrderStatus(SHOP, fo!.id, "OPEN");
    world.standIn.failNext("FulfillmentOrdersOfOrder", { status: 500, times: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      await makeDue();
      expect((await writeBackDueFulfillments(SHOP, graphql)).get(order.id)?.kind).toBe("failed");
    }
    expect(
      await prisma.alert.findFirst({ where: { shop: SHOP, kind: "fulfillment_write_back", status: "open" } }),
    ).not.toBeNull();

    await makeDue();
    expect((await writeBackDueFulfillments(SHOP, graphql)).get(order.id)?.kind).toBe("written");
    expect(world.standIn.fulfillments(SHOP)).toHaveLength(1);
    // The alert closes itself once it worked.
    expect(
      await prisma.alert.findFirst({ where: { shop: SHOP, kind: "fulfillment_write_back", status: "open" } }),
    ).toBeNull();
  });

  it("GIVEN Brilliant's status webhook is lost THEN the status poll finds it shipped and queues the write-back too", async () => {
    const order = await forwardedOrder(6);
    // Brilliant cannot reach the test app's webhook_url; the poll is the fallback.
    await world.sim.setOrderStatus(order.brilliantOrderId!, "shipped", "shipped");
    await prisma.order.update({ where: { id: order.id }, data: { brilliantCheckedAt: null } });
    const client = createBrilliantClient({
      baseUrl: world.sim.url,
      apiKey: SIM_API_KEY,
      apiSecret: SIM_API_SECRET,
    });
    await pollForwardedOrders(SHOP, client, { olderThanMs: 0, limit: 10 });

    expect(await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      fulfillmentSync: "pending",
    });
    expect(await writeBackShippedOrders()).toBe(1);
    expect(world.standIn.fulfillments(SHOP)).toHaveLength(1);
  });
});
