import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import {
  adminGraphqlFor,
  standInOrderFromRest,
  withShopifyAndBrilliant,
} from "../../tests/helpers/admin-graphql";
import { adminRequest, callRoute } from "../../tests/helpers/admin-session";
import { forwardUntilSettled, makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { deliverWebhook, type WebhookOptions } from "../../tests/helpers/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { countInbox } from "../orders/ingest.server";
import { reconcileShop } from "../orders/reconciliation.server";
import { action as ordersPaid } from "./webhooks.orders.paid";
import { loader as ordersList } from "./app.orders._index";
import { action as orderAction, loader as orderPage } from "./app.orders.$id";
import { loader as settingsLoader } from "./app.settings";
import { saveSettings } from "../../tests/helpers/settings-form";

// Shopify test orders (a test payment, e.g. the Bogus Gateway, "test": true)
// must never reach Brilliant, which would ship real merchandise, unless the
// shop allows them in Settings. Real signed webhooks into the route, the real
// worker code sending to the Brilliant simulator over HTTP, the reconciliation
// sweep against the Admin GraphQL stand-in, and the admin's own routes.

const SHOP = "test-orders-a.myshopify.com";
const OTHER = "test-orders-b.myshopify.com";
const SKIP_REASON = /^Test order: not sent to Brilliant\./;

const world = withShopifyAndBrilliant([SHOP, OTHER]);

const deliver = (body: unknown, options?: Pick<WebhookOptions, "rawBody">) =>
  deliverWebhook(ordersPaid, SHOP, "orders/paid", body, options);

const paid = (number: number, overrides: Record<string, unknown> = {}) =>
  testOrder(number, [{ variant: V.teeMedium, quantity: 1 }], overrides);

const orderOf = (body: { id: number }) =>
  prisma.order.findUniqueOrThrow({
    where: { shop_shopifyOrderId: { shop: SHOP, shopifyOrderId: String(body.id) } },
  });

const forward = () => forwardUntilSettled([makeForwarder(world.sim.url)]);

/** What Brilliant was asked to create, by Shopify order id. */
const sentToBrilliant = () =>
  world.sim.acceptedOrders().map((record) => String(record.order.custom_data?.shopify_order_id));
const orderPosts = () => world.sim.requests.filter((request) => request.method === "POST");

async function listed(shop = SHOP) {
  const response = await callRoute(ordersList, await adminRequest("/app/orders", { shop }));
  expect(response.status).toBe(200);
  return (await response.json()) as { orders: { id: string; name: string; state: string; reason: string }[] };
}

async function shownOrder(id: string) {
  const response = await callRoute(orderPage, await adminRequest(`/app/orders/${id}`, { shop: SHOP }), {
    id,
  });
  expect(response.status).toBe(200);
  return (
    (await response.json()) as {
      order: { state: string; stateReason: string; timeline: { type: string; reason?: string }[] };
    }
  ).order;
}

describe("Shopify test orders", () => {
  it("GIVEN a signed orders/paid with test: true WHEN the worker runs THEN it is skipped as a test order, Brilliant receives nothing for it, and the orders list and order page say why", async () => {
    const test = paid(1, { test: true });
    const real = paid(2);
    expect((await deliver(test)).status).toBe(200);
    expect((await deliver(real)).status).toBe(200);

    await forward();

    const skipped = await orderOf(test);
    expect(skipped).toMatchObject({ state: "skipped", attemptCount: 0, brilliantOrderId: null });
    expect(skipped.stateReason).toMatch(SKIP_REASON);
    expect(await orderOf(real)).toMatchObject({ state: "forwarded" });
    // Brilliant was asked for the real order only: one POST, and nothing carries the test order's id.
    expect(sentToBrilliant()).toEqual([String(real.id)]);
    expect(orderPosts()).toHaveLength(1);
    expect(await prisma.forwardAttempt.count({ where: { orderId: skipped.id } })).toBe(0);

    const list = await listed();
    expect(list.orders.find((order) => order.id === skipped.id)).toMatchObject({
      name: "#T1",
      state: "skipped",
      reason: expect.stringMatching(SKIP_REASON),
    });
    const page = await shownOrder(skipped.id);
    expect(page.state).toBe("skipped");
    expect(page.stateReason).toMatch(SKIP_REASON);
    expect(page.timeline.at(-1)).toMatchObject({
      type: "transition",
      reason: expect.stringMatching(SKIP_REASON),
    });
  });

  it("GIVEN review-first forwarding WHEN a test order arrives THEN it is skipped at once, never waiting for a review that could send it", async () => {
    expect((await saveSettings(SHOP, { forwardingMode: "review" })).status).toBe(200);
    const test = paid(3, { test: true });
    expect((await deliver(test)).status).toBe(200);

    await forward();

    const order = await orderOf(test);
    expect(order).toMatchObject({ state: "skipped", holdKind: null });
    expect(order.stateReason).toMatch(SKIP_REASON);
    expect(orderPosts()).toHaveLength(0);
  });

  it("GIVEN a skipped test order WHEN the merchant resubmits it from the order page THEN pre-flight skips it again: nothing reaches Brilliant", async () => {
    const test = paid(4, { test: true });
    await deliver(test);
    await forward();
    const { id } = await orderOf(test);

    const resubmitted = await callRoute(
      orderAction,
      await adminRequest(`/app/orders/${id}`, { shop: SHOP, method: "POST", body: { intent: "resubmit" } }),
      { id },
    );
    expect(resubmitted.status).toBe(200);
    // Checked at once: the merchant is told it stays skipped, and why.
    expect(((await resubmitted.json()) as { result: { message: string } }).result.message).toMatch(
      /^Not changed: still skipped: /,
    );
    expect((await orderOf(test)).state).toBe("skipped");

    await forward();

    const order = await orderOf(test);
    expect(order.state).toBe("skipped");
    expect(order.stateReason).toMatch(SKIP_REASON);
    const moves = await prisma.orderTransition.findMany({
      where: { orderId: id },
      orderBy: [{ at: "asc" }, { id: "asc" }],
      select: { toState: true },
    });
    expect(moves.map((move) => move.toState)).toEqual(["received", "skipped"]);
    expect(orderPosts()).toHaveLength(0);
    expect(world.sim.acceptedCount()).toBe(0);
  });

  it("GIVEN Settings allows test orders WHEN a signed test order arrives THEN it is forwarded, and one skipped before goes out once resubmitted", async () => {
    const before = paid(5, { test: true });
    await deliver(before);
    await forward();
    expect((await orderOf(before)).state).toBe("skipped");

    expect((await saveSettings(SHOP, { forwardTestOrders: "true" })).status).toBe(200);
    // Allowing test orders sends nothing by itself.
    expect((await orderOf(before)).state).toBe("skipped");

    const after = paid(6, { test: true });
    expect((await deliver(after)).status).toBe(200);
    await forward();
    expect(await orderOf(after)).toMatchObject({ state: "forwarded" });
    expect(sentToBrilliant()).toEqual([String(after.id)]);

    const { id } = await orderOf(before);
    await callRoute(
      orderAction,
      await adminRequest(`/app/orders/${id}`, { shop: SHOP, method: "POST", body: { intent: "resubmit" } }),
      { id },
    );
    await forward();
    expect(await orderOf(before)).toMatchObject({ state: "forwarded" });
    expect(sentToBrilliant()).toEqual([String(after.id), String(before.id)]);
    // Another shop's setting is its own.
    expect(
      await prisma.shopSettings.findUniqueOrThrow({
        where: { shop: OTHER },
        select: { forwardTestOrders: true },
      }),
    ).toEqual({ forwardTestOrders: false });
  });

  it("GIVEN a test order the webhook never delivered WHEN reconciliation finds it THEN it is recorded as a test order and skipped; the real one beside it is forwarded", async () => {
    const test = paid(7, { test: true });
    const real = paid(8);
    world.standIn.setOrders(SHOP, [standInOrderFromRest(test), standInOrderFromRest(real)]);

    const sweep = await reconcileShop(SHOP, await adminGraphqlFor(SHOP));
    expect(sweep).toMatchObject({ ok: true, seen: 2, ingested: 2 });
    expect(JSON.parse((await orderOf(test)).payload)).toMatchObject({ test: true });
    expect(JSON.parse((await orderOf(real)).payload)).toMatchObject({ test: false });

    await forward();

    const skipped = await orderOf(test);
    expect(skipped.state).toBe("skipped");
    expect(skipped.stateReason).toMatch(SKIP_REASON);
    expect(await orderOf(real)).toMatchObject({ state: "forwarded" });
    expect(sentToBrilliant()).toEqual([String(real.id)]);
    const list = await listed();
    expect(list.orders.find((order) => order.id === skipped.id)).toMatchObject({
      state: "skipped",
      reason: expect.stringMatching(SKIP_REASON),
    });
  });

  it("GIVEN a test flag that is absent, null or false THEN the order is real and forwarded; one that is not a boolean is refused with 400, writing nothing", async () => {
    const absent = paid(9);
    const nulled = paid(10, { test: null });
    const no = paid(11, { test: false });
    for (const body of [absent, nulled, no]) expect((await deliver(body)).status).toBe(200);

    for (const value of ['"true"', "1", "{}"]) {
      const rawBody = JSON.stringify(paid(12)).replace(/}$/, `,"test":${value}}`);
      expect((await deliver(null, { rawBody })).status).toBe(400);
    }

    await forward();
    expect(await countInbox()).toBe(0);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(3);
    expect(sentToBrilliant().sort()).toEqual([absent, nulled, no].map((body) => String(body.id)).sort());
  });
});

describe("Settings: send test orders", () => {
  it("saves the setting for the token's shop only, and shows it; a page that leaves it out keeps it", async () => {
    const load = async (shop: string) =>
      (
        (await (
          await callRoute(
            settingsLoader,
            await adminRequest("https://brilliant-sync.test/app/settings", { shop }),
          )
        ).json()) as { settings: { forwardTestOrders: boolean } }
      ).settings;
    expect(await load(SHOP)).toMatchObject({ forwardTestOrders: false });

    expect((await saveSettings(SHOP, { forwardTestOrders: "true" })).status).toBe(200);
    expect(await load(SHOP)).toMatchObject({ forwardTestOrders: true });
    expect(await load(OTHER)).toMatchObject({ forwardTestOrders: false });

    expect((await saveSettings(SHOP, {})).status).toBe(200);
    expect(await load(SHOP)).toMatchObject({ forwardTestOrders: true });

    expect((await saveSettings(SHOP, { forwardTestOrders: "false" })).status).toBe(200);
    expect(await load(SHOP)).toMatchObject({ forwardTestOrders: false });
  });

  it("answers 422 on the field to a value that is not on or off, writing nothing", async () => {
    const before = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    for (const value of ["yes", "", "TRUE"]) {
      const response = await saveSettings(SHOP, { forwardTestOrders: value, forwardingMode: "review" });
      expect(response.status).toBe(422);
      expect((await response.json()).fieldErrors).toMatchObject({ forwardTestOrders: "Choose on or off." });
    }
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toEqual(before);
  });
});
