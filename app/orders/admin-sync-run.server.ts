import type { SyncRun } from "@prisma/client";

import prisma from "../db.server";
import { adminFailureSummary } from "../integrations/shopify-admin.server";
import type { Logger } from "../logger.server";
import { failSyncRun, liveSyncRun } from "../models/sync-run.server";

/**
 * The SyncRun around a background read of the Admin API (the variant sync,
 * the reconciliation sweep): one at a time per shop and kind, and ended as
 * failed, in the merchant's words, when Shopify cannot be read.
 */

export interface AlreadyRunning {
  ok: false;
  runId: string;
  reason: "already_running";
  summary: string;
}

/** A new running SyncRun, unless one of this kind is already under way for the shop. */
export async function beginSyncRun(
  shop: string,
  kind: string,
  alreadyRunning: string,
  startedAt = new Date(),
): Promise<{ ok: true; run: SyncRun } | AlreadyRunning> {
  const running = await liveSyncRun(shop, kind);
  if (running) return { ok: false, runId: running.id, reason: "already_running", summary: alreadyRunning };
  const run = await prisma.syncRun.create({ data: { shop, kind, status: "running", startedAt } });
  return { ok: true, run };
}

/**
 * Ends the run as failed with why; `note` adds what it did before it stopped.
 * A Response (the admin client asking to re-authenticate) is thrown on.
 */
export async function failAdminSyncRun(
  runId: string,
  error: unknown,
  log: Logger,
  progress: { note?: string; counts?: Parameters<typeof failSyncRun>[2] } = {},
): Promise<{ ok: false; runId: string; reason: "failed"; summary: string }> {
  const summary = adminFailureSummary(error);
  await failSyncRun(runId, progress.note ? `${summary} ${progress.note}` : summary, progress.counts);
  log.warn({ err: error instanceof Error ? { name: error.name, message: error.message } : error }, summary);
  if (error instanceof Response) throw error;
  return { ok: false, runId, reason: "failed", summary };
}
