/**
 * The forwarding worker: `npm run worker`. Runs beside the web server, sharing
 * its modules (db, env, logger, models); start as many as the database allows.
 */
import "./service-name";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { env } from "../env.server";
import { warmUpDatabase } from "../db/warm-up.server";
import { logger } from "../logger.server";
import { Forwarder } from "../orders/forwarder.server";
import { closeDatabase } from "../ops/close-database.server";
import { serveWorkerMetrics } from "../ops/endpoints.server";
import { runWorkerLoop } from "./run.server";
import { markWorkerStopped } from "../ops/worker-heartbeat.server";

const settings = env();
const workerId = process.env.WORKER_ID ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
const log = logger.child({ worker: workerId });

const forwarder = new Forwarder({
  workerId,
  leaseMs: settings.WORKER_LEASE_MS,
  retryBaseMs: settings.RETRY_BASE_MS,
  retryMaxMs: settings.RETRY_MAX_MS,
  brilliantBaseUrl: settings.BRILLIANT_API_BASE_URL,
  brilliantTimeoutMs: settings.BRILLIANT_TIMEOUT_MS,
  appUrl: settings.SHOPIFY_APP_URL,
});

// Of the grace, the last second at most is kept for handing back the orders
// still in hand and closing the database.
const graceMs = settings.SHUTDOWN_GRACE_MS;
const handBackMs = Math.min(1_000, Math.floor(graceMs / 4));
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log.info(
      { signal, graceMs },
      "worker stopping: no new orders; the orders in flight finish or are handed back",
    );
    controller.abort();
    // Past the grace nothing is awaited any more: what is still leased then
    // is recovered as after a crash (looked up before any resend).
    setTimeout(() => {
      log.error({ graceMs }, "worker did not stop within its grace; exiting");
      process.exit(1);
    }, graceMs).unref();
  });
}

// Ready before it says so: the database open and the modules its chores load
// (the Shopify API client) imported, so that its first seconds beside a
// webhook burst are not spent compiling them.
await Promise.all([warmUpDatabase(), import("../shopify.server")]).catch((error: unknown) =>
  log.warn({ err: error }, "warm-up failed; starting anyway"),
);
await serveWorkerMetrics(undefined, log);
log.info({ concurrency: settings.WORKER_CONCURRENCY }, "worker started");
await runWorkerLoop({
  forwarder,
  pollMs: settings.WORKER_POLL_MS,
  concurrency: settings.WORKER_CONCURRENCY,
  perShopConcurrency: settings.WORKER_PER_SHOP_CONCURRENCY,
  catalogSyncIntervalMs: settings.CATALOG_SYNC_INTERVAL_MS,
  statusPollIntervalMs: settings.STATUS_POLL_INTERVAL_MS,
  shopifySyncIntervalMs: settings.SHOPIFY_SYNC_INTERVAL_MS,
  reconcileIntervalMs: settings.RECONCILE_INTERVAL_MS,
  tokenSweepIntervalMs: settings.TOKEN_SWEEP_INTERVAL_MS,
  stuckOrderIntervalMs: 60_000,
  retentionDays: settings.RETENTION_DAYS,
  signal: controller.signal,
  stopGraceMs: graceMs - handBackMs,
  // Gone, not lost: /readyz and Home tell a stopped worker from a silent one.
  onStop: [() => markWorkerStopped(workerId)],
});
await closeDatabase().catch((error: unknown) => log.warn({ err: error }, "closing the database failed"));
log.info("worker stopped");
process.exit(0);
