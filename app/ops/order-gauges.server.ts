import { Gauge, type Registry } from "prom-client";

import prisma from "../db.server";
import { logger } from "../logger.server";
import type { OrderState } from "../orders/state.server";
import { workerStatus } from "./worker-heartbeat.server";

/**
 * What the database says, read on scrape by the web process only: every web
 * process reports the same figures (take the max across them), and workers
 * report none, so a sum over processes never counts an order twice.
 */

/** Orders not settled yet. Forwarded, skipped and cancelled ones are left out: counting them reads every order ever sent. */
export const OPEN_STATES = [
  "received",
  "waiting",
  "ready",
  "sending",
  "retrying",
  "unknown",
  "held",
] as const satisfies readonly OrderState[];

/**
 * Orders the app itself owes Brilliant. `waiting` (the shop's forwarding
 * delay) and `held` (the merchant's to act on) are left out: they wait by
 * the shop's choice, and would keep the age high while nothing is wrong.
 */
export const BEHIND_STATES = [
  "received",
  "ready",
  "sending",
  "retrying",
  "unknown",
] as const satisfies readonly OrderState[];

/** Adds the database's gauges to `registry`, once. */
export function registerOrderGauges(registry: Registry, staleAfterMs: number): void {
  if (registry.getSingleMetric("brilliant_sync_orders")) return;
  const registers = [registry];
  new Gauge({
    name: "brilliant_sync_orders",
    help: "Orders not settled yet, by state (all shops).",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      const rows = await read("orders by state", () =>
        prisma.order.groupBy({
          by: ["state"],
          where: { state: { in: [...OPEN_STATES] } },
          _count: { _all: true },
        }),
      );
      this.reset();
      if (!rows) return;
      const counts = new Map(rows.map((row) => [row.state, row._count._all]));
      for (const state of OPEN_STATES) this.labels(state).set(counts.get(state) ?? 0);
    },
  });
  new Gauge({
    name: "brilliant_sync_oldest_unsent_order_age_seconds",
    help: "Age of the oldest paid order the app has not got to Brilliant yet (received, ready, sending, retrying, unknown); 0 when none.",
    registers,
    async collect() {
      const oldest = await read("oldest unsent order", () =>
        prisma.order.aggregate({ where: { state: { in: [...BEHIND_STATES] } }, _min: { createdAt: true } }),
      );
      this.reset();
      if (!oldest) return;
      const since = oldest._min.createdAt;
      this.set(since ? Math.max(0, (Date.now() - since.getTime()) / 1000) : 0);
    },
  });
  new Gauge({
    name: "brilliant_sync_worker_heartbeat_age_seconds",
    help: "Seconds since a running worker last wrote its heartbeat (the latest of any worker when none runs); absent before any.",
    registers,
    async collect() {
      const status = await read("worker heartbeat", () => workerStatus(staleAfterMs));
      this.reset();
      const seenAt = status?.running ? status.seenAt : status?.lastSeenAt;
      if (seenAt) this.set(Math.max(0, (Date.now() - seenAt.getTime()) / 1000));
    },
  });
}

/** A failed read leaves its metric without samples (absent, not a stale figure) and the rest of the scrape intact. */
async function read<T>(what: string, query: () => Promise<T>): Promise<T | null> {
  try {
    return await query();
  } catch (error) {
    logger.warn({ err: error, metric: what }, "metrics: the database could not be read");
    return null;
  }
}
