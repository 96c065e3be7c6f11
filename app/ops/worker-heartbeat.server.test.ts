import { beforeEach, describe, expect, it, vi } from "vitest";

import prisma from "../db.server";
import type { Forwarder } from "../orders/forwarder.server";
import { runWorkerLoop } from "../worker/run.server";
import { resetDatabase } from "../../tests/helpers/db";
import {
  homeWorkerStatus,
  markWorkerStopped,
  WORKER_HEARTBEAT_FORGET_AFTER_MS,
  WorkerHeartbeat,
  workerStatus,
} from "./worker-heartbeat.server";

const STALE_MS = 120_000;
const at = (iso: string) => new Date(iso);

describe("worker heartbeat", () => {
  beforeEach(() => resetDatabase(prisma));

  it("GIVEN a worker WHEN it beats twice THEN its one row keeps its start and moves its last sighting", async () => {
    const heartbeat = new WorkerHeartbeat("worker-a", at("2026-03-01T10:00:00Z"));
    await heartbeat.beat(at("2026-03-01T10:00:01Z"));
    await heartbeat.beat(at("2026-03-01T10:00:16Z"));

    const rows = await prisma.workerHeartbeat.findMany();
    expect(rows).toEqual([
      {
        workerId: "worker-a",
        hostname: expect.any(String),
        pid: process.pid,
        startedAt: at("2026-03-01T10:00:00Z"),
        seenAt: at("2026-03-01T10:00:16Z"),
        stoppedAt: null,
      },
    ]);
  });

  it("GIVEN a heartbeat WHEN it is older than the threshold, or its worker stopped THEN no worker is running", async () => {
    await new WorkerHeartbeat("worker-a").beat(at("2026-03-01T10:00:00Z"));

    expect(await workerStatus(STALE_MS, { now: at("2026-03-01T10:01:59Z") })).toEqual({
      running: true,
      seenAt: at("2026-03-01T10:00:00Z"),
    });
    expect(await workerStatus(STALE_MS, { now: at("2026-03-01T10:02:01Z") })).toEqual({
      running: false,
      lastSeenAt: at("2026-03-01T10:00:00Z"),
    });

    await markWorkerStopped("worker-a", at("2026-03-01T10:00:05Z"));
    expect(await workerStatus(STALE_MS, { now: at("2026-03-01T10:00:06Z") })).toMatchObject({
      running: false,
    });
  });

  it("GIVEN a stopped worker WHEN a late beat of its run lands THEN it stays stopped; a new run clears the stop", async () => {
    const run = new WorkerHeartbeat("worker-a");
    await run.beat(at("2026-03-01T10:00:00Z"));
    await markWorkerStopped("worker-a", at("2026-03-01T10:00:10Z"));
    await run.beat(at("2026-03-01T10:00:11Z"));
    expect(
      (await prisma.workerHeartbeat.findUniqueOrThrow({ where: { workerId: "worker-a" } })).stoppedAt,
    ).toEqual(at("2026-03-01T10:00:10Z"));

    await new WorkerHeartbeat("worker-a").beat(at("2026-03-01T10:05:00Z"));
    expect(await workerStatus(STALE_MS, { now: at("2026-03-01T10:05:01Z") })).toMatchObject({
      running: true,
    });
  });

  it("GIVEN stopped workers and one unseen for a day WHEN a running worker beats THEN their rows are removed", async () => {
    const now = at("2026-03-02T12:00:00Z");
    const longAgo = new Date(now.getTime() - WORKER_HEARTBEAT_FORGET_AFTER_MS - 1_000);
    await new WorkerHeartbeat("lost").beat(longAgo);
    await new WorkerHeartbeat("stopped").beat(at("2026-03-02T11:59:00Z"));
    await markWorkerStopped("stopped");
    await new WorkerHeartbeat("recent").beat(at("2026-03-02T11:00:00Z"));

    await new WorkerHeartbeat("alive").beat(now);

    const left = await prisma.workerHeartbeat.findMany({ orderBy: { workerId: "asc" } });
    expect(left.map((row) => row.workerId)).toEqual(["alive", "recent"]);
  });

  it("GIVEN the worker loop WHEN it starts THEN its heartbeat row is written before any order", async () => {
    const controller = new AbortController();
    const forwarder = {
      settings: { leaseMs: 60_000, workerId: "loop-worker" },
      recoverAbandonedSends: async () => 0,
      takeReceivedOrders: async () => undefined,
      othersCommits: async () => null,
      release: async () => undefined,
      claimDue: async () => [],
    } as unknown as Forwarder;
    const loop = runWorkerLoop({
      forwarder,
      pollMs: 50,
      concurrency: 1,
      perShopConcurrency: 1,
      signal: controller.signal,
    });
    try {
      await vi.waitFor(async () => expect(await workerStatus(STALE_MS)).toMatchObject({ running: true }), {
        timeout: 10_000,
        interval: 20,
      });
      expect((await prisma.workerHeartbeat.findFirstOrThrow()).workerId).toBe("loop-worker");
    } finally {
      controller.abort();
      await loop;
    }
  });
});

describe("Home's worker status (homeWorkerStatus)", () => {
  beforeEach(() => resetDatabase(prisma));

  it("GIVEN no heartbeat ever THEN it is not running and was never seen", async () => {
    expect(await homeWorkerStatus(STALE_MS)).toEqual({ running: false, lastSeenAt: null, minutesAgo: null });
  });

  it("GIVEN a heartbeat 7.5 minutes old THEN it says when, in whole minutes", async () => {
    await new WorkerHeartbeat("worker-a").beat(at("2026-03-01T10:00:00Z"));
    expect(await homeWorkerStatus(STALE_MS, at("2026-03-01T10:07:30Z"))).toEqual({
      running: false,
      lastSeenAt: "2026-03-01T10:00:00.000Z",
      minutesAgo: 7,
    });
    expect(await homeWorkerStatus(STALE_MS, at("2026-03-01T10:01:00Z"))).toEqual({ running: true });
  });
});
