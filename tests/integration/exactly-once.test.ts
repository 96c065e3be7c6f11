/**
 * Exactly once, end to end: Shopify delivers webhooks at least once and
 * sometimes concurrently; Brilliant has no idempotency key.
 *
 * GIVEN N paid orders (1,000 in CI, 10,000 under `npm run soak`), each
 *   delivered three times at once as real signed orders/paid webhooks
 *   through the route's action (50 deliveries in flight),
 * AND two forwarders (different worker ids, the real worker loop) claiming and
 *   sending at the same time as the webhooks arrive,
 * THEN the database holds exactly N orders, all `forwarded`, each counting
 *   its three deliveries, and the Brilliant simulator holds exactly N orders
 *   with N distinct custom_data.shopify_order_id, each the one its order
 *   points at: none lost, none twice.
 *
 * Issue 6 adds a reconciliation sweep to this run (see the TODO below): it
 * will list the shop's paid orders through the Admin API and ingest any the
 * app never saw, and must not add a single order or send.
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
import { runLabel, scaledTimeout, trustSizes } from "./scale";
import {
  describeProgress,
  mapWithConcurrency,
  seconds,
  startWorkerLoops,
  tallySimulator,
  waitUntil,
} from "./support";

const SHOP = "exactly-once.myshopify.com";
const { orders: ORDERS, deliveries: DELIVERIES_PER_ORDER } = trustSizes().duplicates;
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
  it(
    `GIVEN ${ORDERS} orders each delivered ${DELIVERIES_PER_ORDER}× at once WHILE two workers forward THEN Brilliant gets each exactly once`,
    async () => {
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

      // TODO(issue 6, reconciliation): once app/models/reconciliation.server.ts
      // lands, run its sweep here, while the workers are still forwarding: serve
      // the same N orders from the Admin GraphQL stand-in
      // (shopify-stand-in/admin-graphql.ts) as the shop's paid orders, run the
      // sweep for SHOP, and expect it to report N already known and 0 ingested;
      // the assertions below (N orders, N at the simulator, none twice) then
      // cover the sweep too. Print its counts in the line below
      // (reconciliation=found/ingested).
      const reconciliation = "not-built-yet";

      await waitUntil(async () => (await prisma.order.count({ where: { state: "forwarded" } })) >= ORDERS, {
        timeoutMs: scaledTimeout(ORDERS, 150_000, 150_000),
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
        `exactly-once: ${runLabel()} sent=${ORDERS} accepted=${tally.accepted} duplicates=${tally.duplicates} lost=${tally.lost}` +
          ` deliveries=${deliveries.length} deliveries_counted=${rows.reduce((sum, row) => sum + row.deliveries, 0)}` +
          ` db_orders=${rows.length} reconciliation=${reconciliation} took=${seconds(started)}`,
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
    },
    scaledTimeout(ORDERS, 240_000, 240_000),
  );
});
