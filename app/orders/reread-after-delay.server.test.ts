import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { standInOrderFromRest, withShopifyAndBrilliant } from "../../tests/helpers/admin-graphql";
import { makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { saveSettings } from "../../tests/helpers/settings-form";
import { deliverWebhook } from "../../tests/helpers/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { forgetSessionsOf } from "../integrations/shopify-session-storage.server";
import type { Forwarder } from "./forwarder.server";
import {
  CANCELLED_DURING_DELAY_REASON,
  NOT_IN_SHOPIFY_REASON,
  REREAD_RETRY_MS,
  REREAD_UNREADABLE_REASON,
} from "./reread-after-delay.server";
import { action as ordersPaid } from "../routes/webhooks.orders.paid";

// The shop's forwarding delay is there so that the merchant can hold or
// cancel an order in Shopify first. Signed orders/paid webhooks into the
// route, the worker's real code reading the order again from the Admin
// GraphQL stand-in when the delay ends, and the Brilliant simulator over HTTP.

const SHOP = "reread-a.myshopify.com";
const DELAY_SECONDS = 60;
const world = withShopifyAndBrilliant([SHOP]);

/** A paid order of one tee, delivered by its signed webhook and held by Shopify as `shopify` says. */
async function paidOrder(number: number) {
  const body = testOrder(number, [{ variant: V.teeMedium, quantity: 1 }]);
  world.standIn.setOrders(SHOP, [standInOrderFromRest(body)]);
  expect((await deliverWebhook(ordersPaid, SHOP, "orders/paid", body)).status).toBe(200);
  return body;
}

/** The merchant changes the order in Shopify while it waits. */
function changeInShopify(
  body: ReturnType<typeof testOrder>,
  change: { tags?: string[]; cancelledAt?: string },
) {
  world.standIn.setOrders(SHOP, [{ ...standInOrderFromRest(body), ...change }]);
}

/** A worker whose clock is `aheadMs` past now. */
const workerAt = (aheadMs: number) =>
  makeForwarder(world.sim.url, { now: () => new Date(Date.now() + aheadMs) });

/** One round of the worker's loop: take what came in, claim what is due, process it. */
async function round(forwarder: Forwarder) {
  await forwarder.takeReceivedOrders();
  const claimed = await forwarder.claimDue(20);
  await Promise.all(claimed.map((order) => forwarder.process(order)));
}

const AFTER_DELAY = (DELAY_SECONDS + 1) * 1000;

const orderOf = (body: { id: number }) =>
  prisma.order.findUniqueOrThrow({
    where: { shop_shopifyOrderId: { shop: SHOP, shopifyOrderId: String(body.id) } },
  });
const reads = () =>
  world.standIn.requests.filter((request) => request.operation === "ReadOrderBeforeSending");

/** Paid, then waiting out the delay. */
async function waitingOrder(number: number) {
  const body = await paidOrder(number);
  await round(workerAt(0));
  expect(await orderOf(body)).toMatchObject({ state: "waiting" });
  expect(reads()).toHaveLength(0);
  return body;
}

async function withDelay(extra: Record<string, string> = {}) {
  const saved = await saveSettings(SHOP, { forwardingDelay: String(DELAY_SECONDS), ...extra });
  expect(saved.status).toBe(200);
}

describe("the last look at Shopify when the forwarding delay ends", () => {
  it("GIVEN nothing changed in Shopify THEN the order is read once and forwarded", async () => {
    await withDelay({ holdTags: "hold-me" });
    const body = await waitingOrder(1);
    await round(workerAt(AFTER_DELAY));
    expect(await orderOf(body)).toMatchObject({ state: "forwarded" });
    expect(reads()).toHaveLength(1);
    expect(world.sim.acceptedCount()).toBe(1);
  });

  it("GIVEN a hold tag added in Shopify during the delay THEN the order is held for it and Brilliant gets nothing", async () => {
    await withDelay({ holdTags: "hold-me" });
    const body = await waitingOrder(2);
    changeInShopify(body, { tags: ["wholesale", "Hold-Me"] });

    await round(workerAt(AFTER_DELAY));

    const order = await orderOf(body);
    expect(order).toMatchObject({ state: "held", holdKind: "hold_tag" });
    expect(order.stateReason).toMatch(/^Tagged "hold-me", one of your hold tags/);
    expect(JSON.parse(order.payload).tags).toBe("wholesale, Hold-Me");
    const history = await prisma.orderTransition.findMany({ where: { orderId: order.id } });
    expect(history.map((row) => row.reason)).toContain(
      "Tags read again from Shopify before sending: wholesale, Hold-Me.",
    );
    expect(world.sim.requests).toHaveLength(0);
  });

  it("GIVEN a skip tag added in Shopify during the delay THEN the order is skipped", async () => {
    await withDelay({ skipTags: "no-brilliant" });
    const body = await waitingOrder(3);
    changeInShopify(body, { tags: ["no-brilliant"] });
    await round(workerAt(AFTER_DELAY));
    expect(await orderOf(body)).toMatchObject({ state: "skipped" });
    expect(world.sim.requests).toHaveLength(0);
  });

  it("GIVEN the order cancelled in Shopify during the delay (its webhook lost) THEN it is cancelled, never sent", async () => {
    await withDelay();
    const body = await waitingOrder(4);
    const cancelledAt = new Date().toISOString();
    changeInShopify(body, { cancelledAt });

    await round(workerAt(AFTER_DELAY));

    const order = await orderOf(body);
    expect(order).toMatchObject({ state: "cancelled", stateReason: CANCELLED_DURING_DELAY_REASON });
    expect(order.cancelledAt?.toISOString()).toBe(cancelledAt);
    expect(world.sim.requests).toHaveLength(0);
  });

  it("GIVEN Shopify unreadable when the delay ends THEN the order is not sent, keeps waiting with the reason, and is read again shortly, then sent once", async () => {
    await withDelay();
    const body = await waitingOrder(5);
    world.standIn.failNext("ReadOrderBeforeSending", { status: 503, times: 1 });

    await round(workerAt(AFTER_DELAY));
    let order = await orderOf(body);
    expect(order).toMatchObject({
      state: "waiting",
      stateReason: REREAD_UNREADABLE_REASON,
      leaseOwner: null,
    });
    const retryIn = order.nextAttemptAt!.getTime() - (Date.now() + AFTER_DELAY);
    expect(retryIn).toBeGreaterThan(REREAD_RETRY_MS - 5_000);
    expect(retryIn).toBeLessThanOrEqual(REREAD_RETRY_MS);
    expect(world.sim.requests).toHaveLength(0);

    // Still unreadable a second time: the history says so once.
    world.standIn.failNext("ReadOrderBeforeSending", { status: 500, times: 1 });
    await round(workerAt(AFTER_DELAY + REREAD_RETRY_MS + 1_000));
    order = await orderOf(body);
    expect(order).toMatchObject({ state: "waiting", stateReason: REREAD_UNREADABLE_REASON });
    const noted = await prisma.orderTransition.count({
      where: { orderId: order.id, reason: REREAD_UNREADABLE_REASON },
    });
    expect(noted).toBe(1);
    expect(world.sim.requests).toHaveLength(0);

    // Not due again before its time.
    await round(workerAt(AFTER_DELAY + REREAD_RETRY_MS + 2_000));
    expect(reads()).toHaveLength(2);

    await round(workerAt(AFTER_DELAY + 10 * 60_000));
    expect(await orderOf(body)).toMatchObject({ state: "forwarded" });
    expect(reads()).toHaveLength(3);
    expect(world.sim.acceptedCount()).toBe(1);
  });

  it("GIVEN no Shopify session for the shop (uninstalled meanwhile) THEN the order keeps waiting, not sent", async () => {
    await withDelay();
    const body = await waitingOrder(6);
    await prisma.session.deleteMany({ where: { shop: SHOP } });
    forgetSessionsOf(prisma, SHOP);
    await round(workerAt(AFTER_DELAY));
    expect(await orderOf(body)).toMatchObject({ state: "waiting", stateReason: REREAD_UNREADABLE_REASON });
    expect(world.sim.requests).toHaveLength(0);
  });

  it("GIVEN Shopify no longer has the order THEN it is held for the merchant", async () => {
    await withDelay();
    const body = await waitingOrder(7);
    world.standIn.setOrders(SHOP, []);
    await round(workerAt(AFTER_DELAY));
    expect(await orderOf(body)).toMatchObject({
      state: "held",
      holdKind: "hold_tag",
      stateReason: NOT_IN_SHOPIFY_REASON,
    });
    expect(world.sim.requests).toHaveLength(0);
  });

  it("GIVEN a delay that passed before the worker first saw the order THEN it is still read before it goes", async () => {
    await withDelay({ holdTags: "hold-me" });
    const body = await paidOrder(8);
    changeInShopify(body, { tags: ["hold-me"] });
    await round(workerAt(AFTER_DELAY));
    expect(await orderOf(body)).toMatchObject({ state: "held", holdKind: "hold_tag" });
    expect(reads()).toHaveLength(1);
  });

  it("GIVEN no forwarding delay THEN nothing is read from Shopify before sending", async () => {
    const body = await paidOrder(9);
    await round(workerAt(0));
    expect(await orderOf(body)).toMatchObject({ state: "forwarded" });
    expect(reads()).toHaveLength(0);
  });
});
