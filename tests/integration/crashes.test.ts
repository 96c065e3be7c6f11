/**
 * Crashes, end to end: the web server and the worker are real processes, and
 * each is SIGKILLed at random moments while orders flow through them.
 *
 * - The web process is the production build behind `remix-serve`. "Shopify"
 *   (this test) delivers every order as a signed orders/paid webhook over
 *   HTTP and, as Shopify does, delivers again (same webhook id) every webhook
 *   the app did not acknowledge with a 2xx: refused connections, resets, and
 *   answers lost with the killed process.
 * - The worker is `node --import tsx app/worker/main.ts`, as `npm run worker`
 *   runs it; the simulator takes a little while to answer, so sends are in
 *   flight when it dies (the simulator still inserts an order whose sender
 *   died).
 *
 * GIVEN N paid orders (500 in CI, 5,000 under `npm run soak`) delivered to the
 *   web process while a worker forwards them,
 * WHEN K times (4 in CI, 10 under soak), at moments drawn from a seeded random
 *   sequence, the web process or the worker is SIGKILLed and started again,
 * THEN every order is recorded once and ends `forwarded` (nothing lost), the
 *   simulator holds each exactly once (nothing twice),
 * AND every order a killed worker left `sending` went `sending → unknown`
 *   (its lease ran out) and was looked up at Brilliant before anything else
 *   was sent for it.
 *
 * TRUST_SEED picks another sequence of kill moments; the line of counts
 * prints the seed used.
 */
import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { freePort } from "../../scripts/lib/processes";
import { signedWebhookHeaders } from "../../shopify-stand-in/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { seededRandom } from "../../simulator/faults";
import type { RunningSimulator } from "../../simulator/server";
import { testOrder } from "../helpers/forwarding";
import { TEST_API_SECRET } from "../setup/app-env";
import {
  appServerBuild,
  startWebProcess,
  startWorkerProcess,
  stopAllProcesses,
  stopProcess,
  type RealProcess,
} from "./processes";
import { runLabel, scaledTimeout, trustSizes } from "./scale";
import {
  mapWithConcurrency,
  prepareForwardingRun,
  seconds,
  sleep,
  stateCounts,
  tallySimulator,
  waitUntil,
} from "./support";

const SHOP = "crashes.myshopify.com";
const { orders: ORDERS, kills: KILLS } = trustSizes().crashes;
const SEED = Number(process.env.TRUST_SEED ?? 20_261_125);
const SIMULATOR_LATENCY_MS = 30;
const LEASE_MS = 2_000;
const WEBHOOKS_IN_FLIGHT = 4;
/** Shopify waits before delivering again; far shorter here, so the run stays short. */
const REDELIVERY_DELAY_MS = 150;
const TEST_TIMEOUT_MS = scaledTimeout(ORDERS, 240_000, 240_000);

let sim: RunningSimulator;

interface KillPlan {
  target: "web" | "worker";
  /** Kill once this share of the orders is acknowledged (web) or forwarded (worker). */
  atShare: number;
  /** And then this much later. */
  extraDelayMs: number;
}

/** K kills, alternately of the web process and the worker, at random shares of the run. */
function planKills(random: () => number, kills: number): KillPlan[] {
  return Array.from({ length: kills }, (_, i) => ({
    target: i % 2 === 0 ? ("web" as const) : ("worker" as const),
    atShare: 0.05 + random() * 0.85,
    extraDelayMs: Math.floor(random() * 200),
  })).sort((a, b) => a.atShare - b.atShare);
}

const countIn = (state: string) => prisma.order.count({ where: { shop: SHOP, state } });

beforeAll(async () => {
  sim = await prepareForwardingRun(SHOP, { latencyMs: SIMULATOR_LATENCY_MS });
});

afterAll(async () => {
  // Whatever happened above, no process outlives the test.
  await stopAllProcesses();
  await sim?.close();
});

describe("the web process and the worker killed at random moments", () => {
  it(
    "GIVEN both processes SIGKILLed mid-run THEN every webhook is recorded once, nothing is lost, nothing is sent twice, and abandoned sends are looked up first",
    async () => {
      const random = seededRandom(SEED);
      const plan = planKills(random, KILLS);
      const orders = Array.from({ length: ORDERS }, (_, i) =>
        testOrder(i + 1, [{ variant: V.untracked, quantity: 1 }]),
      );

      const serverBuild = await appServerBuild();
      const started = Date.now();
      const port = await freePort();
      const webhookUrl = `http://127.0.0.1:${port}/webhooks/orders/paid`;
      let generation = { web: 1, worker: 1 };
      let web: RealProcess = await startWebProcess("web-1", { serverBuild, port, brilliantUrl: sim.url });
      let worker: RealProcess = startWorkerProcess("worker-1", { brilliantUrl: sim.url, leaseMs: LEASE_MS });

      // Shopify's side: every webhook until the app acknowledges it.
      let acknowledged = 0;
      let redeliveries = 0;
      let givenUp = false;
      const refused: string[] = [];
      const deliveriesDone = mapWithConcurrency(orders, WEBHOOKS_IN_FLIGHT, async (order) => {
        const webhookId = randomUUID();
        while (!givenUp) {
          const { headers, body } = signedWebhookHeaders({
            topic: "orders/paid",
            shop: SHOP,
            body: order,
            secret: TEST_API_SECRET,
            webhookId,
          });
          try {
            const response = await fetch(webhookUrl, {
              method: "POST",
              headers,
              body,
              signal: AbortSignal.timeout(10_000),
            });
            await response.arrayBuffer();
            if (response.ok) {
              acknowledged += 1;
              return;
            }
            // A 4xx is not retried by Shopify either: it would be a bug here.
            if (response.status < 500) {
              refused.push(`${order.name}: ${response.status}`);
              return;
            }
          } catch {
            // Refused, reset or timed out: the process is down or died mid-answer.
          }
          redeliveries += 1;
          await sleep(REDELIVERY_DELAY_MS);
        }
      });

      /** Per order left `sending` by a killed worker: its ledger length at that moment. */
      const abandoned: Array<{ orderId: string; attemptsBefore: number; kill: number }> = [];
      const killLog: string[] = [];
      const progressOf = async (target: KillPlan["target"]) =>
        target === "web" ? acknowledged : await countIn("forwarded");

      const chaos = async (target: KillPlan["target"]) => {
        for (const kill of plan.filter((entry) => entry.target === target)) {
          const threshold = Math.ceil(kill.atShare * ORDERS);
          await waitUntil(async () => (await progressOf(target)) >= threshold, {
            timeoutMs: scaledTimeout(ORDERS, 120_000),
            intervalMs: 20,
            describe: async () =>
              `before killing the ${target} at ${threshold}: ${JSON.stringify(await stateCounts())}` +
              ` acknowledged=${acknowledged}\n${web.output()}\n${worker.output()}`,
          });
          await sleep(kill.extraDelayMs);
          if (target === "web") {
            await stopProcess(web, "SIGKILL");
            killLog.push(`web@${acknowledged}ack/${seconds(started)}`);
            generation = { ...generation, web: generation.web + 1 };
            web = await startWebProcess(`web-${generation.web}`, {
              serverBuild,
              port,
              brilliantUrl: sim.url,
            });
          } else {
            // Try to land mid-send; a moment with nothing in flight is a kill too.
            await waitUntil(async () => (await countIn("sending")) > 0, {
              timeoutMs: 5_000,
              intervalMs: 10,
            }).catch(() => undefined);
            await stopProcess(worker, "SIGKILL");
            const killNumber = killLog.length + 1;
            killLog.push(`worker@${await countIn("forwarded")}fwd/${seconds(started)}`);
            // Nothing moves these now: the worker that held them is gone and the next is not started.
            const left = await prisma.order.findMany({
              where: { shop: SHOP, state: "sending" },
              select: { id: true, attemptCount: true },
            });
            for (const order of left) {
              // Still `sending` from an earlier kill (its lease had not run out before this
              // worker died too): the same abandoned send, which needs one recovery.
              if (abandoned.some((e) => e.orderId === order.id && e.attemptsBefore === order.attemptCount)) {
                continue;
              }
              abandoned.push({ orderId: order.id, attemptsBefore: order.attemptCount, kill: killNumber });
            }
            generation = { ...generation, worker: generation.worker + 1 };
            worker = startWorkerProcess(`worker-${generation.worker}`, {
              brilliantUrl: sim.url,
              leaseMs: LEASE_MS,
            });
          }
        }
      };
      try {
        await Promise.all([chaos("web"), chaos("worker"), deliveriesDone]);
      } finally {
        // A failed wait must not leave "Shopify" delivering to a dead port for ever.
        givenUp = true;
      }

      await waitUntil(async () => (await countIn("forwarded")) >= ORDERS, {
        timeoutMs: scaledTimeout(ORDERS, 120_000),
        intervalMs: 100,
        describe: async () => `${JSON.stringify(await stateCounts())}\n${worker.output()}`,
      });
      await stopProcess(worker, "SIGTERM");
      await stopProcess(web, "SIGTERM");

      const sentIds = orders.map((order) => String(order.id));
      const tally = tallySimulator(sim, sentIds);
      const rows = await prisma.order.findMany({
        where: { shop: SHOP },
        select: { shopifyOrderId: true, deliveries: true },
      });
      const abandonedIds = [...new Set(abandoned.map((entry) => entry.orderId))];
      const abandonedOrders = await prisma.order.findMany({
        where: { id: { in: abandonedIds } },
        include: { attempts: { orderBy: { number: "asc" } }, transitions: { orderBy: { at: "asc" } } },
      });
      const foundByLookup = abandonedOrders.filter((order) =>
        order.attempts.some((attempt) => attempt.kind === "lookup" && attempt.outcome === "found"),
      ).length;
      const webKills = plan.filter((kill) => kill.target === "web").length;
      console.log(
        `crashes: ${runLabel()} sent=${ORDERS} accepted=${tally.accepted} duplicates=${tally.duplicates}` +
          ` lost=${tally.lost} kills=${killLog.length} (web=${webKills} worker=${KILLS - webKills})` +
          ` webhook_redeliveries=${redeliveries} deliveries_recorded=${rows.reduce((sum, row) => sum + row.deliveries, 0)}` +
          ` left_sending=${abandoned.length} found_by_lookup=${foundByLookup} seed=${SEED}` +
          ` kill_log=${killLog.join(",")} took=${seconds(started)}`,
      );

      expect(refused).toEqual([]);
      expect(killLog).toHaveLength(KILLS);
      // Recorded once each, whatever was delivered again.
      expect(rows).toHaveLength(ORDERS);
      expect(new Set(rows.map((row) => row.shopifyOrderId)).size).toBe(ORDERS);
      expect(await stateCounts()).toEqual({ forwarded: ORDERS });
      expect(tally).toMatchObject({ accepted: ORDERS, distinct: ORDERS, duplicates: 0, lost: 0 });

      const byId = new Map(abandonedOrders.map((order) => [order.id, order]));
      const brokenRecoveries: string[] = [];
      for (const entry of abandoned) {
        const order = byId.get(entry.orderId)!;
        const wentUnknown = order.transitions.filter(
          (step) => step.fromState === "sending" && step.toState === "unknown",
        ).length;
        const killsOfThisOrder = abandoned.filter((other) => other.orderId === entry.orderId).length;
        // Whatever the killed worker did at Brilliant, it recorded nothing: the next call is a lookup.
        const next = order.attempts.find((attempt) => attempt.number > entry.attemptsBefore);
        if (wentUnknown < killsOfThisOrder)
          brokenRecoveries.push(`${order.name}: never went sending → unknown`);
        if (next?.kind !== "lookup") {
          brokenRecoveries.push(`${order.name}: after kill ${entry.kill} the first call was ${next?.kind}`);
        }
      }
      expect(brokenRecoveries).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
