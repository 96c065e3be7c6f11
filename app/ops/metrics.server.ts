import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

import type { BrilliantOutcome } from "../integrations/brilliant/outcome";
import type { OrderLookupResult } from "../integrations/brilliant/find-order.server";

/**
 * The process's Prometheus metrics (docs/operations.md, "Metrics"). The
 * hooks below are one line in the code they measure; what is read from the
 * database is collected on scrape (./order-gauges.server.ts).
 */
export type BrilliantCall = "get_store" | "list_orders" | "get_order" | "create_order";
export type SyncKind = "brilliant_catalog" | "shopify_products" | "shopify_stock";

/** Brilliant's documented codes (docs/brilliant-api/response-codes.md); any other is "other", so labels stay few. */
const DOCUMENTED_CODES = new Set([1200, 1404, 1500, 2501, 2502, 2503, 2504, 2505, 2506, 3501, 3502, 3503]);

function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    defaultMetricsOn: false,
    webhooks: new Counter({
      name: "brilliant_sync_webhooks_total",
      help: "Webhooks answered by the web server's webhook lane, by topic and HTTP status (200: acknowledged).",
      labelNames: ["topic", "status"] as const,
      registers,
    }),
    /** Children of `webhooks` by route path and status: the lane counts without building labels. */
    webhookChildren: new Map<string, Map<number, Counter.Internal>>(),
    brilliantCalls: new Counter({
      name: "brilliant_sync_brilliant_calls_total",
      help: "Calls to Brilliant's API, by call, outcome kind and Brilliant's code (none: no code in the answer).",
      labelNames: ["call", "kind", "code"] as const,
      registers,
    }),
    brilliantSeconds: new Histogram({
      name: "brilliant_sync_brilliant_call_duration_seconds",
      help: "How long a call to Brilliant took, answer read, by call.",
      labelNames: ["call"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers,
    }),
    retries: new Counter({
      name: "brilliant_sync_order_retries_total",
      help: "Answers to POST /store/order after which the order is sent again later, by reason.",
      labelNames: ["reason"] as const,
      registers,
    }),
    lookups: new Counter({
      name: "brilliant_sync_brilliant_lookups_total",
      help: "Lookups at Brilliant of an order whose sending had an unclear answer, by result.",
      labelNames: ["result"] as const,
      registers,
    }),
    syncs: new Counter({
      name: "brilliant_sync_syncs_total",
      help: "Catalog and Shopify product syncs that ended, by kind and result.",
      labelNames: ["kind", "result"] as const,
      registers,
    }),
  };
}

type AppMetrics = ReturnType<typeof createMetrics>;

// Registered, because server.ts (from source) and the routes (the server
// build) each have a copy of this module: both must count into one registry.
const SHARED = Symbol.for("brilliant-sync.metrics");
const holder = globalThis as unknown as Record<symbol, AppMetrics | undefined>;
const metrics: AppMetrics = (holder[SHARED] ??= createMetrics());

/** The process's registry. Default metrics (process_*, nodejs_*) start with the first endpoint that serves it. */
export function metricsRegistry({ withDefaults }: { withDefaults: boolean }): Registry {
  if (withDefaults && !metrics.defaultMetricsOn) {
    metrics.defaultMetricsOn = true;
    collectDefaultMetrics({ register: metrics.registry });
  }
  return metrics.registry;
}

/** Counts one webhook answer of the lane; `path` is its route's ("/webhooks/orders/paid"). Nothing if none was sent. */
export function countWebhookAnswer(path: string, res: { headersSent: boolean; statusCode: number }): void {
  if (!res.headersSent) return;
  let byStatus = metrics.webhookChildren.get(path);
  if (!byStatus) metrics.webhookChildren.set(path, (byStatus = new Map()));
  let child = byStatus.get(res.statusCode);
  if (!child) {
    child = metrics.webhooks.labels(path.replace(/^\/webhooks\//, ""), String(res.statusCode));
    byStatus.set(res.statusCode, child);
  }
  child.inc();
}

/** Counts and times one call to Brilliant, and returns its outcome. */
export function recordBrilliantCall<O extends BrilliantOutcome>(call: BrilliantCall, outcome: O): O {
  const code =
    outcome.code === null ? "none" : DOCUMENTED_CODES.has(outcome.code) ? String(outcome.code) : "other";
  metrics.brilliantCalls.labels(call, outcome.kind, code).inc();
  metrics.brilliantSeconds.labels(call).observe(outcome.durationMs / 1000);
  // Both always send the order to `retrying` (app/orders/outcome-policy.ts).
  if (call === "create_order" && outcome.kind === "retryable") metrics.retries.labels(outcome.reason).inc();
  if (call === "create_order" && outcome.kind === "throttled") metrics.retries.labels("throttled").inc();
  return outcome;
}

/** Counts one lookup by its result, and returns it. */
export function countLookup<R extends OrderLookupResult>(result: R): R {
  metrics.lookups.labels(result.kind).inc();
  return result;
}

export function countSync(kind: SyncKind, result: "succeeded" | "failed"): void {
  metrics.syncs.labels(kind, result).inc();
}
