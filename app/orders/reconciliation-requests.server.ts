import type { SyncRun } from "@prisma/client";

import prisma from "../db.server";
import { lastSyncRun } from "../models/sync-run.server";
import { RECONCILIATION_SYNC } from "./reconciliation.server";

/**
 * When a shop's reconciliation sweep is due, "Reconcile now" asking for one,
 * and the last sweep as the settings page shows it.
 */

export async function lastReconciliation(shop: string): Promise<SyncRun | null> {
  return lastSyncRun(shop, RECONCILIATION_SYNC);
}

/** "Reconcile now": the worker runs a sweep of the shop soon (see reconcileDueShops). */
export async function requestReconciliation(shop: string): Promise<void> {
  await prisma.shopSettings.updateMany({ where: { shop }, data: { reconcileRequestedAt: new Date() } });
}

/** Whether the shop is due a sweep: never swept, swept longer than `intervalMs` ago, or asked for since. */
export async function isReconciliationDue(
  shop: string,
  intervalMs: number,
  now = new Date(),
): Promise<boolean> {
  const [last, settings] = await Promise.all([
    lastReconciliation(shop),
    prisma.shopSettings.findUnique({ where: { shop }, select: { reconcileRequestedAt: true } }),
  ]);
  if (!last) return true;
  if (last.status === "running") return false;
  if (settings?.reconcileRequestedAt && settings.reconcileRequestedAt > last.startedAt) return true;
  return intervalMs > 0 && last.startedAt.getTime() <= now.getTime() - intervalMs;
}

export interface ReconciliationView {
  status: string;
  startedAt: string;
  finishedAt: string | null;
  seen: number;
  ingested: number;
  failed: number;
  summary: string | null;
}

/** The last sweep and whether one was asked for since, as the settings page shows them. */
export async function reconciliationView(
  shop: string,
): Promise<{ last: ReconciliationView | null; requested: boolean; days: number }> {
  const [last, settings] = await Promise.all([
    lastReconciliation(shop),
    prisma.shopSettings.findUnique({
      where: { shop },
      select: { reconcileRequestedAt: true, reconcileDays: true },
    }),
  ]);
  const requestedAt = settings?.reconcileRequestedAt ?? null;
  return {
    days: settings?.reconcileDays ?? 7,
    requested: requestedAt !== null && (!last || requestedAt > last.startedAt),
    last: last
      ? {
          status: last.status,
          startedAt: last.startedAt.toISOString(),
          finishedAt: last.finishedAt?.toISOString() ?? null,
          seen: last.processed,
          ingested: last.ingested,
          failed: last.failed,
          summary: last.summary,
        }
      : null,
  };
}
