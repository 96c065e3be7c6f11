import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { forwardUntilSettled, ingest, makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { withBrilliant } from "../../tests/helpers/with-brilliant";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { SIM_API_KEY, SIM_API_SECRET } from "../../simulator/server";
import { createBrilliantClient } from "../integrations/brilliant/client.server";
import { action as statusAction } from "../routes/brilliant.status.$token";
import { loader as orderPage } from "../routes/app.orders.$id";
import { adminRequest, callRoute } from "../../tests/helpers/admin-session";
import { pollForwardedOrders } from "./brilliant-status.server";

const SHOP = "status-test.myshopify.com";
const world = withBrilliant(SHOP, { installed: true, variants: [V.teeMedium] });
let app: Server;
let appUrl: string;

beforeAll(async () => {
  // The app's status route behind a real HTTP port, as Brilliant would reach it.
  app = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const token = decodeURIComponent((req.url ?? "").split("/").pop() ?? "");
    const request = new Request(`http://app${req.url}`, {
      method: req.method,
      body: Buffer.concat(chunks),
      headers: { "content-type": "application/json" },
    });
    const response = await statusAction({ request, params: { token }, context: {} });
    res.writeHead(response.status).end(await response.text());
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const address = app.address();
  appUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => app.close(resolve));
});

/** Posts a body to the shop's status endpoint over HTTP, as Brilliant (or a replay of it) would. */
async function postStatus(body: string): Promise<number> {
  const { statusWebhookToken } = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
  const response = await fetch(`${appUrl}/brilliant/status/${encodeURIComponent(statusWebhookToken)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** Brilliant's status and ship status as the order's page in the admin shows them. */
async function shownOnOrderPage(orderId: string) {
  const response = await callRoute(orderPage, await adminRequest(`/app/orders/${orderId}`, { shop: SHOP }), {
    id: orderId,
  });
  const { order } = (await response.json()) as {
    order: { brilliantStatus: string | null; brilliantShipStatus: string | null };
  };
  return { status: order.brilliantStatus, shipStatus: order.brilliantShipStatus };
}

const eventsOf = (orderId: string) =>
  prisma.brilliantStatusEvent.findMany({ where: { orderId }, orderBy: { receivedAt: "asc" } });
const outcomesOf = async (orderId: string) => (await eventsOf(orderId)).map((event) => event.outcome);

/** Brilliant's status call about `order`, as it writes one: the order's ids, its statuses and `extra`. */
function statusBody(
  order: { brilliantOrderId: string | null; shopifyOrderId: string },
  status: string,
  shipStatus: string | null,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    id: Number(order.brilliantOrderId),
    status,
    ship_status: shipStatus,
    custom_data: { shopify_shop: SHOP, shopify_order_id: order.shopifyOrderId },
    ...extra,
  });
}

async function forwardOne(number: number) {
  await ingest(SHOP, testOrder(number, [{ variant: V.teeMedium, quantity: 1 }]));
  await forwardUntilSettled([makeForwarder(world.sim.url, { appUrl })]);
  return prisma.order.findFirstOrThrow({ where: { name: `#T${number}` } });
}

describe("Brilliant status back-sync", () => {
  it("GIVEN a forwarded order WHEN Brilliant calls its webhook_url THEN status and ship_status appear on the order", async () => {
    const order = await forwardOne(1);
    const { delivery } = await world.sim.setOrderStatus(order.brilliantOrderId!, "shipped", "shipped");
    expect(delivery?.httpStatus).toBe(200);
    expect(await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      brilliantStatus: "shipped",
      brilliantShipStatus: "shipped",
    });
    expect(await prisma.brilliantStatusEvent.findMany()).toMatchObject([
      { shop: SHOP, outcome: "updated", orderId: order.id },
    ]);
  });

  it("stores unknown bodies instead of crashing, refuses unknown tokens, and answers 400 to non-JSON", async () => {
    const settings = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    const post = (token: string, body: string) =>
      statusAction({
        request: new Request(`http://app/brilliant/status/${token}`, { method: "POST", body }),
        params: { token },
        context: {},
      });
    expect((await post(settings.statusWebhookToken, JSON.stringify({ hello: "world" }))).status).toBe(200);
    expect((await post(settings.statusWebhookToken, "<xml/>")).status).toBe(400);
    expect((await post("not-a-token", "{}")).status).toBe(404);
    const events = await prisma.brilliantStatusEvent.findMany({ orderBy: { receivedAt: "asc" } });
    expect(events.map((e) => [e.outcome, e.body])).toEqual([
      ["unrecognised_body", '{"hello":"world"}'],
      ["not_json", "<xml/>"],
    ]);
  });

  it("GIVEN Brilliant said created, then shipped WHEN the older created call comes again (replayed as sent, or re-serialized) THEN the order still shows shipped, and the replay is stored once", async () => {
    const order = await forwardOne(3);
    const created = await world.sim.setOrderStatus(order.brilliantOrderId!, "created", null);
    const shipped = await world.sim.setOrderStatus(order.brilliantOrderId!, "shipped", "shipped");
    expect([created.delivery?.httpStatus, shipped.delivery?.httpStatus]).toEqual([200, 200]);
    expect(await shownOnOrderPage(order.id)).toEqual({ status: "shipped", shipStatus: "shipped" });

    // The same bytes again: recognised, nothing stored, nothing changed.
    expect(await postStatus(JSON.stringify(created.delivery!.body))).toBe(200);
    // The same call written differently (another body, an older updated_at): kept, not applied.
    expect(await postStatus(JSON.stringify(created.delivery!.body, null, 2))).toBe(200);

    expect(await shownOnOrderPage(order.id)).toEqual({ status: "shipped", shipStatus: "shipped" });
    expect(await outcomesOf(order.id)).toEqual(["updated", "updated", "stale"]);
    // Brilliant's updated_at of the status shown is the shipped call's.
    expect((await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).brilliantUpdatedAt).toEqual(
      new Date(shipped.order.updated_at),
    );
  });

  it("GIVEN calls without updated_at THEN Brilliant's lifecycle orders them: never back from shipped to created, on to delivered", async () => {
    const order = await forwardOne(4);
    const call = (status: string, shipStatus: string | null, extra: Record<string, unknown> = {}) =>
      postStatus(statusBody(order, status, shipStatus, extra));
    expect(await call("shipped", "shipped")).toBe(200);
    expect(await call("created", null)).toBe(200);
    expect(await call("processing", "partially_shipped")).toBe(200);
    expect(await shownOnOrderPage(order.id)).toEqual({ status: "shipped", shipStatus: "shipped" });
    expect(await call("delivered", "delivered")).toBe(200);
    expect(await shownOnOrderPage(order.id)).toEqual({ status: "delivered", shipStatus: "delivered" });
    // An unreadable updated_at counts as none: still never backwards.
    expect(await call("created", null, { updated_at: "not a date" })).toBe(200);
    expect(await shownOnOrderPage(order.id)).toEqual({ status: "delivered", shipStatus: "delivered" });
    expect(await outcomesOf(order.id)).toEqual(["updated", "stale", "stale", "updated", "stale"]);
  });

  it("GIVEN a dated shipped call WHEN an older dated one arrives late THEN it is kept but not applied; a newer one is", async () => {
    const order = await forwardOne(5);
    const call = (status: string, shipStatus: string | null, updatedAt: string) =>
      postStatus(statusBody(order, status, shipStatus, { updated_at: updatedAt }));
    expect(await call("processing", null, "2026-11-25T10:00:00.000Z")).toBe(200);
    expect(await call("shipped", "shipped", "2026-11-26T10:00:00.000Z")).toBe(200);
    expect(await call("processing", "partially_shipped", "2026-11-25T12:00:00.000Z")).toBe(200);
    expect(await shownOnOrderPage(order.id)).toEqual({ status: "shipped", shipStatus: "shipped" });
    // Dated after it, Brilliant's word wins even where the lifecycle would not guess it.
    expect(await call("processing", "returned", "2026-11-27T10:00:00.000Z")).toBe(200);
    expect(await shownOnOrderPage(order.id)).toEqual({ status: "processing", shipStatus: "returned" });
    expect(await outcomesOf(order.id)).toEqual(["updated", "updated", "stale", "updated"]);
  });

  it("GIVEN one new call replayed 50 times at once THEN every replay is answered 200, one event is stored and the order shows it", async () => {
    const order = await forwardOne(6);
    const body = statusBody(order, "shipped", "shipped", { updated_at: new Date().toISOString() });
    const answers = await Promise.all(Array.from({ length: 50 }, () => postStatus(body)));
    expect(answers).toEqual(Array.from({ length: 50 }, () => 200));
    expect((await eventsOf(order.id)).map((event) => [event.outcome, event.body])).toEqual([
      ["updated", body],
    ]);
    expect(await prisma.brilliantStatusEvent.count()).toBe(1);
    expect(await shownOnOrderPage(order.id)).toEqual({ status: "shipped", shipStatus: "shipped" });

    // Bodies that match no order, or are not JSON, are stored once too.
    const unknownOrder = JSON.stringify({ status: "shipped", custom_data: { shopify_order_id: 1 } });
    const notJson = "<status>shipped</status>";
    const more = await Promise.all(
      Array.from({ length: 10 }, (_, index) => postStatus(index % 2 === 0 ? unknownOrder : notJson)),
    );
    expect(more.sort()).toEqual([...Array(5).fill(200), ...Array(5).fill(400)]);
    const events = await prisma.brilliantStatusEvent.findMany({ where: { orderId: null } });
    expect(events.map((event) => event.outcome).sort()).toEqual(["no_matching_order", "not_json"]);
  });

  it("GIVEN the status call names the order's Shopify id with leading zeros THEN it finds the order", async () => {
    const order = await forwardOne(7);
    expect(
      await postStatus(
        JSON.stringify({
          status: "shipped",
          ship_status: "shipped",
          custom_data: { shopify_shop: SHOP, shopify_order_id: `000${order.shopifyOrderId}` },
        }),
      ),
    ).toBe(200);
    expect(await shownOnOrderPage(order.id)).toEqual({ status: "shipped", shipStatus: "shipped" });
  });

  it("polls GET /store/order/{id} for forwarded orders when no webhook arrives", async () => {
    const order = await forwardOne(2);
    // Brilliant's call to us is lost.
    await prisma.order.update({ where: { id: order.id }, data: { brilliantCheckedAt: null } });
    const settings = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    await prisma.shopSettings.update({
      where: { shop: SHOP },
      data: { statusWebhookToken: `${settings.statusWebhookToken}-rotated` },
    });
    await world.sim.setOrderStatus(order.brilliantOrderId!, "processing", "partially_shipped");
    const client = createBrilliantClient({
      baseUrl: world.sim.url,
      apiKey: SIM_API_KEY,
      apiSecret: SIM_API_SECRET,
    });
    // Forwarded a moment ago: not due for a read yet.
    expect(await pollForwardedOrders(SHOP, client, { olderThanMs: 60_000, limit: 10 })).toBe(0);
    expect(await pollForwardedOrders(SHOP, client, { olderThanMs: 0, limit: 10 })).toBe(1);
    expect(await prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      brilliantStatus: "processing",
      brilliantShipStatus: "partially_shipped",
    });
  });
});
