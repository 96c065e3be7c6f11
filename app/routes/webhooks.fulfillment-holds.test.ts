import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import {
  adminGraphqlFor,
  standInOrderFromRest,
  withShopifyAndBrilliant,
} from "../../tests/helpers/admin-graphql";
import { callRoute } from "../../tests/helpers/call-route";
import { forwardUntilSettled, ingest, makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { signedWebhook, type WebhookOptions } from "../../tests/helpers/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { fulfillmentOrderGid } from "../../shopify-stand-in/admin-graphql";
import { resolvePendingFulfillmentHolds } from "../orders/fulfillment-hold.server";
import { nextStepForHold } from "../orders/next-step";
import { resubmitOrders } from "../orders/actions.server";
import { action as placedOnHold } from "./webhooks.fulfillment_orders.placed_on_hold";
import { action as holdReleased } from "./webhooks.fulfillment_orders.hold_released";

// Real signed webhooks into the route actions; the order behind a fulfillment
// order is looked up in the Admin GraphQL stand-in with the webhook's own admin
// client; the forwarder sends to the Brilliant simulator over HTTP.

const SHOP = "holds-a.myshopify.com";
const OTHER = "holds-b.myshopify.com";

const world = withShopifyAndBrilliant([SHOP, OTHER]);

type Topic = "fulfillment_orders/placed_on_hold" | "fulfillment_orders/hold_released";

async function deliver(
  topic: Topic,
  body: unknown,
  options: Pick<WebhookOptions, "secret" | "rawBody"> & { shop?: string; triggeredAt?: Date } = {},
) {
  const request = signedWebhook(options.shop ?? SHOP, topic, body, options);
  if (options.triggeredAt) request.headers.set("x-shopify-triggered-at", options.triggeredAt.toISOString());
  return callRoute(topic === "fulfillment_orders/placed_on_hold" ? placedOnHold : holdReleased, request);
}

/** Shopify's placed_on_hold body (2025-01), as its docs show it. */
function placedBody(fulfillmentOrderId: number, reason = "awaiting_payment") {
  const hold = {
    id: "gid://shopify/FulfillmentHold/1",
    reason,
    reason_notes: "Net 30 invoice",
    held_by_requesting_app: false,
    handle: "",
  };
  return {
    fulfillment_order: {
      id: fulfillmentOrderGid(fulfillmentOrderId),
      status: "on_hold",
      fulfillment_holds: [hold],
    },
    remaining_fulfillment_order: null,
    held_fulfillment_order_line_items: [],
    created_fulfillment_hold: hold,
  };
}

function releasedBody(fulfillmentOrderId: number) {
  return { fulfillment_order: { id: fulfillmentOrderGid(fulfillmentOrderId), status: "open" } };
}

/** A paid order in Shopify (the stand-in) with its one fulfillment order; recorded by the app unless told. */
async function shopifyOrder(number: number, options: { record?: boolean; shop?: string } = {}) {
  const shop = options.shop ?? SHOP;
  const body = testOrder(number, [{ variant: V.teeMedium, quantity: 1 }]);
  world.standIn.setOrders(shop, [standInOrderFromRest(body)]);
  const [fo] = world.standIn.fulfillmentOrders(shop, body.id);
  if (options.record !== false) await ingest(shop, body);
  return { body, fulfillmentOrderId: fo!.id };
}

const orderOf = (body: { id: number }, shop = SHOP) =>
  prisma.order.findUniqueOrThrow({
    where: { shop_shopifyOrderId: { shop, shopifyOrderId: String(body.id) } },
  });

const forward = () => forwardUntilSettled([makeForwarder(world.sim.url)]);

describe("fulfillment hold webhooks", () => {
  it("answers 401 to a wrong or missing HMAC and 400 to a malformed body, writing nothing", async () => {
    const { fulfillmentOrderId } = await shopifyOrder(1);
    expect(
      (
        await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId), {
          secret: "wrong",
        })
      ).status,
    ).toBe(401);
    const unsigned = new Request("https://brilliant-sync.test/webhooks/fulfillment_orders/hold_released", {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-topic": "fulfillment_orders/hold_released" },
      body: JSON.stringify(releasedBody(fulfillmentOrderId)),
    });
    expect((await holdReleased({ request: unsigned, params: {}, context: {} })).status).toBe(401);
    expect(
      (
        await deliver("fulfillment_orders/placed_on_hold", {
          fulfillment_order: { id: "gid://shopify/Order/1" },
        })
      ).status,
    ).toBe(400);
    expect((await deliver("fulfillment_orders/placed_on_hold", { order: 1 })).status).toBe(400);
    expect((await deliver("fulfillment_orders/hold_released", null, { rawBody: "{not json" })).status).toBe(
      400,
    );
    expect(await prisma.fulfillmentHold.count()).toBe(0);
    expect(await prisma.order.findFirstOrThrow({ where: { shop: SHOP } })).toMatchObject({
      state: "received",
    });
  });

  it("GIVEN an order not yet sent WHEN Shopify puts it on hold THEN it is held with Shopify's reason and never reaches Brilliant, even when resubmitted, until the hold is released", async () => {
    const { body, fulfillmentOrderId } = await shopifyOrder(2);

    expect((await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId))).status).toBe(
      200,
    );
    // Received, not yet past the forwarder's gate: the forwarder holds it there.
    await forward();
    const held = await orderOf(body);
    expect(held).toMatchObject({ state: "held", holdKind: "fulfillment_hold" });
    expect(held.stateReason).toMatch(
      /Shopify holds this order's fulfillment \(awaiting payment: Net 30 invoice\)/,
    );
    expect(held.stateReason).toMatch(/released in Shopify/);

    // The merchant resubmits it anyway: checked at once, it stays held, and the merchant is told why.
    const resubmitted = await resubmitOrders(SHOP, [held.id]);
    expect(resubmitted.changed).toEqual([]);
    expect(resubmitted.unchanged).toEqual([
      { orderId: held.id, why: expect.stringMatching(/^still held: Shopify holds this order's fulfillment/) },
    ]);
    expect((await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId))).status).toBe(
      200,
    );
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "fulfillment_hold" });
    await forward();
    expect(world.sim.acceptedOrders()).toHaveLength(0);
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "fulfillment_hold" });

    expect((await deliver("fulfillment_orders/hold_released", releasedBody(fulfillmentOrderId))).status).toBe(
      200,
    );
    expect(await orderOf(body)).toMatchObject({ state: "ready", holdKind: null });
    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "forwarded" });
    expect(world.sim.acceptedOrders()).toHaveLength(1);
    const transitions = await prisma.orderTransition.findMany({
      where: { orderId: held.id },
      orderBy: { at: "asc" },
    });
    expect(transitions.map((t) => [t.toState, t.actor])).toContainEqual(["ready", "webhook"]);
  });

  it("GIVEN Shopify does not answer the lookup WHEN the hold comes THEN 200 once the read's deadline passes, and the worker's second go holds the order", async () => {
    const { body, fulfillmentOrderId } = await shopifyOrder(9);
    world.standIn.hangNext("FulfillmentOrderOrder", 1);

    // Without the deadline (WEBHOOK_ADMIN_READ_MS) this would wait for Shopify for ever.
    expect((await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId))).status).toBe(
      200,
    );
    const pending = await prisma.fulfillmentHold.findFirstOrThrow({ where: { shop: SHOP } });
    expect(pending).toMatchObject({ shopifyOrderId: null, onHold: true });
    expect(pending.lookupError).toBeTruthy();

    expect(await resolvePendingFulfillmentHolds(SHOP, await adminGraphqlFor(SHOP))).toBe(1);
    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "fulfillment_hold" });
    expect(world.sim.acceptedOrders()).toHaveLength(0);
  });

  it("GIVEN Shopify has not said which order a new hold is on WHEN the worker comes to orders placed before it THEN they wait with that reason, and only the other order goes once the hold is known", async () => {
    const own = testOrder(21, [{ variant: V.teeMedium, quantity: 1 }]);
    const other = testOrder(22, [{ variant: V.teeMedium, quantity: 1 }]);
    world.standIn.setOrders(SHOP, [standInOrderFromRest(own), standInOrderFromRest(other)]);
    const [fo] = world.standIn.fulfillmentOrders(SHOP, own.id);
    await ingest(SHOP, own);
    await ingest(SHOP, other);
    world.standIn.hangNext("FulfillmentOrderOrder", 1);
    expect((await deliver("fulfillment_orders/placed_on_hold", placedBody(fo!.id))).status).toBe(200);

    await forward();
    expect(world.sim.acceptedOrders()).toHaveLength(0);
    for (const body of [own, other]) {
      const order = await orderOf(body);
      expect(order).toMatchObject({ state: "held", holdKind: "fulfillment_hold_lookup" });
      expect(order.stateReason).toMatch(/has not yet said which order/);
      // What the home page, the orders list and the order page offer as the next step.
      expect(nextStepForHold(order.holdKind, order.id).label).toMatch(/^Nothing to do/);
    }

    expect(await resolvePendingFulfillmentHolds(SHOP, await adminGraphqlFor(SHOP))).toBe(1);
    expect(await orderOf(other)).toMatchObject({ state: "ready", holdKind: null });
    const held = await orderOf(own);
    expect(held).toMatchObject({ state: "held", holdKind: "fulfillment_hold" });
    expect(held.stateReason).toMatch(/holds this order's fulfillment \(awaiting payment: Net 30 invoice\)/);

    await forward();
    expect(world.sim.acceptedOrders()).toHaveLength(1);
    expect(world.sim.ordersForShopifyOrder(other.id)).toHaveLength(1);
    expect(await orderOf(own)).toMatchObject({ state: "held", holdKind: "fulfillment_hold" });
  });

  it("GIVEN a hold whose order is not known yet WHEN an order placed after it is due THEN it is not kept back", async () => {
    const { fulfillmentOrderId } = await shopifyOrder(23, { record: false });
    world.standIn.hangNext("FulfillmentOrderOrder", 1);
    await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId), {
      triggeredAt: new Date(Date.now() - 60_000),
    });
    const later = testOrder(24, [{ variant: V.teeMedium, quantity: 1 }]);
    await ingest(SHOP, later);
    await forward();
    expect(await orderOf(later)).toMatchObject({ state: "forwarded" });
  });

  it("GIVEN review-first forwarding WHEN a hold is placed and released THEN the order still waits for review, and goes only once approved", async () => {
    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { forwardingMode: "review" } });
    const { body, fulfillmentOrderId } = await shopifyOrder(7);
    await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId));
    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "review" });

    // Approved while Shopify still holds it: held for the fulfillment hold now.
    await resubmitOrders(SHOP, [(await orderOf(body)).id]);
    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "fulfillment_hold" });
    expect(world.sim.acceptedOrders()).toHaveLength(0);

    await deliver("fulfillment_orders/hold_released", releasedBody(fulfillmentOrderId));
    await forward();
    expect(world.sim.acceptedOrders()).toHaveLength(1);
  });

  it("GIVEN an order held for review WHEN a hold is placed and released before review THEN the release does not skip the review", async () => {
    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { forwardingMode: "review" } });
    const { body, fulfillmentOrderId } = await shopifyOrder(8);
    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "review" });
    await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId));
    await deliver("fulfillment_orders/hold_released", releasedBody(fulfillmentOrderId));
    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "review" });
    expect(world.sim.acceptedOrders()).toHaveLength(0);
  });

  it("GIVEN the hold arrives before the order's paid webhook THEN the order is held when it comes, and released with the hold", async () => {
    const { body, fulfillmentOrderId } = await shopifyOrder(3, { record: false });

    expect((await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId))).status).toBe(
      200,
    );
    expect(await prisma.fulfillmentHold.findFirst({ where: { shop: SHOP } })).toMatchObject({
      shopifyOrderId: String(body.id),
      onHold: true,
    });
    await ingest(SHOP, body);
    await forward();
    expect(world.sim.acceptedOrders()).toHaveLength(0);
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "fulfillment_hold" });

    await deliver("fulfillment_orders/hold_released", releasedBody(fulfillmentOrderId));
    await forward();
    expect(world.sim.acceptedOrders()).toHaveLength(1);
  });

  it("GIVEN an order Brilliant already has WHEN Shopify puts it on hold THEN the merchant is told to contact Brilliant, and the alert closes with the hold", async () => {
    const { body, fulfillmentOrderId } = await shopifyOrder(4);
    await forward();
    const forwarded = await orderOf(body);
    expect(forwarded.state).toBe("forwarded");

    await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId, "high_risk_of_fraud"));

    expect(await orderOf(body)).toMatchObject({ state: "forwarded" });
    const alert = await prisma.alert.findFirstOrThrow({
      where: { shop: SHOP, kind: "fulfillment_hold_after_forward", status: "open" },
      include: { orders: true },
    });
    expect(alert.title).toMatch(/after Brilliant took it/);
    expect(alert.detail).toMatch(/contact Brilliant/);
    expect(alert.detail).toContain(forwarded.brilliantOrderId!);
    expect(alert.orders.map((link) => link.orderId)).toEqual([forwarded.id]);

    await deliver("fulfillment_orders/hold_released", releasedBody(fulfillmentOrderId));
    expect(await prisma.alert.findFirstOrThrow({ where: { id: alert.id } })).toMatchObject({
      status: "resolved",
    });
    expect(world.sim.acceptedOrders()).toHaveLength(1);
  });

  it("GIVEN the release was triggered after the hold but delivered first THEN the late hold changes nothing", async () => {
    const { body, fulfillmentOrderId } = await shopifyOrder(5);
    const placedAt = new Date(Date.now() - 60_000);
    await deliver("fulfillment_orders/hold_released", releasedBody(fulfillmentOrderId), {
      triggeredAt: new Date(),
    });
    await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId), {
      triggeredAt: placedAt,
    });
    expect(await orderOf(body)).toMatchObject({ state: "received" });
  });

  it("GIVEN shop B's webhook naming shop A's fulfillment order THEN shop A's order is untouched", async () => {
    const { body, fulfillmentOrderId } = await shopifyOrder(6);

    expect(
      (await deliver("fulfillment_orders/placed_on_hold", placedBody(fulfillmentOrderId), { shop: OTHER }))
        .status,
    ).toBe(200);

    expect(await orderOf(body)).toMatchObject({ state: "received" });
    expect(await prisma.fulfillmentHold.findMany({ where: { shop: SHOP } })).toEqual([]);
    expect(await prisma.fulfillmentHold.findFirst({ where: { shop: OTHER } })).toMatchObject({
      shopifyOrderId: null,
    });
    await forward();
    expect(world.sim.acceptedOrders()).toHaveLength(1);
  });
});
