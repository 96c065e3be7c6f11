/**
 * The forwarding worker: `npm run worker`. Runs beside the web server, sharing
 * its modules (db, env, logger, models); start as many as the database allows.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { env } from "../env.server";
import { warmUpDatabase } from "../db/warm-up.server";
import { logger } from "../logger.server";
import { Forwarder } from "../orders/forwarder.server";
import { runWorkerLoop } from "./run.server";

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

const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log.info({ signal }, "worker stopping after the orders in flight");
    controller.abort();
  });
}

// Ready before it says so: the database open and the modules its chores load
// (the Shopify API client) imported, so that its first seconds beside a
// webhook burst are not spent compiling them.
await Promise.all([warmUpDatabase(), import("../shopify.server")]).catch((error: unknown) =>
  log.warn({ err: error }, "warm-up failed; starting anyway"),
);
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
  signal: controller.signal,
});
log.info("worker stopped");
process.exit(0);
