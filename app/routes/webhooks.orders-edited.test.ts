import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import {
  adminGraphqlFor,
  standInOrderFromRest,
  withShopifyAndBrilliant,
} from "../../tests/helpers/admin-graphql";
import {
  forwardUntilSettled,
  ingest,
  makeForwarder,
  mapVariants,
  testOrder,
} from "../../tests/helpers/forwarding";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { deliverWebhook, type WebhookOptions } from "../../tests/helpers/webhooks";
import {
  EDIT_APPLIED_REASON,
  EDIT_UNREAD_REASON,
  resolvePendingOrderEdits,
} from "../orders/order-edit.server";
import { action as ordersEdited } from "./webhooks.orders.edited";

// Real signed orders/edited webhooks into the route; the edited order is read
// from the Admin GraphQL stand-in with the webhook's own admin client; the
// forwarder sends to the Brilliant simulator over HTTP.

const SHOP = "edits-a.myshopify.com";
const world = withShopifyAndBrilliant([SHOP]);

const deliver = (body: unknown, options?: WebhookOptions) =>
  deliverWebhook(ordersEdited, SHOP, "orders/edited", body, options);

/** Shopify's orders/edited body (2025-01): the order and what changed, never the order itself. */
function editedBody(orderId: number, lineId: number) {
  return {
    order_edit: {
      id: 78912328,
      app_id: null,
      created_at: new Date().toISOString(),
      notify_customer: false,
      order_id: orderId,
      staff_note: "",
      user_id: 548380009,
      line_items: { additions: [{ id: lineId, delta: 2 }], removals: [] },
      discounts: { line_item: { additions: [], removals: [] } },
      shipping_lines: { additions: [], removals: [] },
    },
  };
}

/** A paid order of one tee, recorded by the app and as Shopify holds it. */
async function paidOrder(
  number: number,
  lines: { variant: number; quantity: number }[] = [{ variant: V.teeMedium, quantity: 1 }],
) {
  const body = testOrder(number, lines);
  world.standIn.setOrders(SHOP, [standInOrderFromRest(body)]);
  await ingest(SHOP, body);
  return body;
}

/** The merchant edits the order in Shopify: now `quantity` of each of `variants`. */
function editInShopify(body: ReturnType<typeof testOrder>, lines: { variant: number; quantity: number }[]) {
  world.standIn.setOrders(SHOP, [standInOrderFromRest(testOrder(Number(body.name.slice(2)), lines))]);
}

const orderOf = (body: { id: number }) =>
  prisma.order.findUniqueOrThrow({
    where: { shop_shopifyOrderId: { shop: SHOP, shopifyOrderId: String(body.id) } },
  });

const forward = () => forwardUntilSettled([makeForwarder(world.sim.url)]);

const sentQuantities = () =>
  world.sim.acceptedOrders().map((accepted) =>
    accepted.order.order_items.map((item) => ({
      variant: Number(item.variant_id),
      quantity: item.quantity,
    })),
  );

describe("orders/edited webhook", () => {
  it("answers 401 to a wrong or missing HMAC and 400 to a malformed body, changing nothing", async () => {
    const body = await paidOrder(1);
    editInShopify(body, [{ variant: V.teeMedium, quantity: 3 }]);
    expect((await deliver(editedBody(body.id, 100), { secret: "wrong" })).status).toBe(401);
    const unsigned = new Request("https://brilliant-sync.test/webhooks/orders/edited", {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-topic": "orders/edited" },
      body: JSON.stringify(editedBody(body.id, 100)),
    });
    expect((await ordersEdited({ request: unsigned, params: {}, context: {} })).status).toBe(401);
    expect((await deliver({ order_edit: { order_id: "not an id" } })).status).toBe(400);
    expect((await deliver({ id: body.id })).status).toBe(400);
    expect((await deliver(null, { rawBody: "{not json" })).status).toBe(400);
    const order = await orderOf(body);
    expect(order.state).toBe("received");
    expect(JSON.parse(order.payload).line_items[0].quantity).toBe(1);
    expect(world.standIn.requests.filter((r) => r.operation === "ReadShopifyOrder")).toHaveLength(0);
  });

  it("GIVEN an order not yet sent WHEN it is edited in Shopify THEN Brilliant gets the edited order", async () => {
    const body = await paidOrder(2);
    editInShopify(body, [
      { variant: V.teeMedium, quantity: 3 },
      { variant: V.stockNotRequired, quantity: 2 },
    ]);
    await mapVariants(SHOP, [V.teeMedium, V.stockNotRequired]);

    expect((await deliver(editedBody(body.id, 200))).status).toBe(200);
    const edited = await orderOf(body);
    expect(edited.state).toBe("received");
    expect(JSON.parse(edited.payload).line_items).toHaveLength(2);
    const history = await prisma.orderTransition.findMany({ where: { orderId: edited.id } });
    expect(history.map((row) => row.reason)).toContain(EDIT_APPLIED_REASON);

    await forward();
    expect(sentQuantities()).toEqual([
      [
        { variant: V.teeMedium, quantity: 3 },
        { variant: V.stockNotRequired, quantity: 2 },
      ],
    ]);
  });

  it("GIVEN a worker already claimed the order with its old body WHEN the edit lands THEN the worker leaves it and the edit is what goes", async () => {
    const body = await paidOrder(3);
    const worker = makeForwarder(world.sim.url);
    const [claimed] = await worker.claimDue(1);
    expect(claimed?.shopifyOrderId).toBe(String(body.id));

    editInShopify(body, [{ variant: V.teeMedium, quantity: 4 }]);
    expect((await deliver(editedBody(body.id, 300))).status).toBe(200);
    await worker.process(claimed!); // its lease was taken: it changes nothing
    expect(world.sim.acceptedOrders()).toHaveLength(0);

    await forward();
    expect(sentQuantities()).toEqual([[{ variant: V.teeMedium, quantity: 4 }]]);
  });

  it("GIVEN an order held for an unmapped variant WHEN the edit swaps it for a mapped one THEN it is checked again and sent", async () => {
    const body = await paidOrder(4, [{ variant: V.lowStock, quantity: 1 }]);
    await forward();
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "mapping" });

    editInShopify(body, [{ variant: V.teeMedium, quantity: 2 }]);
    expect((await deliver(editedBody(body.id, 400))).status).toBe(200);
    expect((await orderOf(body)).state).toBe("ready");
    await forward();
    expect(sentQuantities()).toEqual([[{ variant: V.teeMedium, quantity: 2 }]]);
  });

  it("GIVEN an order Brilliant already took WHEN it is edited THEN an alert tells the merchant to contact Brilliant and nothing is sent again", async () => {
    const body = await paidOrder(5);
    await forward();
    const forwarded = await orderOf(body);
    expect(forwarded.state).toBe("forwarded");

    editInShopify(body, [{ variant: V.teeMedium, quantity: 5 }]);
    expect((await deliver(editedBody(body.id, 500))).status).toBe(200);
    const alert = await prisma.alert.findFirstOrThrow({
      where: { shop: SHOP, kind: "edited_after_forward", status: "open" },
      include: { orders: true },
    });
    expect(alert.title).toBe(`Order ${body.name} was edited in Shopify after Brilliant took it`);
    expect(alert.detail).toContain("Brilliant's API cannot change orders");
    expect(alert.orders.map((row) => row.orderId)).toEqual([forwarded.id]);

    await forward();
    expect(sentQuantities()).toEqual([[{ variant: V.teeMedium, quantity: 1 }]]);
    const after = await orderOf(body);
    expect(after).toMatchObject({ state: "forwarded", payload: forwarded.payload });
    // A redelivery refreshes the same alert.
    expect((await deliver(editedBody(body.id, 500))).status).toBe(200);
    expect(await prisma.alert.count({ where: { shop: SHOP, kind: "edited_after_forward" } })).toBe(1);
  });

  it("GIVEN Shopify cannot be read WHEN the edit comes THEN 200, the order is held with the reason and sent edited once the worker reads it", async () => {
    const body = await paidOrder(6);
    editInShopify(body, [{ variant: V.teeMedium, quantity: 6 }]);
    world.standIn.failNext("ReadShopifyOrder", { status: 503, times: 50 });

    expect((await deliver(editedBody(body.id, 600))).status).toBe(200);
    expect(await orderOf(body)).toMatchObject({
      state: "held",
      holdKind: "order_edit",
      stateReason: EDIT_UNREAD_REASON,
    });
    await forward();
    expect(world.sim.acceptedOrders()).toHaveLength(0);

    // Still failing: the worker's chore leaves it held.
    const graphql = await adminGraphqlFor(SHOP);
    expect(await resolvePendingOrderEdits(SHOP, graphql)).toBe(0);
    expect((await orderOf(body)).holdKind).toBe("order_edit");

    world.standIn.failNext("ReadShopifyOrder", { times: 0 });
    expect(await resolvePendingOrderEdits(SHOP, graphql)).toBe(1);
    expect((await orderOf(body)).state).toBe("ready");
    await forward();
    expect(sentQuantities()).toEqual([[{ variant: V.teeMedium, quantity: 6 }]]);
  });

  it("GIVEN Shopify does not answer WHEN the edit comes THEN 200 once the read's deadline (WEBHOOK_ADMIN_READ_MS) passes, and the order is held for the worker", async () => {
    const body = await paidOrder(8);
    editInShopify(body, [{ variant: V.teeMedium, quantity: 3 }]);
    world.standIn.hangNext("ReadShopifyOrder", 1);

    // Without the deadline this would wait for Shopify for ever (no timing is asserted here).
    expect((await deliver(editedBody(body.id, 800))).status).toBe(200);
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "order_edit" });

    expect(await resolvePendingOrderEdits(SHOP, await adminGraphqlFor(SHOP))).toBe(1);
    await forward();
    expect(sentQuantities()).toEqual([[{ variant: V.teeMedium, quantity: 3 }]]);
  });

  it("GIVEN review-first forwarding WHEN an edit read late releases the order THEN it waits for the merchant's review", async () => {
    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { forwardingMode: "review" } });
    const body = await paidOrder(7);
    editInShopify(body, [{ variant: V.teeMedium, quantity: 2 }]);
    world.standIn.failNext("ReadShopifyOrder", { status: 503, times: 50 });
    expect((await deliver(editedBody(body.id, 700))).status).toBe(200);
    world.standIn.failNext("ReadShopifyOrder", { times: 0 });
    expect(await resolvePendingOrderEdits(SHOP, await adminGraphqlFor(SHOP))).toBe(1);
    const order = await orderOf(body);
    expect(order).toMatchObject({ state: "held", holdKind: "review" });
    expect(JSON.parse(order.payload).line_items[0].quantity).toBe(2);
    expect(world.sim.acceptedOrders()).toHaveLength(0);
  });

  it("GIVEN an edit of an order the app never recorded THEN 200 and nothing is recorded or read", async () => {
    expect((await deliver(editedBody(999_999, 1))).status).toBe(200);
    expect(await prisma.order.count()).toBe(0);
    expect(world.standIn.requests.filter((r) => r.operation === "ReadShopifyOrder")).toHaveLength(0);
  });

  it("GIVEN the merchant's line changes WHEN the order is edited in Shopify THEN the change of a line still there stays, the change of a removed line goes, and the history says so", async () => {
    await mapVariants(SHOP, [V.stockNotRequired]);
    const body = await paidOrder(20, [
      { variant: V.teeMedium, quantity: 1 },
      { variant: V.stockNotRequired, quantity: 2 },
    ]);
    const at = new Date().toISOString();
    await prisma.order.update({
      where: { id: (await orderOf(body)).id },
      data: {
        lineChanges: JSON.stringify([
          { lineItemId: "2000", action: "substitute", brilliantVariantId: "73004", at },
          { lineItemId: "2001", action: "omit", at },
        ]),
      },
    });

    editInShopify(body, [{ variant: V.teeMedium, quantity: 3 }]);
    expect((await deliver(editedBody(body.id, 2000))).status).toBe(200);
    const edited = await orderOf(body);
    expect(JSON.parse(edited.lineChanges!)).toEqual([
      { lineItemId: "2000", action: "substitute", brilliantVariantId: "73004", at },
    ]);
    const history = await prisma.orderTransition.findMany({ where: { orderId: edited.id } });
    expect(history.map((row) => row.reason)).toContain(
      `${EDIT_APPLIED_REASON} Your change to Item 73021 [SKU 73021] no longer applies: the edit removed that line.`,
    );

    await forward();
    expect(sentQuantities()).toEqual([[{ variant: 73004, quantity: 3 }]]);
  });
});
