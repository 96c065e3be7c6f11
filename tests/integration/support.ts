// Shared by the end-to-end tests of the forwarding spine (tests/integration/*.test.ts).
import { afterAll, beforeAll } from "vitest";

import prisma from "../../app/db.server";
import type { Forwarder } from "../../app/orders/forwarder.server";
import { runWorkerLoop } from "../../app/worker/run.server";
import { NOTABLE_VARIANT_IDS } from "../../simulator/catalog";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../simulator/server";
import { resetDatabase } from "../helpers/db";
import { mapVariants, seedShopForForwarding } from "../helpers/forwarding";

/**
 * Runs `task` over `items` with at most `limit` in flight; results keep the
 * items' order. Each task starts in a macrotask of its own, as a request from
 * the network would: with SQLite's synchronous driver a lane that only chained
 * promises would keep the event loop from reading sockets and firing timers,
 * so everything else in the process (workers, the simulator) would stall.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await new Promise((resolve) => setImmediate(resolve));
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true; throws with `describe()` once `timeoutMs` has passed. */
export async function waitUntil(
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; describe?: () => Promise<string> },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const detail = opts.describe ? await opts.describe() : "";
      throw new Error(`gave up waiting after ${opts.timeoutMs} ms ${detail}`);
    }
    await sleep(opts.intervalMs ?? 50);
  }
}

/**
 * The real worker loop (app/worker/run.server.ts) for each forwarder, in this
 * process, until `stop()`: the same claiming, slots and recovery as `npm run
 * worker`, without a process around it.
 */
export function startWorkerLoops(
  forwarders: Forwarder[],
  opts: { concurrency: number; pollMs?: number },
): { stop: () => Promise<void> } {
  const controller = new AbortController();
  const loops = forwarders.map((forwarder) =>
    runWorkerLoop({
      forwarder,
      pollMs: opts.pollMs ?? 50,
      concurrency: opts.concurrency,
      // One shop in these tests: let it use every slot.
      perShopConcurrency: opts.concurrency,
      signal: controller.signal,
    }),
  );
  return {
    stop: async () => {
      controller.abort();
      await Promise.all(loops);
    },
  };
}

/** How many orders of each state the database holds. */
export async function stateCounts(): Promise<Record<string, number>> {
  const groups = await prisma.order.groupBy({ by: ["state"], _count: { _all: true } });
  return Object.fromEntries(groups.map((group) => [group.state, group._count._all]));
}

/** States, the ledger by kind and outcome, and why a few open orders are where they are: for failure messages. */
export async function describeProgress(): Promise<string> {
  const ledger = await prisma.forwardAttempt.groupBy({
    by: ["kind", "outcome"],
    _count: { _all: true },
    _max: { durationMs: true },
  });
  const open = await prisma.order.findMany({
    where: { state: { notIn: ["forwarded", "held", "skipped", "cancelled"] } },
    select: { name: true, state: true, stateReason: true },
    take: 3,
  });
  return JSON.stringify({
    states: await stateCounts(),
    ledger: ledger.map(
      (row) => `${row.kind}:${row.outcome}=${row._count._all} (max ${row._max.durationMs} ms)`,
    ),
    open,
  });
}

export interface SimulatorTally {
  /** Orders the simulator inserted (including created-then-error ones). */
  accepted: number;
  /** Distinct custom_data.shopify_order_id among them. */
  distinct: number;
  /** Inserted orders beyond the first for the same Shopify order. */
  duplicates: number;
  /** Shopify orders sent that the simulator does not hold. */
  lost: number;
  /** Shopify order id → Brilliant order ids inserted for it. */
  byShopifyOrder: Map<string, number[]>;
}

/** What the simulator holds, against the Shopify order ids the test sent. */
export function tallySimulator(
  sim: RunningSimulator,
  sentShopifyOrderIds: readonly string[],
): SimulatorTally {
  const byShopifyOrder = new Map<string, number[]>();
  const accepted = sim.acceptedOrders();
  for (const record of accepted) {
    const id = String(record.order.custom_data?.["shopify_order_id"]);
    byShopifyOrder.set(id, [...(byShopifyOrder.get(id) ?? []), record.order.id]);
  }
  const lost = sentShopifyOrderIds.filter((id) => !byShopifyOrder.has(id)).length;
  return {
    accepted: accepted.length,
    distinct: byShopifyOrder.size,
    duplicates: accepted.length - byShopifyOrder.size,
    lost,
    byShopifyOrder,
  };
}

export function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)}s`;
}

/**
 * The never-resend-on-a-guess rule, read from the ledger: after a create whose
 * outcome was `unknown`, the next create may only follow a lookup that found
 * the order certainly absent (`not_found`). Returns the orders that broke it.
 */
export function createsWithoutLookup(
  orders: Array<{ name: string; attempts: Array<{ number: number; kind: string; outcome: string }> }>,
): string[] {
  const broken: string[] = [];
  for (const order of orders) {
    let mustLookUp = false;
    for (const attempt of [...order.attempts].sort((a, b) => a.number - b.number)) {
      if (attempt.kind === "create") {
        if (mustLookUp) {
          broken.push(`${order.name}: create #${attempt.number} without a not_found lookup`);
          break;
        }
        if (attempt.outcome === "unknown") mustLookUp = true;
      } else if (attempt.kind === "lookup" && attempt.outcome === "not_found") {
        mustLookUp = false;
      }
    }
  }
  return broken;
}

/**
 * The start of a run: the simulator, an empty database, and `shop` with
 * Brilliant credentials and its test variants mapped to the untracked-stock
 * variant (stock never runs out).
 */
export async function prepareForwardingRun(
  shop: string,
  simulatorOptions: SimulatorOptions = {},
): Promise<RunningSimulator> {
  const sim = await startSimulator(simulatorOptions);
  await resetDatabase(prisma);
  await seedShopForForwarding(shop);
  await mapVariants(shop, [NOTABLE_VARIANT_IDS.untracked]);
  return sim;
}

/**
 * Hooks for a file's run in this process: prepareForwardingRun before all;
 * after all, the worker loops `run.stopWorkers` still holds (a test that
 * failed before stopping them) stopped, and the simulator closed.
 *
 *   const run = withForwardingRun(SHOP);
 *   run.stopWorkers = startWorkerLoops([makeForwarder(run.sim.url)], { concurrency: 4 }).stop;
 */
export function withForwardingRun(shop: string, simulatorOptions: SimulatorOptions = {}) {
  const run: { sim: RunningSimulator; stopWorkers: (() => Promise<void>) | null } = {
    sim: undefined as unknown as RunningSimulator,
    stopWorkers: null,
  };
  beforeAll(async () => {
    run.sim = await prepareForwardingRun(shop, simulatorOptions);
  });
  afterAll(async () => {
    await run.stopWorkers?.();
    await run.sim?.close();
  });
  return run;
}
