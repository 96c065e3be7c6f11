import { logger as rootLogger, type Logger } from "../logger.server";
import { listUninstalledShops } from "../models/shop.server";
import { refreshStuckOrderAlerts } from "../orders/stuck-orders.server";
import { applyQueuedProductUpdates } from "../catalog/product-update-queue.server";
import {
  advanceBulkJobs,
  pollDueStatuses,
  reconcileDueShops,
  renewDueOfflineTokens,
  RETENTION_INTERVAL_MS,
  retentionChore,
  syncDueCatalogs,
  syncDueShopifyVariants,
} from "./chores.server";
import { handBackOrders } from "../ops/worker-stop.server";
import type { ClaimedOrder, Forwarder } from "../orders/forwarder.server";
import { WORKER_HEARTBEAT_INTERVAL_MS } from "../ops/settings.server";
import { WorkerHeartbeat } from "../ops/worker-heartbeat.server";

export interface WorkerLoopOptions {
  forwarder: Forwarder;
  pollMs: number;
  /** Orders in flight at once in this process. */
  concurrency: number;
  /** Orders of one shop in flight at once in this process. */
  perShopConcurrency: number;
  /** How often each shop's Brilliant catalog is read again; 0 turns it off. */
  catalogSyncIntervalMs?: number;
  /** How often forwarded, unshipped orders are read from Brilliant again; 0 turns it off. */
  statusPollIntervalMs?: number;
  /** How often each shop's Shopify variants are read in full; 0 turns it off. */
  shopifySyncIntervalMs?: number;
  /** How often each shop's paid orders are reconciled (and "Reconcile now" is looked for); 0 turns it off. */
  reconcileIntervalMs?: number;
  /** How often offline tokens are migrated or renewed ahead of expiry; 0 turns it off. */
  tokenSweepIntervalMs?: number;
  /** How often orders retrying or being checked for hours are looked for (an alert); 0 turns it off. */
  stuckOrderIntervalMs?: number;
  /** How often the merchant's bulk actions over a whole filter are advanced; 2 s unless given, 0 turns it off. */
  bulkJobIntervalMs?: number;
  /** How often this worker's heartbeat row is written (docs/operations.md); 15 s unless given, 0 turns it off. */
  heartbeatIntervalMs?: number;
  /** Days after which settled orders lose their customer's personal data (retention); 0 or unset turns it off. */
  retentionDays?: number;
  signal: AbortSignal;
  /**
   * Once `signal` aborts, how long the orders in flight may take to settle;
   * those still running then are handed back (app/ops/worker-stop.server.ts).
   * Unset: they are waited for however long they take.
   */
  stopGraceMs?: number;
  /** Called in turn once the loop has stopped and no order is left in its hands. */
  onStop?: ReadonlyArray<() => unknown>;
  logger?: Logger;
}

/**
 * Keeps up to `concurrency` orders in flight, claiming more as slots free up,
 * so one slow Brilliant call never holds up the rest. Shops that Brilliant
 * throttled, shops at their own limit and uninstalled shops are not claimed.
 * Resolves once `signal` aborts and the orders in flight have settled (or,
 * past `stopGraceMs`, been handed back), and the `onStop` callbacks ran.
 */
export async function runWorkerLoop(options: WorkerLoopOptions): Promise<void> {
  const { forwarder, signal } = options;
  const log = options.logger ?? rootLogger;
  const inFlight = new Map<string, Promise<void>>();
  const inHand = new Map<string, ClaimedOrder>();
  // What runs once the loop has stopped and its orders are settled or handed back.
  const onStop = [...(options.onStop ?? [])];
  let askedToStopAt = Date.now();
  signal.addEventListener("abort", () => (askedToStopAt = Date.now()), { once: true });
  const perShop = new Map<string, number>();
  const throttledUntil = new Map<string, number>();
  // Claimed in a batch while their shop already had its share in flight: kept
  // (leased) for a few seconds rather than let go and claimed again, and let go
  // well before the lease could run out on an order nobody works on.
  const waiting: Array<{ order: ClaimedOrder; since: number }> = [];
  const maxWaitMs = Math.min(5_000, forwarder.settings.leaseMs / 3);
  // A claim costs about the same whether it takes one order or many (a write
  // transaction and one index walk per due state), so while orders are in
  // flight more are claimed only once a quarter of the slots are free: at 32
  // slots that is one claim per ~8 orders instead of one per order settled.
  const claimWhenFree = Math.max(1, Math.floor(options.concurrency / 4));
  let lastRecovery = 0;
  let uninstalled: string[] = [];
  let lastShopRefresh = 0;
  const heartbeat = new WorkerHeartbeat(forwarder.settings.workerId);
  // Background chores beside the sends, each at most one at a time.
  const chores = [
    {
      // First, so a worker says it is alive before its other chores begin.
      intervalMs: options.heartbeatIntervalMs ?? WORKER_HEARTBEAT_INTERVAL_MS,
      run: () => heartbeat.beat(),
      running: null as Promise<unknown> | null,
      last: 0,
    },
    {
      intervalMs: options.catalogSyncIntervalMs ?? 0,
      run: (ms: number) => syncDueCatalogs(forwarder, ms, log),
      running: null as Promise<unknown> | null,
      last: 0,
    },
    {
      intervalMs: options.statusPollIntervalMs ?? 0,
      run: (ms: number) => pollDueStatuses(forwarder, ms, log),
      running: null as Promise<unknown> | null,
      last: 0,
    },
    {
      intervalMs: options.shopifySyncIntervalMs ?? 0,
      run: (ms: number) => syncDueShopifyVariants(ms, log),
      running: null as Promise<unknown> | null,
      last: 0,
    },
    {
      intervalMs: options.reconcileIntervalMs ?? 0,
      run: (ms: number) => reconcileDueShops(ms, log),
      running: null as Promise<unknown> | null,
      last: 0,
    },
    {
      intervalMs: options.stuckOrderIntervalMs ?? 0,
      run: () => refreshStuckOrderAlerts(),
      running: null as Promise<unknown> | null,
      last: 0,
    },
    {
      intervalMs: options.tokenSweepIntervalMs ?? 0,
      run: () => renewDueOfflineTokens(log),
      running: null as Promise<unknown> | null,
      last: 0,
    },
    {
      // On unless 0: the merchant who started a job watches its progress on the orders page.
      intervalMs: options.bulkJobIntervalMs ?? 2_000,
      run: () => advanceBulkJobs(forwarder.settings.workerId, log),
      running: null as Promise<unknown> | null,
      last: 0,
    },
    {
      // Every poll: the product webhooks the web process queued instead of
      // applying them; one index seek when none waits.
      intervalMs: options.pollMs,
      run: () => applyQueuedProductUpdates({ log }),
      running: null as Promise<unknown> | null,
      last: 0,
    },
    {
      // Checked with the others; the chore runs once a day and stops between batches once asked to stop.
      intervalMs: (options.retentionDays ?? 0) > 0 ? RETENTION_INTERVAL_MS : 0,
      run: retentionChore(options.retentionDays ?? 0, signal, log),
      running: null as Promise<unknown> | null,
      last: 0,
    },
  ];

  const excluded = () => {
    const now = Date.now();
    const shops = new Set(uninstalled);
    for (const [shop, until] of throttledUntil) {
      if (until > now) shops.add(shop);
      else throttledUntil.delete(shop);
    }
    for (const [shop, count] of perShop) if (count >= options.perShopConcurrency) shops.add(shop);
    return [...shops];
  };

  const start = (order: ClaimedOrder) => {
    perShop.set(order.shop, (perShop.get(order.shop) ?? 0) + 1);
    inHand.set(order.id, order);
    const task = forwarder
      .process(order)
      .then((result) => {
        if (result.throttledUntil) throttledUntil.set(order.shop, result.throttledUntil.getTime());
      })
      .finally(() => {
        inFlight.delete(order.id);
        inHand.delete(order.id);
        const left = (perShop.get(order.shop) ?? 1) - 1;
        if (left <= 0) perShop.delete(order.shop);
        else perShop.set(order.shop, left);
      });
    inFlight.set(order.id, task);
  };

  while (!signal.aborted) {
    try {
      await forwarder.takeReceivedOrders();
      const now = Date.now();
      if (now - lastRecovery >= Math.min(options.pollMs * 4, 5_000)) {
        lastRecovery = now;
        await forwarder.recoverAbandonedSends();
      }
      if (now - lastShopRefresh >= 10_000) {
        lastShopRefresh = now;
        uninstalled = await listUninstalledShops();
      }
      for (const chore of chores) {
        if (chore.intervalMs <= 0 || chore.running || now - chore.last < Math.min(chore.intervalMs, 30_000))
          continue;
        chore.last = now;
        chore.running = chore
          .run(chore.intervalMs)
          .catch((error) => log.error({ err: error }, "background chore failed"))
          .finally(() => (chore.running = null));
      }
      // Orders claimed while their shop was at its limit start as its slots free up.
      for (let index = 0; index < waiting.length && inFlight.size < options.concurrency;) {
        const { order, since } = waiting[index]!;
        if (Date.now() - since > maxWaitMs) {
          waiting.splice(index, 1);
          await forwarder.release(order);
        } else if ((perShop.get(order.shop) ?? 0) < options.perShopConcurrency) {
          waiting.splice(index, 1);
          start(order);
        } else index += 1;
      }
      const free = options.concurrency - inFlight.size - waiting.length;
      const idle = inFlight.size + waiting.length === 0;
      const busy = [...inFlight.keys(), ...waiting.map(({ order }) => order.id)];
      const leftOut = excluded();
      let claimed: ClaimedOrder[] = [];
      if (free > 0 && (idle || free >= claimWhenFree)) {
        claimed = await forwarder.claimDue(free, leftOut, busy);
      }
      for (const order of claimed) {
        // Claimed while the worker was asked to stop: let go below, never started.
        if (signal.aborted || (perShop.get(order.shop) ?? 0) >= options.perShopConcurrency) {
          waiting.push({ order, since: Date.now() });
        } else start(order);
      }
      if (claimed.length === 0 || options.concurrency - inFlight.size - waiting.length < claimWhenFree) {
        // An order settling ends the nap early; the nap's timer and abort
        // listener go with it, so none pile up while orders stream through.
        const nap = new AbortController();
        const stopNap = () => nap.abort();
        signal.addEventListener("abort", stopNap, { once: true });
        // Stopped while this iteration ran: the event has passed, so no nap at all.
        if (signal.aborted) nap.abort();
        try {
          await Promise.race([
            sleep(options.pollMs, nap.signal),
            ...inFlight.values(),
            // Idle on SQLite: up at once when another process commits (a webhook's order).
            ...(inFlight.size + waiting.length === 0 ? [untilOthersCommit(forwarder, nap.signal, log)] : []),
          ]);
        } finally {
          nap.abort();
          signal.removeEventListener("abort", stopNap);
        }
      }
    } catch (error) {
      log.error({ err: error }, "worker loop iteration failed; retrying");
      await sleep(options.pollMs, signal);
    }
  }
  await Promise.allSettled(waiting.map(({ order }) => forwarder.release(order)));
  const settled = Promise.allSettled([...inFlight.values(), ...chores.map((chore) => chore.running)]);
  if (options.stopGraceMs === undefined) await settled;
  else if (!(await settledWithin(settled, askedToStopAt + options.stopGraceMs - Date.now()))) {
    await handBackOrders(forwarder, [...inHand.values()], log).catch((error: unknown) =>
      log.error({ err: error }, "could not hand back the orders in hand; their leases run out instead"),
    );
  }
  for (const callback of onStop) {
    await Promise.resolve()
      .then(callback)
      .catch((error: unknown) => log.error({ err: error }, "a stop callback failed"));
  }
}

/** Whether `work` settled within `ms`. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>(
    (resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))),
  );
  try {
    return await Promise.race([work.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How often an idle worker looks whether another process committed (SQLite). */
const COMMIT_CHECK_MS = 20;

/**
 * Resolves once another process commits to the SQLite database, looked at
 * every COMMIT_CHECK_MS (a read of a counter SQLite keeps in shared memory,
 * microseconds). Never on PostgreSQL, where the poll alone wakes the worker,
 * nor after a failed read: the poll takes over, and the loop's iteration is
 * not failed by its wake-up.
 */
async function untilOthersCommit(forwarder: Forwarder, signal: AbortSignal, log: Logger): Promise<void> {
  const never = new Promise<void>(() => undefined);
  try {
    const start = await forwarder.othersCommits();
    if (start === null) return never;
    while (!signal.aborted) {
      await sleep(COMMIT_CHECK_MS, signal);
      if (!signal.aborted && (await forwarder.othersCommits()) !== start) return;
    }
  } catch (error) {
    log.warn({ err: error }, "could not read whether another process committed; polling instead");
    return never;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
