import type { SyncRun } from "@prisma/client";
import prisma from "../db.server";

/** A run not finished after this long is taken for one whose process died. */
export const SYNC_RUN_ABANDONED_AFTER_MS = 60 * 60_000;

/**
 * The run of this kind still going for the shop, if any. Runs older than
 * SYNC_RUN_ABANDONED_AFTER_MS are marked failed first, so a run whose process
 * died neither shows as running nor blocks the next one.
 */
export async function liveSyncRun(shop: string, kind: string): Promise<SyncRun | null> {
  await prisma.syncRun.updateMany({
    where: {
      shop,
      kind,
      status: "running",
      startedAt: { lt: new Date(Date.now() - SYNC_RUN_ABANDONED_AFTER_MS) },
    },
    data: {
      status: "failed",
      finishedAt: new Date(),
      summary: "Stopped before it finished (the process ended).",
    },
  });
  return prisma.syncRun.findFirst({
    where: { shop, kind, status: "running" },
    orderBy: { startedAt: "desc" },
  });
}

/** The shop's latest run of this kind (running, succeeded or failed), or null before the first. */
export async function lastSyncRun(shop: string, kind: string): Promise<SyncRun | null> {
  return prisma.syncRun.findFirst({ where: { shop, kind }, orderBy: { startedAt: "desc" } });
}

/** Ends a run as failed, with why in the merchant's words and the counts it reached. */
export async function failSyncRun(
  runId: string,
  summary: string,
  counts: Partial<Pick<SyncRun, "processed" | "ingested" | "failed">> = {},
): Promise<void> {
  await prisma.syncRun.update({
    where: { id: runId },
    data: { ...counts, status: "failed", finishedAt: new Date(), summary },
  });
}
