/**
 * Faults, end to end: Brilliant (the simulator, over real HTTP) answers 30 %
 * of all calls with a fault of every kind it knows (latency, timeout, reset,
 * 429, 500 as HTML and as JSON, 503, codes 1500/3501/3502/3503, a non-JSON
 * body) on every endpoint: POST /store/order and the GETs a lookup walks.
 * Half of the POST faults that can follow an insert do ("created, then
 * answered with an error"). The fault sequence is seeded.
 *
 * GIVEN N paid orders (300 in CI, 2,000 under `npm run soak`) and two
 *   forwarders running the real worker loop,
 * THEN every order ends `forwarded` (no merchant-action fault is injected, so
 *   none is held), the simulator holds each exactly once (none lost, none
 *   twice), each order points at the Brilliant order made for it,
 * AND the ledger shows the rule that makes this so: after a create whose
 *   outcome was `unknown`, no further create happens before a lookup found
 *   the order certainly absent; in particular every order whose first create
 *   was `unknown` has a `lookup` attempt before any second `create`.
 *
 * Timeout faults hold the answer for FAULT_HOLD_MS and then drop the
 * connection without one, so the run stays short; Retry-After is 0 for the
 * same reason. The seed fixes the fault sequence; which request meets which
 * fault still depends on the workers' interleaving.
 */
import { describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { NAMED_FAULT_KINDS } from "../../simulator/faults";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { ingest, makeForwarder, testOrder } from "../helpers/forwarding";
import { runLabel, scaledTimeout, trustSizes } from "./scale";
import {
  createsWithoutLookup,
  describeProgress,
  seconds,
  startWorkerLoops,
  stateCounts,
  tallySimulator,
  waitUntil,
  withForwardingRun,
} from "./support";

const SHOP = "faults.myshopify.com";
const { orders: ORDERS } = trustSizes().faults;
const FAULT_RATE = 0.3;
const FAULT_SEED = 20_240_611;
const FAULT_HOLD_MS = 300;
// The simulator shares this process's event loop with both workers, and
// SQLite's driver is synchronous: an answer can sit unread behind database
// work for a second on a busy machine. 5 s keeps the timeouts the simulator's
// faults, not the test machine's.
const CLIENT_TIMEOUT_MS = 5_000;

const run = withForwardingRun(SHOP);

describe("forwarding through Brilliant's faults", () => {
  it(
    "GIVEN 30 % faults of every kind on every endpoint THEN every order is forwarded exactly once, looked up before any resend",
    async () => {
      const started = Date.now();
      const orders = Array.from({ length: ORDERS }, (_, i) =>
        testOrder(i + 1, [{ variant: V.untracked, quantity: 1 }]),
      );
      for (const order of orders) await ingest(SHOP, order);

      run.sim.configureFaults({
        rate: FAULT_RATE,
        seed: FAULT_SEED,
        kinds: [...NAMED_FAULT_KINDS],
        createdRate: 0.5,
        latencyMs: 100,
        holdMs: FAULT_HOLD_MS,
        retryAfterSeconds: 0,
      });
      run.stopWorkers = startWorkerLoops(
        [
          makeForwarder(run.sim.url, { workerId: "worker-a", brilliantTimeoutMs: CLIENT_TIMEOUT_MS }),
          makeForwarder(run.sim.url, { workerId: "worker-b", brilliantTimeoutMs: CLIENT_TIMEOUT_MS }),
        ],
        { concurrency: 8 },
      ).stop;

      let settled = true;
      await waitUntil(async () => (await prisma.order.count({ where: { state: "forwarded" } })) >= ORDERS, {
        timeoutMs: scaledTimeout(ORDERS, 300_000, 90_000),
        intervalMs: 100,
      }).catch(() => {
        settled = false;
      });
      await run.stopWorkers();
      run.stopWorkers = null;
      run.sim.configureFaults(null);

      const sentIds = orders.map((order) => String(order.id));
      const tally = tallySimulator(run.sim, sentIds);
      const rows = await prisma.order.findMany({
        where: { shop: SHOP },
        include: { attempts: { orderBy: { number: "asc" } } },
      });
      const faulted = run.sim.requests.filter((request) => request.fault !== null);
      const createdThenError = run.sim.acceptedOrders().filter((record) => record.answeredWith !== null);
      const firstCreateUnknown = rows.filter(
        (row) => row.attempts.find((attempt) => attempt.kind === "create")?.outcome === "unknown",
      );
      console.log(
        `faults: ${runLabel()} sent=${ORDERS} accepted=${tally.accepted} duplicates=${tally.duplicates} lost=${tally.lost}` +
          ` requests=${run.sim.requests.length} faulted=${faulted.length} created_then_error=${createdThenError.length}` +
          ` first_create_unknown=${firstCreateUnknown.length} states=${JSON.stringify(await stateCounts())}` +
          ` took=${seconds(started)}`,
      );

      // Never twice, whatever else happened.
      expect(tally.duplicates).toBe(0);
      expect(createsWithoutLookup(rows)).toEqual([]);
      expect(
        firstCreateUnknown
          .filter((row) => {
            const secondCreate = row.attempts.filter((attempt) => attempt.kind === "create")[1];
            if (!secondCreate) return false;
            return !row.attempts.some(
              (attempt) => attempt.kind === "lookup" && attempt.number < secondCreate.number,
            );
          })
          .map((row) => row.name),
      ).toEqual([]);
      // Every kind of fault was met on every endpoint used, and some came after Brilliant created the order.
      expect(new Set(faulted.map((request) => request.fault))).toEqual(new Set(NAMED_FAULT_KINDS));
      const endpointOf = (request: { method: string; path: string }) =>
        request.method === "POST"
          ? "POST /store/order"
          : request.path.includes("/store/orders")
            ? "GET /store/orders"
            : "GET /store/order/:id";
      expect(new Set(faulted.map(endpointOf))).toEqual(
        new Set(["POST /store/order", "GET /store/orders", "GET /store/order/:id"]),
      );
      expect(createdThenError.length).toBeGreaterThan(0);
      expect(firstCreateUnknown.length).toBeGreaterThan(0);

      // Never lost: everything went through.
      expect(settled, `not every order settled: ${await describeProgress()}`).toBe(true);
      expect(rows.filter((row) => row.state !== "forwarded").map((row) => row.name)).toEqual([]);
      expect(tally).toMatchObject({ accepted: ORDERS, distinct: ORDERS, duplicates: 0, lost: 0 });
      const mismatched = rows.filter(
        (row) => row.brilliantOrderId !== String(tally.byShopifyOrder.get(row.shopifyOrderId)?.[0]),
      );
      expect(mismatched.map((row) => row.name)).toEqual([]);
    },
    scaledTimeout(ORDERS, 500_000, 150_000),
  );
});
