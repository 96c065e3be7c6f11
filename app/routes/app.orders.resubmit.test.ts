import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { withShopifyAndBrilliant } from "../../tests/helpers/admin-graphql";
import { adminRequest, callRoute } from "../../tests/helpers/admin-session";
import { forwardUntilSettled, makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { TEST_API_SECRET } from "../../tests/setup/app-env";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { signedWebhookRequest } from "../../shopify-stand-in/webhooks";
import { bulkResultMessage } from "../components/orders-list/bulk-result-banner";
import type { BulkOrderResult } from "../orders/order-list.server";
import { action as ordersAction, loader as ordersList } from "./app.orders._index";
import { saveSettings } from "../../tests/helpers/settings-form";

// A bulk Resubmit says, per order, what will really happen, and the orders
// list says the same once the worker has run: real signed webhooks, the real
// worker code against the Brilliant simulator, the admin's own routes.

const SHOP = "resubmit-truth.myshopify.com";
const world = withShopifyAndBrilliant([SHOP]);
const UNKNOWN_TO_BRILLIANT = 424_242;

async function deliver(body: unknown) {
  const request = signedWebhookRequest("https://brilliant-sync.test/webhooks/orders/paid", {
    topic: "orders/paid",
    shop: SHOP,
    body,
    secret: TEST_API_SECRET,
  });
  const { action } = await import("./webhooks.orders.paid");
  return action({ request, params: {}, context: {} });
}

const forward = () => forwardUntilSettled([makeForwarder(world.sim.url)]);

async function listed() {
  const response = await callRoute(ordersList, await adminRequest("/app/orders", { shop: SHOP }));
  return ((await response.json()) as { orders: { id: string; name: string; state: string }[] }).orders;
}

describe("bulk Resubmit", () => {
  it("GIVEN a held-by-tag order, an order whose variant Brilliant lacks and a test order WHEN all three are resubmitted THEN it says one goes to Brilliant and two stay as they are, and after the worker ran the list shows exactly that", async () => {
    const settings = await saveSettings(SHOP, { holdTags: "check-first" });
    expect(settings.status).toBe(200);
    const tagged = testOrder(1003, [{ variant: V.teeMedium, quantity: 1 }], { tags: "check-first" });
    const unknown = testOrder(1004, [{ variant: UNKNOWN_TO_BRILLIANT, quantity: 1 }]);
    const test = testOrder(1008, [{ variant: V.teeMedium, quantity: 1 }], { test: true });
    for (const body of [tagged, unknown, test]) expect((await deliver(body)).status).toBe(200);
    await forward();
    const before = await listed();
    const idOf = (name: string) => before.find((order) => order.name === name)!.id;
    expect(before.map((order) => [order.name, order.state]).sort()).toEqual([
      ["#T1003", "held"],
      ["#T1004", "held"],
      ["#T1008", "skipped"],
    ]);

    const response = await callRoute(
      ordersAction,
      await adminRequest("/app/orders", {
        shop: SHOP,
        body: { intent: "resubmit", orderIds: [idOf("#T1003"), idOf("#T1004"), idOf("#T1008")] },
      }),
    );
    const { result } = (await response.json()) as { result: BulkOrderResult };
    expect(result.changed).toEqual([{ id: idOf("#T1003"), name: "#T1003", verdict: { kind: "send" } }]);
    expect(result.unchanged).toEqual([
      { id: idOf("#T1004"), name: "#T1004", why: expect.stringMatching(/^still held: /) },
      { id: idOf("#T1008"), name: "#T1008", why: expect.stringMatching(/^still skipped: Test order/) },
    ]);
    expect(bulkResultMessage(result)).toBe("1 order going to Brilliant; 2 unchanged");

    await forward();
    expect((await listed()).map((order) => [order.name, order.state]).sort()).toEqual([
      ["#T1003", "forwarded"],
      ["#T1004", "held"],
      ["#T1008", "skipped"],
    ]);
    expect(world.sim.acceptedOrders()).toHaveLength(1);
    // #1004 stayed as it was: no churn in its history.
    const moves = await prisma.orderTransition.count({ where: { orderId: idOf("#T1004") } });
    expect(moves).toBe(2);
  });
});
