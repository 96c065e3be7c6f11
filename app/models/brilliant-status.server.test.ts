import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import {
  forwardUntilSettled,
  ingest,
  makeForwarder,
  mapVariants,
  seedShopForForwarding,
  testOrder,
} from "../../tests/helpers/forwarding";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { SIM_API_KEY, SIM_API_SECRET, startSimulator, type RunningSimulator } from "../../simulator/server";
import { createBrilliantClient } from "../services/brilliant/client.server";
import { action as statusAction } from "../routes/brilliant.status.$token";
import { pollForwardedOrders } from "./brilliant-status.server";

const SHOP = "status-test.myshopify.com";
let sim: RunningSimulator;
let app: Server;
let appUrl: string;

beforeAll(async () => {
  sim = await startSimulator();
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
  await sim.close();
  await new Promise((resolve) => app.close(resolve));
});
beforeEach(async () => {
  sim.reset();
  await resetDatabase(prisma);
  await seedShopForForwarding(SHOP);
  await mapVariants(SHOP, [V.teeMedium]);
});

async function forwardOne(number: number) {
  await ingest(SHOP, testOrder(number, [{ variant: V.teeMedium, quantity: 1 }]));
  await forwardUntilSettled([makeForwarder(sim.url, { appUrl })]);
  return prisma.order.findFirstOrThrow({ where: { name: `#T${number}` } });
}

describe("Brilliant status back-sync", () => {
  it("GIVEN a forwarded order WHEN Brilliant calls its webhook_url THEN status and ship_status appear on the order", async () => {
    const order = await forwardOne(1);
    const { delivery } = await sim.setOrderStatus(order.brilliantOrderId!, "shipped", "shipped");
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

  it("polls GET /store/order/{id} for forwarded orders when no webhook arrives", async () => {
    const order = await forwardOne(2);
    // Brilliant's call to us is lost.
    await prisma.order.update({ where: { id: order.id }, data: { brilliantCheckedAt: null } });
    const settings = await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    await prisma.shopSettings.update({
      where: { shop: SHOP },
      data: { statusWebhookToken: `${settings.statusWebhookToken}-rotated` },
    });
    await sim.setOrderStatus(order.brilliantOrderId!, "processing", "partially_shipped");
    const client = createBrilliantClient({
      baseUrl: sim.url,
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
