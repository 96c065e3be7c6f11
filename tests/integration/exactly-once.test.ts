/**
 * Exactly once, end to end: Shopify delivers webhooks at least once and
 * sometimes concurrently; Brilliant has no idempotency key.
 *
 * GIVEN N paid orders (1,000 in CI, 10,000 under `npm run soak`) that the
 *   shop's Admin API lists (the Admin GraphQL stand-in), of which 1 in 100
 *   never arrives as a webhook (Shopify lost it) and every other one is
 *   delivered three times at once as real signed orders/paid webhooks
 *   through the route's action (50 deliveries in flight),
 * AND a reconciliation sweep (app/orders/reconciliation.server.ts, the app's
 *   real Admin API client) reading every page of them while the webhooks
 *   arrive, so the two race for the same orders,
 * AND two forwarders (different worker ids, the real worker loop) claiming and
 *   sending at the same time,
 * THEN the database holds exactly N orders, all `forwarded`: the lost ones
 *   recorded by the sweep, the others counting at least their three
 *   deliveries; and the Brilliant simulator holds exactly N orders with N
 *   distinct custom_data.shopify_order_id, each the one its order points at:
 *   none lost, none twice.
 *
 * The orders use the untracked-stock variant, so stock never runs out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { action as ordersPaid } from "../../app/routes/webhooks.orders.paid";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { reconcileShop } from "../../app/orders/reconciliation.server";
import type { AdminGraphqlStandIn } from "../../shopify-stand-in/admin-graphql";
import {
  adminGraphqlFor,
  seedStandInSession,
  standInOrderFromRest,
  startStandIn,
  stopStandIn,
} from "../helpers/admin-graphql";
import { makeForwarder, testOrder } from "../helpers/forwarding";
import { deliverWebhook } from "../helpers/webhooks";
import { runLabel, scaledTimeout, trustSizes } from "./scale";
import {
  describeProgress,
  mapWithConcurrency,
  seconds,
  startWorkerLoops,
  tallySimulator,
  waitUntil,
  withForwardingRun,
} from "./support";

const SHOP = "exactly-once.myshopify.com";
const { orders: ORDERS, deliveries: DELIVERIES_PER_ORDER } = trustSizes().duplicates;
const WEBHOOKS_IN_FLIGHT = 50;
/** Every LOST_EVERY-th order never arrives as a webhook: only the sweep can find it. */
const LOST_EVERY = 100;
// Webhooks, both workers and the simulator share this process's event loop:
// under that load a 1 s answer can be late without any fault. No faults are
// injected here, so a generous timeout keeps this test about redelivery and
// racing workers (timeouts are faults.test.ts's subject).
const CLIENT_TIMEOUT_MS = 15_000;

const run = withForwardingRun(SHOP);
let standIn: AdminGraphqlStandIn;

beforeAll(async () => {
  standIn = await startStandIn([SHOP]);
  await seedStandInSession(SHOP);
});

afterAll(async () => {
  await stopStandIn(standIn);
});

async function deliverPaid(body: Record<string, unknown>, webhookId: string): Promise<number> {
  return (await deliverWebhook(ordersPaid, SHOP, "orders/paid", body, { webhookId })).status;
}

describe("exactly once under redelivery and racing workers", () => {
  it(
    `GIVEN ${ORDERS} orders each delivered ${DELIVERIES_PER_ORDER}× at once (or lost) WHILE a reconciliation sweep and two workers run THEN Brilliant gets each exactly once`,
    async () => {
      const started = Date.now();
      const orders = Array.from({ length: ORDERS }, (_, i) =>
        testOrder(i + 1, [{ variant: V.untracked, quantity: 1 }]),
      );
      const sentIds = orders.map((order) => String(order.id));
      const isLost = (index: number) => index % LOST_EVERY === LOST_EVERY - 1;
      const lostIds = new Set(sentIds.filter((_, index) => isLost(index)));
      // The shop's Admin API lists every paid order, whether its webhook came or not.
      standIn.setOrders(
        SHOP,
        orders.map((order) => standInOrderFromRest(order)),
      );

      // Two workers start before the first webhook, so sending races ingestion.
      run.stopWorkers = startWorkerLoops(
        [
          makeForwarder(run.sim.url, { workerId: "worker-a", brilliantTimeoutMs: CLIENT_TIMEOUT_MS }),
          makeForwarder(run.sim.url, { workerId: "worker-b", brilliantTimeoutMs: CLIENT_TIMEOUT_MS }),
        ],
        { concurrency: 10 },
      ).stop;

      // The three copies of an order sit side by side in the queue, so they are in flight together.
      const deliveries = orders
        .filter((_, index) => !isLost(index))
        .flatMap((order) =>
          Array.from({ length: DELIVERIES_PER_ORDER }, () => ({ order, webhookId: `wh-${order.id}` })),
        );
      // The sweep reads the same orders while the webhooks arrive.
      const [statuses, sweep] = await Promise.all([
        mapWithConcurrency(deliveries, WEBHOOKS_IN_FLIGHT, ({ order, webhookId }) =>
          deliverPaid(order, webhookId),
        ),
        adminGraphqlFor(SHOP).then((graphql) => reconcileShop(SHOP, graphql, { pageSize: 50 })),
      ]);
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      expect(sweep).toMatchObject({ ok: true, seen: ORDERS, failed: 0 });
      const reconciliation = sweep.ok ? `seen:${sweep.seen}/ingested:${sweep.ingested}` : sweep.reason;

      await waitUntil(async () => (await prisma.order.count({ where: { state: "forwarded" } })) >= ORDERS, {
        timeoutMs: scaledTimeout(ORDERS, 150_000, 150_000),
        intervalMs: 100,
        describe: describeProgress,
      });
      await run.stopWorkers();
      run.stopWorkers = null;

      const tally = tallySimulator(run.sim, sentIds);
      const rows = await prisma.order.findMany({
        where: { shop: SHOP },
        select: {
          shopifyOrderId: true,
          state: true,
          deliveries: true,
          brilliantOrderId: true,
          transitions: { where: { fromState: null }, select: { actor: true } },
        },
      });
      console.log(
        `exactly-once: ${runLabel()} sent=${ORDERS} accepted=${tally.accepted} duplicates=${tally.duplicates} lost=${tally.lost}` +
          ` deliveries=${deliveries.length} deliveries_counted=${rows.reduce((sum, row) => sum + row.deliveries, 0)}` +
          ` db_orders=${rows.length} lost_webhooks=${lostIds.size} reconciliation=${reconciliation}` +
          ` took=${seconds(started)}`,
      );

      expect(rows).toHaveLength(ORDERS);
      expect(rows.filter((row) => row.state !== "forwarded").map((row) => row.shopifyOrderId)).toEqual([]);
      // Lost webhooks: found by the sweep alone. The rest: every delivery counted
      // (one more when the sweep recorded the order between two of them).
      const lostRows = rows.filter((row) => lostIds.has(row.shopifyOrderId));
      expect(lostRows).toHaveLength(lostIds.size);
      expect(
        lostRows.filter((row) => row.deliveries !== 1 || row.transitions[0]?.actor !== "reconciliation"),
      ).toEqual([]);
      expect(
        rows
          .filter((row) => !lostIds.has(row.shopifyOrderId) && row.deliveries < DELIVERIES_PER_ORDER)
          .map((row) => row.shopifyOrderId),
      ).toEqual([]);
      expect(sweep.ok && sweep.ingested).toBeGreaterThanOrEqual(lostIds.size);
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
