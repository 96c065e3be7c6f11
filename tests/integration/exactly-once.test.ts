/**
 * Exactly once, end to end: Shopify delivers webhooks at least once and
 * sometimes concurrently; Brilliant has no idempotency key.
 *
 * GIVEN 1,000 paid orders, each delivered three times at once as real signed
 *   orders/paid webhooks through the route's action (50 deliveries in flight),
 * AND two forwarders (different worker ids, the real worker loop) claiming and
 *   sending at the same time as the webhooks arrive,
 * THEN the database holds exactly 1,000 orders, all `forwarded`, each counting
 *   its three deliveries, and the Brilliant simulator holds exactly 1,000
 *   orders with 1,000 distinct custom_data.shopify_order_id, each the one its
 *   order points at: none lost, none twice.
 *
 * The orders use the untracked-stock variant, so stock never runs out.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { action as ordersPaid } from "../../app/routes/webhooks.orders.paid";
import { signedWebhookRequest } from "../../shopify-stand-in/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { startSimulator, type RunningSimulator } from "../../simulator/server";
import { resetDatabase } from "../helpers/db";
import { makeForwarder, mapVariants, seedShopForForwarding, testOrder } from "../helpers/forwarding";
import { TEST_API_SECRET } from "../setup/app-env";
import {
  describeProgress,
  mapWithConcurrency,
  seconds,
  startWorkerLoops,
  tallySimulator,
  waitUntil,
} from "./support";

const SHOP = "exactly-once.myshopify.com";
const ORDERS = 1_000;
const DELIVERIES_PER_ORDER = 3;
const WEBHOOKS_IN_FLIGHT = 50;
// Webhooks, both workers and the simulator share this process's event loop:
// under that load a 1 s answer can be late without any fault. No faults are
// injected here, so a generous timeout keeps this test about redelivery and
// racing workers (timeouts are faults.test.ts's subject).
const CLIENT_TIMEOUT_MS = 15_000;

let sim: RunningSimulator;
let stopWorkers: (() => Promise<void>) | null = null;

beforeAll(async () => {
  sim = await startSimulator();
  await resetDatabase(prisma);
  await seedShopForForwarding(SHOP);
  await mapVariants(SHOP, [V.untracked]);
});

afterAll(async () => {
  await stopWorkers?.();
  await sim?.close();
});

async function deliverPaid(body: Record<string, unknown>, webhookId: string): Promise<number> {
  const request = signedWebhookRequest("https://brilliant-sync.test/webhooks/orders/paid", {
    topic: "orders/paid",
    shop: SHOP,
    body,
    secret: TEST_API_SECRET,
    webhookId,
  });
  try {
    const response = await ordersPaid({ request, params: {}, context: {} } as ActionFunctionArgs);
    return response.status;
  } catch (thrown) {
    // Remix turns a thrown Response into the answer.
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

describe("exactly once under redelivery and racing workers", () => {
  it("GIVEN 1,000 orders each delivered 3× at once WHILE two workers forward THEN Brilliant gets each exactly once", async () => {
    const started = Date.now();
    const orders = Array.from({ length: ORDERS }, (_, i) =>
      testOrder(i + 1, [{ variant: V.untracked, quantity: 1 }]),
    );
    const sentIds = orders.map((order) => String(order.id));

    // Two workers start before the first webhook, so sending races ingestion.
    stopWorkers = startWorkerLoops(
      [
        makeForwarder(sim.url, { workerId: "worker-a", brilliantTimeoutMs: CLIENT_TIMEOUT_MS }),
        makeForwarder(sim.url, { workerId: "worker-b", brilliantTimeoutMs: CLIENT_TIMEOUT_MS }),
      ],
      { concurrency: 10 },
    ).stop;

    // The three copies of an order sit side by side in the queue, so they are in flight together.
    const deliveries = orders.flatMap((order) =>
      Array.from({ length: DELIVERIES_PER_ORDER }, () => ({ order, webhookId: `wh-${order.id}` })),
    );
    const statuses = await mapWithConcurrency(deliveries, WEBHOOKS_IN_FLIGHT, ({ order, webhookId }) =>
      deliverPaid(order, webhookId),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    await waitUntil(async () => (await prisma.order.count({ where: { state: "forwarded" } })) >= ORDERS, {
      timeoutMs: 150_000,
      intervalMs: 100,
      describe: describeProgress,
    });
    await stopWorkers();
    stopWorkers = null;

    const tally = tallySimulator(sim, sentIds);
    const rows = await prisma.order.findMany({
      where: { shop: SHOP },
      select: { shopifyOrderId: true, state: true, deliveries: true, brilliantOrderId: true },
    });
    console.log(
      `exactly-once: sent=${ORDERS} accepted=${tally.accepted} duplicates=${tally.duplicates} lost=${tally.lost}` +
        ` deliveries=${deliveries.length} deliveries_counted=${rows.reduce((sum, row) => sum + row.deliveries, 0)}` +
        ` db_orders=${rows.length} took=${seconds(started)}`,
    );

    expect(rows).toHaveLength(ORDERS);
    expect(rows.filter((row) => row.state !== "forwarded").map((row) => row.shopifyOrderId)).toEqual([]);
    expect(
      rows.filter((row) => row.deliveries !== DELIVERIES_PER_ORDER).map((row) => row.shopifyOrderId),
    ).toEqual([]);
    expect(tally).toMatchObject({ accepted: ORDERS, distinct: ORDERS, duplicates: 0, lost: 0 });
    // Each order points at the one Brilliant order made for it.
    const mismatched = rows.filter(
      (row) => row.brilliantOrderId !== String(tally.byShopifyOrder.get(row.shopifyOrderId)?.[0]),
    );
    expect(mismatched.map((row) => row.shopifyOrderId)).toEqual([]);
  }, 240_000);
});
