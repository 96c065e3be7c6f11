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
  shopifyVariantFor,
  testOrder,
} from "../../tests/helpers/forwarding";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import type { StandInOrder } from "../../shopify-stand-in/admin-graphql";
import { reconcileDueShops } from "../worker/chores.server";
import { reconcileShop } from "./reconciliation.server";
import { getOrderDetail } from "./order-detail.server";
import { paymentTermsInHistory } from "./payment-terms";
import {
  isReconciliationDue,
  lastReconciliation,
  reconciliationView,
  requestReconciliation,
} from "./reconciliation-requests.server";

// The sweep runs the app's real Admin API client (unauthenticated.admin, as
// the worker does) over real HTTP against the Admin GraphQL stand-in, and
// records orders through the same recordPaidOrder as the orders/paid webhook.

const SHOP = "reconcile-test.myshopify.com";
const DAY = 24 * 60 * 60_000;

const world = withShopifyAndBrilliant([SHOP]);

/** REST body and the stand-in's order for the n-th test order (created `daysAgo` days ago). */
function paidOrder(number: number, daysAgo = 1) {
  const body = testOrder(number, [{ variant: V.teeMedium, quantity: 1 }], {
    created_at: new Date(Date.now() - daysAgo * DAY).toISOString(),
  });
  return { body, standIn: standInOrderFromRest(body) };
}

function pageRequests() {
  return world.standIn.requests.filter((request) => request.operation === "ReconcilePaidOrders");
}

function recordingSleep() {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  };
}

describe("reconcileShop", () => {
  it("GIVEN 7 paid orders of which the webhook delivered 3 WHEN swept 2 a page THEN the 4 missing are recorded once, by reconciliation, and the run says so", async () => {
    const orders = [1, 2, 3, 4, 5, 6, 7].map((n) => paidOrder(n));
    world.standIn.setOrders(
      SHOP,
      orders.map((order) => order.standIn),
    );
    for (const order of orders.slice(0, 3)) await ingest(SHOP, order.body);

    const result = await reconcileShop(SHOP, await adminGraphqlFor(SHOP), { pageSize: 2 });

    expect(result).toMatchObject({ ok: true, seen: 7, ingested: 4, cancelled: 0, failed: 0 });
    expect(pageRequests()).toHaveLength(4);
    expect(pageRequests()[0]!.variables.search).toMatch(/^financial_status:paid created_at:>='\d{4}-/);
    const stored = await prisma.order.findMany({ where: { shop: SHOP }, orderBy: { shopifyOrderId: "asc" } });
    expect(stored.map((order) => order.name)).toEqual(["#T1", "#T2", "#T3", "#T4", "#T5", "#T6", "#T7"]);
    // Known orders are left alone: a sweep is not a delivery.
    expect(stored.every((order) => order.deliveries === 1)).toBe(true);
    const swept = stored.filter((order) => Number(order.name.slice(2)) > 3);
    expect(swept.every((order) => order.state === "received")).toBe(true);
    const transitions = await prisma.orderTransition.findMany({ where: { orderId: swept[0]!.id } });
    expect(transitions).toMatchObject([{ toState: "received", actor: "reconciliation" }]);
    // The stored body reads as the webhook's would.
    expect(JSON.parse(swept[0]!.payload)).toMatchObject({
      id: 900004,
      financial_status: "paid",
      line_items: [{ variant_id: shopifyVariantFor(V.teeMedium), quantity: 1, requires_shipping: true }],
      shipping_address: { province_code: "TX", country_code: "US" },
    });

    const run = await lastReconciliation(SHOP);
    expect(run).toMatchObject({ status: "succeeded", processed: 7, ingested: 4, failed: 0 });
    expect(run!.summary).toMatch(/Read 7 paid orders of the last 7 days: 4 orders the app had not received/);
    const view = await reconciliationView(SHOP);
    expect(view.last).toMatchObject({ seen: 7, ingested: 4, failed: 0 });
  });

  it("reads only paid orders inside the shop's window, and leaves out cancelled ones it never saw", async () => {
    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { reconcileDays: 3 } });
    const recent = paidOrder(11, 1);
    const old = paidOrder(12, 5);
    const unpaid: StandInOrder = { ...paidOrder(13, 1).standIn, displayFinancialStatus: "PENDING" };
    const cancelled: StandInOrder = { ...paidOrder(14, 1).standIn, cancelledAt: new Date().toISOString() };
    world.standIn.setOrders(SHOP, [recent.standIn, old.standIn, unpaid, cancelled]);

    const result = await reconcileShop(SHOP, await adminGraphqlFor(SHOP));

    expect(result).toMatchObject({ ok: true, seen: 2, ingested: 1, cancelled: 1 });
    expect((await prisma.order.findMany({ where: { shop: SHOP } })).map((order) => order.name)).toEqual([
      "#T11",
    ]);
  });

  it("GIVEN the webhook and a sweep racing for the same orders, then the webhook again THEN each order is recorded once and reaches Brilliant once", async () => {
    const orders = [21, 22, 23, 24, 25].map((n) => paidOrder(n));
    world.standIn.setOrders(
      SHOP,
      orders.map((order) => order.standIn),
    );

    const [sweep] = await Promise.all([
      reconcileShop(SHOP, await adminGraphqlFor(SHOP), { pageSize: 2 }),
      ...orders.map((order) => ingest(SHOP, order.body)),
    ]);
    // A late delivery of every webhook.
    const late = await Promise.all(orders.map((order) => ingest(SHOP, order.body)));

    expect(sweep.ok).toBe(true);
    expect(late.every((result) => result.kind === "duplicate")).toBe(true);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(5);
    // A second sweep finds nothing missing.
    expect(await reconcileShop(SHOP, await adminGraphqlFor(SHOP))).toMatchObject({ seen: 5, ingested: 0 });

    await forwardUntilSettled([
      makeForwarder(world.sim.url),
      makeForwarder(world.sim.url, { workerId: "second" }),
    ]);
    const received = world.sim.acceptedOrders().map((record) => record.order.custom_data?.shopify_order_id);
    expect(received.map(String).sort()).toEqual(orders.map((order) => String(order.body.id)));
  });

  it("GIVEN the shop sends orders with payment terms unpaid WHEN an orders/create was missed THEN the sweep records the unpaid order placed with terms, as placed with them, and it reaches Brilliant; an unpaid order without terms waits", async () => {
    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { forwardPaymentTerms: true } });
    const net30: StandInOrder = {
      ...paidOrder(41).standIn,
      displayFinancialStatus: "PENDING",
      paymentTerms: { name: "Net 30", type: "NET", dueInDays: 30 },
    };
    const bankDeposit: StandInOrder = { ...paidOrder(42).standIn, displayFinancialStatus: "PENDING" };
    world.standIn.setOrders(SHOP, [paidOrder(43).standIn, net30, bankDeposit]);

    const result = await reconcileShop(SHOP, await adminGraphqlFor(SHOP));

    expect(result).toMatchObject({ ok: true, seen: 2, ingested: 2, failed: 0 });
    expect(pageRequests().map((request) => String(request.variables.search).split(" ")[0])).toEqual([
      "financial_status:paid",
      "financial_status:pending",
    ]);
    expect(result.ok && result.summary).toMatch(
      /^Read 1 paid order and 1 unpaid order with payment terms of the last 7 days: 2 orders the app had not received were recorded/,
    );
    const stored = await prisma.order.findMany({ where: { shop: SHOP }, orderBy: { shopifyOrderId: "asc" } });
    expect(stored.map((order) => order.name)).toEqual(["#T41", "#T43"]);
    expect(JSON.parse(stored[0]!.payload)).toMatchObject({
      financial_status: "pending",
      payment_terms: { payment_terms_name: "Net 30", payment_terms_type: "net", due_in_days: 30 },
    });
    // The order page says it went before payment, and how it was found.
    const detail = await getOrderDetail(SHOP, stored[0]!.id);
    expect(paymentTermsInHistory(detail!.timeline)).toBe("Net 30");
    expect(detail!.timeline[0]).toMatchObject({ actor: "reconciliation" });
    expect(JSON.stringify(detail!.timeline)).toContain("found by the reconciliation sweep");

    await forwardUntilSettled([makeForwarder(world.sim.url)]);
    const received = world.sim
      .acceptedOrders()
      .map((record) => String(record.order.custom_data?.shopify_order_id));
    expect(received.sort()).toEqual([String(net30.id), String(paidOrder(43).standIn.id)].sort());
  });

  it("GIVEN the shop waits for payment (the default) THEN the sweep reads paid orders only", async () => {
    const net30: StandInOrder = {
      ...paidOrder(44).standIn,
      displayFinancialStatus: "PENDING",
      paymentTerms: { name: "Net 30", type: "NET" },
    };
    world.standIn.setOrders(SHOP, [net30]);

    expect(await reconcileShop(SHOP, await adminGraphqlFor(SHOP))).toMatchObject({
      ok: true,
      seen: 0,
      ingested: 0,
    });
    expect(pageRequests()).toHaveLength(1);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("reads the line items of an order with more than one page of them", async () => {
    const order = paidOrder(31);
    order.standIn.lineItems = Array.from({ length: 14 }, (_, index) => ({
      id: 3100 + index,
      variantId: shopifyVariantFor(V.teeMedium),
      sku: String(V.teeMedium),
      title: `Line ${index}`,
      quantity: 1,
    }));
    world.standIn.setOrders(SHOP, [order.standIn]);

    expect(await reconcileShop(SHOP, await adminGraphqlFor(SHOP))).toMatchObject({ ingested: 1 });

    const stored = await prisma.order.findFirstOrThrow({ where: { shop: SHOP } });
    expect(JSON.parse(stored.payload).line_items).toHaveLength(14);
    expect(
      world.standIn.requests.filter((request) => request.operation === "ReconcileOrderLineItems"),
    ).toHaveLength(1);
  });

  it("GIVEN an empty bucket THEN waits for Shopify to refill it, as the throttle status says, instead of failing", async () => {
    // 2 orders a page request 2 + 2 × (3 + 10) = 28 points; 200 restored a second.
    world.standIn.setBucket({ maximumAvailable: 100, restoreRate: 200 });
    world.standIn.setOrders(
      SHOP,
      [41, 42, 43, 44, 45].map((n) => paidOrder(n).standIn),
    );
    world.standIn.drain(SHOP);
    const { waits, sleep } = recordingSleep();

    const result = await reconcileShop(SHOP, await adminGraphqlFor(SHOP), { pageSize: 2, sleep });

    expect(result).toMatchObject({ ok: true, seen: 5, ingested: 5 });
    const codes = pageRequests().map((request) => request.errorCode);
    expect(codes[0]).toBe("THROTTLED");
    expect(codes.filter((code) => code === null)).toHaveLength(3);
    // Each wait is what the bucket needs for one page, not a blind backoff.
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1_000);
  });

  it("asks for fewer orders a page when one page costs more than the bucket holds", async () => {
    world.standIn.setBucket({ maximumAvailable: 60, restoreRate: 100_000 });
    world.standIn.setOrders(
      SHOP,
      [51, 52, 53].map((n) => paidOrder(n).standIn),
    );

    expect(await reconcileShop(SHOP, await adminGraphqlFor(SHOP))).toMatchObject({ ok: true, ingested: 3 });
    const pageSizes = pageRequests().map((request) => [request.variables.first, request.errorCode]);
    expect(pageSizes[0]).toEqual([50, "MAX_COST_EXCEEDED"]);
    expect(pageSizes.at(-1)![1]).toBeNull();
  });

  it("records a failed run, with what it recorded before, when Shopify fails", async () => {
    world.standIn.setOrders(SHOP, [paidOrder(61).standIn, paidOrder(62).standIn]);
    world.standIn.failNext("ReconcilePaidOrders", { status: 500, times: 20 });
    const result = await reconcileShop(SHOP, await adminGraphqlFor(SHOP));
    expect(result).toMatchObject({ ok: false, reason: "failed" });
    expect(await lastReconciliation(SHOP)).toMatchObject({ status: "failed" });
    world.standIn.failNext("ReconcilePaidOrders", { times: 0 });
  });
});

describe("reconciliation on a schedule and on demand", () => {
  it("GIVEN Reconcile now WHEN the worker's chore runs THEN it sweeps that shop once, and not again until due", async () => {
    world.standIn.setOrders(SHOP, [paidOrder(71).standIn]);
    expect(await isReconciliationDue(SHOP, DAY)).toBe(true);
    expect(await reconcileDueShops(DAY)).toBe(1);
    expect(await isReconciliationDue(SHOP, DAY)).toBe(false);
    expect(await reconcileDueShops(DAY)).toBe(0);

    world.standIn.setOrders(SHOP, [paidOrder(71).standIn, paidOrder(72).standIn]);
    await requestReconciliation(SHOP);
    expect((await reconciliationView(SHOP)).requested).toBe(true);
    expect(await reconcileDueShops(DAY)).toBe(1);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(2);
    expect((await reconciliationView(SHOP)).requested).toBe(false);
  });
});
