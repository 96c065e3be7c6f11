/**
 * Two worker processes against one database: the deployment the README
 * allows ("run as many as the database allows"). It matters most on
 * PostgreSQL, where the two processes claim through separate connection pools
 * and nothing serialises their writes; CI runs it there. On SQLite (one
 * writer at a time) it runs only under `npm run soak`, to keep CI short.
 *
 * GIVEN N paid orders (600 in CI, 5,000 under `npm run soak`), half recorded
 *   before the workers start and half while they run,
 * AND two real worker processes (`node --import tsx app/worker/main.ts`)
 *   claiming from the same database at the same time, with a simulator that
 *   answers after a little while (so claims and sends overlap),
 * THEN every order ends `forwarded`, the simulator holds each exactly once,
 * AND no order was created again without a lookup that found it certainly
 *   absent (a second `create` can only follow a timeout on a busy machine),
 * AND both workers forwarded orders (the race was real).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma, { databaseKind } from "../../app/db.server";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import type { RunningSimulator } from "../../simulator/server";
import { ingest, testOrder } from "../helpers/forwarding";
import { startWorkerProcess, stopAllProcesses, stopProcess } from "./processes";
import { runLabel, scaledTimeout, trustScale, trustSizes } from "./scale";
import {
  createsWithoutLookup,
  prepareForwardingRun,
  seconds,
  stateCounts,
  tallySimulator,
  waitUntil,
} from "./support";

const SHOP = "two-workers.myshopify.com";
const { orders: ORDERS } = trustSizes().twoWorkers;
const SIMULATOR_LATENCY_MS = 20;
// Long enough that no lease runs out in this run: a second claim of the same
// order could then only come from a broken compare-and-set.
const LEASE_MS = 60_000;

let sim: RunningSimulator;

const skipped = databaseKind() === "sqlite" && trustScale() === "ci";

describe.skipIf(skipped)("two worker processes on one database", () => {
  beforeAll(async () => {
    sim = await prepareForwardingRun(SHOP, { latencyMs: SIMULATOR_LATENCY_MS });
  });

  afterAll(async () => {
    await stopAllProcesses();
    await sim?.close();
  });

  it(
    "GIVEN two workers claiming at once THEN no order is sent twice and none is lost",
    async () => {
      const started = Date.now();
      const orders = Array.from({ length: ORDERS }, (_, i) =>
        testOrder(i + 1, [{ variant: V.untracked, quantity: 1 }]),
      );
      const half = Math.floor(ORDERS / 2);
      for (const order of orders.slice(0, half)) await ingest(SHOP, order);

      const workers = ["worker-a", "worker-b"].map((name) =>
        startWorkerProcess(name, {
          brilliantUrl: sim.url,
          leaseMs: LEASE_MS,
          concurrency: 8,
          // Timeouts are faults.test.ts's subject; here a slow answer on a busy machine is not one.
          env: { BRILLIANT_TIMEOUT_MS: "10000" },
        }),
      );
      // The rest arrive while both claim.
      for (const order of orders.slice(half)) await ingest(SHOP, order);

      await waitUntil(
        async () => (await prisma.order.count({ where: { shop: SHOP, state: "forwarded" } })) >= ORDERS,
        {
          timeoutMs: scaledTimeout(ORDERS, 90_000),
          intervalMs: 100,
          describe: async () =>
            `${JSON.stringify(await stateCounts())}\n${workers.map((worker) => worker.output()).join("\n")}`,
        },
      );
      await Promise.all(workers.map((worker) => stopProcess(worker, "SIGTERM")));

      const tally = tallySimulator(
        sim,
        orders.map((order) => String(order.id)),
      );
      const rows = await prisma.order.findMany({
        where: { shop: SHOP },
        select: { name: true, attempts: { select: { number: true, kind: true, outcome: true } } },
      });
      const createdAgain = rows.filter(
        (row) => row.attempts.filter((attempt) => attempt.kind === "create").length > 1,
      ).length;
      const byWorker = await prisma.forwardAttempt.groupBy({
        by: ["workerId"],
        where: { shop: SHOP, kind: "create" },
        _count: { _all: true },
      });
      const ledger = await prisma.forwardAttempt.groupBy({
        by: ["kind", "outcome"],
        where: { shop: SHOP },
        _count: { _all: true },
      });
      const perWorker = Object.fromEntries(byWorker.map((row) => [row.workerId ?? "?", row._count._all]));
      console.log(
        `two-workers: ${runLabel()} sent=${ORDERS} accepted=${tally.accepted} duplicates=${tally.duplicates}` +
          ` lost=${tally.lost} creates_by_worker=${JSON.stringify(perWorker)} orders_created_again=${createdAgain}` +
          ` ledger=${ledger.map((row) => `${row.kind}:${row.outcome}=${row._count._all}`).join(",")}` +
          ` took=${seconds(started)}`,
      );

      expect(await stateCounts()).toEqual({ forwarded: ORDERS });
      expect(tally).toMatchObject({ accepted: ORDERS, distinct: ORDERS, duplicates: 0, lost: 0 });
      expect(createsWithoutLookup(rows)).toEqual([]);
      expect(perWorker["worker-a"] ?? 0).toBeGreaterThan(0);
      expect(perWorker["worker-b"] ?? 0).toBeGreaterThan(0);
    },
    scaledTimeout(ORDERS, 120_000, 180_000),
  );
});
