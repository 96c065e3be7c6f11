/**
 * A worker that dies mid-send, end to end: the real worker process
 * (`node --import tsx app/worker/main.ts`, as `npm run worker` runs it) is
 * killed with SIGKILL while sends to Brilliant are in flight, three times.
 *
 * GIVEN 500 paid orders and a simulator that takes a little while to answer
 *   (so sends are in flight; it still inserts an order whose sender died),
 * WHEN a worker is SIGKILLed once some but not all orders are forwarded, with
 *   some of them `sending`, and a new worker process starts (three times over),
 * THEN every order ends `forwarded` (nothing lost) and the simulator holds
 *   each exactly once (nothing twice),
 * AND every order the killed worker left `sending` went `sending → unknown`
 *   (its lease ran out) and was looked up at Brilliant before anything else
 *   was sent for it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma, { createPrismaClient } from "../../app/db.server";
import { repoRoot } from "../../scripts/db/paths";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { startSimulator, type RunningSimulator } from "../../simulator/server";
import { resetDatabase } from "../helpers/db";
import { ingest, mapVariants, seedShopForForwarding, testOrder } from "../helpers/forwarding";
import { seconds, stateCounts, tallySimulator, waitUntil } from "./support";

const SHOP = "worker-crash.myshopify.com";
const ORDERS = 500;
/** Kill a worker once this many orders are forwarded (and some are `sending`). */
const KILL_AT_FORWARDED = [100, 250, 400];
const SIMULATOR_LATENCY_MS = 30;
const LEASE_MS = 2_000;

let sim: RunningSimulator;
const running = new Set<WorkerProcess>();

interface WorkerProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<unknown>;
  /** The tail of its stdout and stderr, for a failure message. */
  output: () => string;
}

function startWorker(name: string): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "app/worker/main.ts"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      DATABASE_URL: process.env.DATABASE_URL,
      SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY,
      SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET,
      SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL,
      CREDENTIALS_ENCRYPTION_KEY: process.env.CREDENTIALS_ENCRYPTION_KEY,
      BRILLIANT_API_BASE_URL: sim.url,
      BRILLIANT_TIMEOUT_MS: "1000",
      WORKER_ID: name,
      WORKER_LEASE_MS: String(LEASE_MS),
      WORKER_POLL_MS: "50",
      WORKER_CONCURRENCY: "8",
      WORKER_PER_SHOP_CONCURRENCY: "8",
      RETRY_BASE_MS: "50",
      RETRY_MAX_MS: "200",
      LOG_LEVEL: "warn",
    },
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const worker: WorkerProcess = {
    name,
    child,
    exited: child.exitCode !== null ? Promise.resolve() : once(child, "exit"),
    output: () =>
      `${name} (pid ${child.pid ?? "?"}${
        child.exitCode !== null || child.signalCode !== null
          ? `, exited: ${child.exitCode ?? child.signalCode}`
          : ", running"
      }) said: ${output || "(nothing)"}`,
  };
  running.add(worker);
  void worker.exited.then(() => running.delete(worker));
  return worker;
}

async function stopWorker(worker: WorkerProcess, signal: NodeJS.Signals): Promise<void> {
  const alive = () => worker.child.exitCode === null && worker.child.signalCode === null;
  if (alive()) worker.child.kill(signal);
  // A graceful stop waits for the orders in flight; don't wait forever.
  const timer = setTimeout(() => alive() && worker.child.kill("SIGKILL"), 15_000);
  await worker.exited;
  clearTimeout(timer);
}

/**
 * The workers open DATABASE_URL afresh; the shared client of this process must
 * be writing there too. It is not when a runner reuses one process for several
 * files (vitest singleFork): tests/setup/test-env.ts then replaces the SQLite
 * file under a client that keeps the old one open, and the workers would wait
 * for orders they can never see.
 */
async function expectWorkersSeeTheseOrders(): Promise<void> {
  const fresh = createPrismaClient(process.env.DATABASE_URL);
  try {
    const seen = await fresh.order.count({ where: { shop: SHOP } });
    expect(seen, "a fresh connection to DATABASE_URL does not see this process's orders").toBe(ORDERS);
  } finally {
    await fresh.$disconnect();
  }
}

const countIn = (state: string) => prisma.order.count({ where: { shop: SHOP, state } });

beforeAll(async () => {
  sim = await startSimulator({ latencyMs: SIMULATOR_LATENCY_MS });
  await resetDatabase(prisma);
  await seedShopForForwarding(SHOP);
  await mapVariants(SHOP, [V.untracked]);
});

afterAll(async () => {
  // Whatever happened above, no worker process outlives the test.
  await Promise.all([...running].map((worker) => stopWorker(worker, "SIGKILL")));
  await sim?.close();
});

describe("a worker killed mid-send", () => {
  it("GIVEN workers SIGKILLed while sending THEN nothing is lost, nothing is sent twice, and abandoned sends are looked up first", async () => {
    const started = Date.now();
    const orders = Array.from({ length: ORDERS }, (_, i) =>
      testOrder(i + 1, [{ variant: V.untracked, quantity: 1 }]),
    );
    for (const order of orders) await ingest(SHOP, order);
    await expectWorkersSeeTheseOrders();

    /** Per order left `sending` by a killed worker: its ledger length at that moment, per kill. */
    const abandoned: Array<{ orderId: string; attemptsBefore: number; kill: number }> = [];
    const killedAt: string[] = [];
    let worker = startWorker("crash-worker-1");
    for (const [index, target] of KILL_AT_FORWARDED.entries()) {
      await waitUntil(async () => (await countIn("forwarded")) >= target && (await countIn("sending")) > 0, {
        timeoutMs: 60_000,
        intervalMs: 20,
        describe: async () =>
          `for kill ${index + 1}: ${JSON.stringify(await stateCounts())}\n${worker.output()}`,
      });
      await stopWorker(worker, "SIGKILL");
      killedAt.push(seconds(started));
      // Nothing moves these now: the worker that held them is gone and the next is not started.
      const left = await prisma.order.findMany({
        where: { shop: SHOP, state: "sending" },
        select: { id: true, attemptCount: true },
      });
      for (const order of left) {
        abandoned.push({ orderId: order.id, attemptsBefore: order.attemptCount, kill: index + 1 });
      }
      worker = startWorker(`crash-worker-${index + 2}`);
    }

    await waitUntil(async () => (await countIn("forwarded")) >= ORDERS, {
      timeoutMs: 60_000,
      intervalMs: 100,
      describe: async () => `${JSON.stringify(await stateCounts())}\n${worker.output()}`,
    });
    await stopWorker(worker, "SIGTERM");

    const tally = tallySimulator(
      sim,
      orders.map((order) => String(order.id)),
    );
    const abandonedIds = [...new Set(abandoned.map((entry) => entry.orderId))];
    const abandonedOrders = await prisma.order.findMany({
      where: { id: { in: abandonedIds } },
      include: { attempts: { orderBy: { number: "asc" } }, transitions: { orderBy: { at: "asc" } } },
    });
    const foundByLookup = abandonedOrders.filter((order) =>
      order.attempts.some((attempt) => attempt.kind === "lookup" && attempt.outcome === "found"),
    ).length;
    console.log(
      `worker-crash: sent=${ORDERS} accepted=${tally.accepted} duplicates=${tally.duplicates} lost=${tally.lost}` +
        ` kills=${KILL_AT_FORWARDED.length} left_sending=${abandoned.length} found_by_lookup=${foundByLookup}` +
        ` resent_after_lookup=${abandonedOrders.length - foundByLookup} killed_at=${killedAt.join(",")}` +
        ` took=${seconds(started)}`,
    );

    expect(await stateCounts()).toEqual({ forwarded: ORDERS });
    expect(tally).toMatchObject({ accepted: ORDERS, distinct: ORDERS, duplicates: 0, lost: 0 });
    // The kills did land mid-send.
    expect(abandoned.length).toBeGreaterThan(0);

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
  }, 300_000);
});

// Also if the test process itself is torn down early.
process.once("exit", () => {
  for (const worker of running) worker.child.kill("SIGKILL");
});
