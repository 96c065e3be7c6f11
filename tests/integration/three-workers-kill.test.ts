/**
 * Three worker processes on one PostgreSQL database, one of them SIGKILLed
 * mid-run: the scaled-out deployment losing a machine. PostgreSQL only: there
 * each worker claims through its own connection pool and nothing serialises
 * their writes, while a SQLite file lets one writer in at a time
 * (two-workers.test.ts and crashes.test.ts cover SQLite).
 *
 * GIVEN N paid orders (600 in CI, 5,000 under `npm run soak`), half recorded
 *   before the workers start and half while they run,
 * AND three real worker processes (`node --import tsx app/worker/main.ts`)
 *   claiming with a 2 s lease, with a simulator that answers after a little
 *   while (so sends are in flight),
 * WHEN one worker, drawn from a seeded random sequence (TRUST_SEED), is
 *   SIGKILLed once a random share of the orders is forwarded, while it is
 *   sending if it can be caught so,
 * THEN every order ends `forwarded`, the simulator holds each exactly once
 *   (nothing lost, nothing twice),
 * AND every order the dead worker held was finished by the two survivors,
 *   neither touching it before the dead worker's lease on it had run out,
 * AND every order it left `sending` was looked up at Brilliant before
 *   anything else was sent for it,
 * AND no order is left leased.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma, { databaseKind } from "../../app/db.server";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { seededRandom } from "../../simulator/faults";
import type { RunningSimulator } from "../../simulator/server";
import { ingest, testOrder } from "../helpers/forwarding";
import { startWorkerProcess, stopAllProcesses, stopProcess } from "./processes";
import { runLabel, scaledTimeout, trustSizes } from "./scale";
import {
  createsWithoutLookup,
  prepareForwardingRun,
  seconds,
  sleep,
  stateCounts,
  tallySimulator,
  waitUntil,
} from "./support";

const SHOP = "three-workers-kill.myshopify.com";
const { orders: ORDERS } = trustSizes().threeWorkersKill;
const SEED = Number(process.env.TRUST_SEED ?? 20_261_207);
const WORKERS = ["worker-a", "worker-b", "worker-c"] as const;
const SIMULATOR_LATENCY_MS = 30;
// Short, so the survivors take the dead worker's orders over within seconds;
// still twice the Brilliant timeout the workers are started with.
const LEASE_MS = 2_000;

const countIn = (state: string) => prisma.order.count({ where: { shop: SHOP, state } });

let sim: RunningSimulator;

describe.skipIf(databaseKind() === "sqlite")("three worker processes, one killed", () => {
  beforeAll(async () => {
    sim = await prepareForwardingRun(SHOP, { latencyMs: SIMULATOR_LATENCY_MS });
  });

  afterAll(async () => {
    await stopAllProcesses();
    await sim?.close();
  });

  it(
    "GIVEN three workers and one SIGKILLed mid-run THEN the survivors finish its orders once its leases ran out, nothing is lost, nothing sent twice, nothing left leased",
    async () => {
      const random = seededRandom(SEED);
      const victimName = WORKERS[Math.floor(random() * WORKERS.length)]!;
      const killAtShare = 0.15 + random() * 0.5;
      const extraDelayMs = Math.floor(random() * 200);
      const started = Date.now();
      const orders = Array.from({ length: ORDERS }, (_, i) =>
        testOrder(i + 1, [{ variant: V.untracked, quantity: 1 }]),
      );
      const half = Math.floor(ORDERS / 2);
      for (const order of orders.slice(0, half)) await ingest(SHOP, order);

      const workers = WORKERS.map((name) =>
        startWorkerProcess(name, { brilliantUrl: sim.url, leaseMs: LEASE_MS, concurrency: 8 }),
      );
      const victim = workers[WORKERS.indexOf(victimName)]!;
      const survivors = WORKERS.filter((name) => name !== victimName);
      const describeRun = async () =>
        `${JSON.stringify(await stateCounts())}\n${workers.map((worker) => worker.output()).join("\n")}`;

      // The rest arrive while the workers claim, and the kill comes meanwhile.
      const ingestRest = (async () => {
        for (const order of orders.slice(half)) await ingest(SHOP, order);
      })();
      const threshold = Math.ceil(killAtShare * ORDERS);
      await waitUntil(async () => (await countIn("forwarded")) >= threshold, {
        timeoutMs: scaledTimeout(ORDERS, 90_000),
        intervalMs: 20,
        describe: describeRun,
      });
      await sleep(extraDelayMs);
      // Try to land mid-send; a moment with only claimed orders is a kill too.
      await waitUntil(
        async () => (await prisma.order.count({ where: { state: "sending", leaseOwner: victimName } })) > 0,
        { timeoutMs: 5_000, intervalMs: 5 },
      ).catch(() => undefined);
      await stopProcess(victim, "SIGKILL");
      const killedAt = new Date();
      const forwardedAtKill = await countIn("forwarded");
      // Nothing changes these any more but the survivors, once each lease has run out.
      const held = await prisma.order.findMany({
        where: { shop: SHOP, leaseOwner: victimName },
        select: { id: true, name: true, state: true, attemptCount: true, leaseExpiresAt: true },
      });
      await ingestRest;

      await waitUntil(async () => (await countIn("forwarded")) >= ORDERS, {
        timeoutMs: scaledTimeout(ORDERS, 90_000),
        intervalMs: 100,
        describe: describeRun,
      });
      const leasedAtEnd = await prisma.order.count({
        where: { OR: [{ leaseOwner: { not: null } }, { leaseExpiresAt: { not: null } }] },
      });
      await Promise.all(
        workers.filter((worker) => worker !== victim).map((worker) => stopProcess(worker, "SIGTERM")),
      );

      const tally = tallySimulator(
        sim,
        orders.map((order) => String(order.id)),
      );
      const rows = await prisma.order.findMany({
        where: { shop: SHOP },
        select: { name: true, attempts: { select: { number: true, kind: true, outcome: true } } },
      });
      const heldOrders = await prisma.order.findMany({
        where: { id: { in: held.map((order) => order.id) } },
        include: { attempts: { orderBy: { number: "asc" } }, transitions: { orderBy: { at: "asc" } } },
      });
      const creates = await prisma.forwardAttempt.groupBy({
        by: ["workerId"],
        where: { shop: SHOP, kind: "create" },
        _count: { _all: true },
      });
      const perWorker = Object.fromEntries(creates.map((row) => [row.workerId ?? "?", row._count._all]));

      // What became of each order the dead worker held.
      const byId = new Map(heldOrders.map((order) => [order.id, order]));
      const broken: string[] = [];
      for (const at of held) {
        const order = byId.get(at.id)!;
        const leaseEnd = at.leaseExpiresAt?.getTime() ?? killedAt.getTime();
        const attemptsAfter = order.attempts.filter((attempt) => attempt.number > at.attemptCount);
        const movesAfter = order.transitions.filter((step) => step.at.getTime() >= killedAt.getTime());
        if (order.state !== "forwarded") broken.push(`${at.name}: ended ${order.state}`);
        if (attemptsAfter.length === 0) broken.push(`${at.name}: no call to Brilliant after the kill`);
        for (const attempt of attemptsAfter) {
          if (!survivors.includes(attempt.workerId as (typeof survivors)[number]))
            broken.push(`${at.name}: attempt ${attempt.number} by ${attempt.workerId}`);
          if (attempt.startedAt.getTime() < leaseEnd)
            broken.push(`${at.name}: attempt ${attempt.number} before the dead worker's lease ran out`);
        }
        for (const step of movesAfter) {
          if (step.at.getTime() < leaseEnd)
            broken.push(`${at.name}: ${step.fromState} → ${step.toState} before the lease ran out`);
        }
        if (at.state === "sending") {
          // Whatever the dead worker did at Brilliant, it recorded nothing: the next call is a lookup.
          if (!movesAfter.some((step) => step.fromState === "sending" && step.toState === "unknown"))
            broken.push(`${at.name}: never went sending → unknown`);
          if (attemptsAfter[0]?.kind !== "lookup")
            broken.push(`${at.name}: after the kill the first call was ${attemptsAfter[0]?.kind}`);
        }
      }

      console.log(
        `three-workers-kill: ${runLabel()} sent=${ORDERS} accepted=${tally.accepted} duplicates=${tally.duplicates}` +
          ` lost=${tally.lost} killed=${victimName}@${forwardedAtKill}fwd held_at_kill=${held.length}` +
          ` (sending=${held.filter((order) => order.state === "sending").length})` +
          ` creates_by_worker=${JSON.stringify(perWorker)} left_leased=${leasedAtEnd} seed=${SEED} took=${seconds(started)}`,
      );

      expect(victim.alive()).toBe(false);
      expect(await stateCounts()).toEqual({ forwarded: ORDERS });
      expect(tally).toMatchObject({ accepted: ORDERS, distinct: ORDERS, duplicates: 0, lost: 0 });
      expect(createsWithoutLookup(rows)).toEqual([]);
      // The kill took work with it, and the survivors did all of it, in time.
      expect(held.length).toBeGreaterThan(0);
      expect(broken).toEqual([]);
      expect(leasedAtEnd).toBe(0);
    },
    scaledTimeout(ORDERS, 120_000, 180_000),
  );
});
