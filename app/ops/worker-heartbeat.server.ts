import { hostname } from "node:os";

import type { PrismaClient } from "@prisma/client";

import prisma from "../db.server";

/** Rows of workers stopped, or not seen for this long, are removed by the running workers' heartbeats. */
export const WORKER_HEARTBEAT_FORGET_AFTER_MS = 24 * 60 * 60_000;

/**
 * One worker's row in WorkerHeartbeat, written at its start and then every
 * WORKER_HEARTBEAT_INTERVAL_MS by the loop's heartbeat chore. Readiness and
 * Home read it: no fresh row means no worker is sending orders.
 */
export class WorkerHeartbeat {
  private beaten = false;

  constructor(
    readonly workerId: string,
    readonly startedAt: Date = new Date(),
  ) {}

  async beat(now: Date = new Date()): Promise<void> {
    const row = { hostname: hostname(), pid: process.pid, startedAt: this.startedAt, seenAt: now };
    await prisma.workerHeartbeat.upsert({
      where: { workerId: this.workerId },
      create: { workerId: this.workerId, ...row },
      // Only the first beat clears a stop: one that lands after markWorkerStopped must not undo it.
      update: this.beaten ? row : { ...row, stoppedAt: null },
    });
    this.beaten = true;
    await prisma.workerHeartbeat.deleteMany({
      where: {
        workerId: { not: this.workerId },
        OR: [
          { stoppedAt: { not: null } },
          { seenAt: { lt: new Date(now.getTime() - WORKER_HEARTBEAT_FORGET_AFTER_MS) } },
        ],
      },
    });
  }
}

/** A worker that stopped cleanly (SIGTERM) says so, so it is not taken for one that is merely late. */
export async function markWorkerStopped(workerId: string, now: Date = new Date()): Promise<void> {
  await prisma.workerHeartbeat.updateMany({ where: { workerId }, data: { stoppedAt: now } });
}

export type WorkerStatus = { running: true; seenAt: Date } | { running: false; lastSeenAt: Date | null };

/** Whether a worker that has not stopped was seen within `staleAfterMs`; if none, when one was last seen. */
export async function workerStatus(
  staleAfterMs: number,
  { now = new Date(), db = prisma }: { now?: Date; db?: PrismaClient } = {},
): Promise<WorkerStatus> {
  const fresh = await db.workerHeartbeat.findFirst({
    where: { stoppedAt: null, seenAt: { gte: new Date(now.getTime() - staleAfterMs) } },
    orderBy: { seenAt: "desc" },
    select: { seenAt: true },
  });
  if (fresh) return { running: true, seenAt: fresh.seenAt };
  const last = await db.workerHeartbeat.findFirst({ orderBy: { seenAt: "desc" }, select: { seenAt: true } });
  return { running: false, lastSeenAt: last?.seenAt ?? null };
}

/** Home's banner data: nothing to say while a worker runs; otherwise when it was last seen, in whole minutes. */
export type HomeWorkerStatus =
  { running: true } | { running: false; lastSeenAt: string | null; minutesAgo: number | null };

export async function homeWorkerStatus(
  staleAfterMs: number,
  now: Date = new Date(),
): Promise<HomeWorkerStatus> {
  const status = await workerStatus(staleAfterMs, { now });
  if (status.running) return { running: true };
  const { lastSeenAt } = status;
  return {
    running: false,
    lastSeenAt: lastSeenAt?.toISOString() ?? null,
    // Counted here, not in the browser: the server's and the browser's clocks would render different text.
    minutesAgo: lastSeenAt ? Math.floor((now.getTime() - lastSeenAt.getTime()) / 60_000) : null,
  };
}
