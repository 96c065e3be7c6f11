/**
 * The worker loop's stop, in process (the real processes: tests/integration/graceful-stop.test.ts):
 * past `stopGraceMs` the orders still in hand are handed back, and the
 * `onStop` callbacks run once none is left leased.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import prisma from "../db.server";
import { forwardUntilSettled, ingest, makeForwarder, testOrder } from "../../tests/helpers/forwarding";
import { prepareForwardingRun, tallySimulator, waitUntil } from "../../tests/integration/support";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import type { RunningSimulator } from "../../simulator/server";
import { runWorkerLoop } from "../worker/run.server";
import { STOPPED_MID_SEND_REASON } from "./worker-stop.server";

const SHOP = "worker-stop.myshopify.com";
const orders = Array.from({ length: 6 }, (_, i) =>
  testOrder(7_700 + i, [{ variant: V.untracked, quantity: 1 }]),
);
let sim: RunningSimulator | undefined;

const leased = () => prisma.order.count({ where: { leaseOwner: { not: null } } });

/** The loop over `orders` until it is stopped once `stopWhen` holds; what the stop callback saw. */
async function stopMidRun(options: { latencyMs: number; stopGraceMs: number; leaseMs: number }) {
  sim = await prepareForwardingRun(SHOP, { latencyMs: options.latencyMs });
  for (const order of orders) await ingest(SHOP, order);
  const forwarder = makeForwarder(sim.url, { leaseMs: options.leaseMs, brilliantTimeoutMs: 5_000 });
  const controller = new AbortController();
  const seenOnStop: Array<{ leased: number; sending: number }> = [];
  const loop = runWorkerLoop({
    forwarder,
    pollMs: 20,
    concurrency: orders.length,
    perShopConcurrency: orders.length,
    signal: controller.signal,
    stopGraceMs: options.stopGraceMs,
    onStop: [
      async () => {
        seenOnStop.push({
          leased: await leased(),
          sending: await prisma.order.count({ where: { state: "sending" } }),
        });
      },
    ],
  });
  await waitUntil(async () => (await prisma.order.count({ where: { state: "sending" } })) === orders.length, {
    timeoutMs: 10_000,
    intervalMs: 5,
  });
  const stoppedAt = Date.now();
  controller.abort();
  await loop;
  return { forwarder, seenOnStop, stopMs: Date.now() - stoppedAt };
}

describe("the worker loop's stop", () => {
  beforeEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("GIVEN sends Brilliant answers within the grace WHEN the loop is stopped THEN they finish, and onStop runs after, with nothing leased", async () => {
    const { seenOnStop, stopMs } = await stopMidRun({ latencyMs: 200, stopGraceMs: 3_000, leaseMs: 5_000 });
    expect(stopMs).toBeLessThan(3_000);
    expect(seenOnStop).toEqual([{ leased: 0, sending: 0 }]);
    expect(await prisma.order.count({ where: { state: "forwarded" } })).toBe(orders.length);
  });

  it("GIVEN sends Brilliant answers after the grace WHEN the loop is stopped THEN it returns at the grace with every send handed back as unknown (due when its lease would have run out), onStop sees nothing leased, and the next worker sends nothing twice", async () => {
    const leaseMs = 3_000;
    const { seenOnStop, stopMs } = await stopMidRun({ latencyMs: 1_000, stopGraceMs: 200, leaseMs });
    expect(stopMs).toBeGreaterThanOrEqual(150);
    expect(stopMs).toBeLessThan(900);
    expect(seenOnStop).toEqual([{ leased: 0, sending: 0 }]);
    const handedBack = await prisma.order.findMany({ where: { shop: SHOP } });
    for (const order of handedBack) {
      expect(order, order.name).toMatchObject({ state: "unknown", stateReason: STOPPED_MID_SEND_REASON });
      expect(order.nextAttemptAt!.getTime() - Date.now(), order.name).toBeGreaterThan(leaseMs / 2);
    }

    // The sends still run in this process: their answers change nothing, the lease being gone.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await prisma.order.findMany({ where: { shop: SHOP } })).map((order) => order.state)).toEqual(
      orders.map(() => "unknown"),
    );
    sim!.configure({ latencyMs: 0 });
    await prisma.order.updateMany({ where: { shop: SHOP }, data: { nextAttemptAt: new Date() } });
    await forwardUntilSettled([makeForwarder(sim!.url, { workerId: "next-worker" })]);
    const tally = tallySimulator(
      sim!,
      orders.map((order) => String(order.id)),
    );
    expect(tally).toMatchObject({ accepted: orders.length, duplicates: 0, lost: 0 });
    const attempts = await prisma.forwardAttempt.findMany({
      where: { shop: SHOP },
      orderBy: { number: "asc" },
    });
    expect(attempts.map((attempt) => [attempt.kind, attempt.outcome])).toEqual(
      orders.map(() => ["lookup", "found"]),
    );
  });
});
