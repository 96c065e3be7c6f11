/**
 * Graceful stop, end to end: the web server (server.ts) and the worker
 * (app/worker/main.ts) are real processes, each sent SIGTERM in the middle of
 * a run, with the Brilliant simulator over HTTP.
 *
 * The web process serves a build made from the sources
 * (tests/integration/source-build.ts: the real orders/paid route, and a slow
 * page), so this runs without `remix vite:build`.
 *
 * GIVEN N paid orders delivered as signed webhooks while the web process runs,
 * WHEN it gets SIGTERM with webhooks and a slow request in flight,
 * THEN it takes no new connection, answers what it had, exits 0 within
 *   SHUTDOWN_GRACE_MS (cutting a request that would outlast it), and every
 *   webhook it acknowledged is recorded (the rest are delivered again to the
 *   next process, as Shopify does);
 * WHEN the worker gets SIGTERM mid-run with quick answers from Brilliant,
 * THEN it claims nothing more, finishes the orders in hand and exits 0, no
 *   order left leased;
 * WHEN a worker gets SIGTERM while Brilliant takes longer than its grace,
 * THEN it exits 0 within the grace, the sends in flight are handed back as
 *   `unknown` (no lease left), and the next worker looks each up before
 *   anything else: at the end every order is at the simulator exactly once.
 */
import { connect } from "node:net";
import { resolve } from "node:path";
import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { STOPPED_MID_SEND_REASON } from "../../app/ops/worker-stop.server";
import { flushReceivedOrders } from "../../app/orders/ingest.server";
import { repoRoot } from "../../scripts/db/paths";
import { freePort } from "../../scripts/lib/processes";
import { signedWebhookHeaders } from "../../shopify-stand-in/webhooks";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import type { RunningSimulator } from "../../simulator/server";
import { testOrder } from "../helpers/forwarding";
import { TEST_API_SECRET } from "../setup/app-env";
import {
  startWebProcess,
  startWorkerProcess,
  stopAllProcesses,
  stopTimed,
  type RealProcess,
} from "./processes";
import { prepareForwardingRun, sleep, stateCounts, tallySimulator, waitUntil } from "./support";

const SHOP = "graceful-stop.myshopify.com";
const ORDERS = 60;
const SOURCE_BUILD = resolve(repoRoot, "tests/integration/source-build.ts");
/** Time a process may take beyond its grace to exit (its own event loop, the OS). */
const EXIT_SLACK_MS = 1_000;

const orders = Array.from({ length: ORDERS }, (_, i) =>
  testOrder(9_100 + i, [{ variant: V.untracked, quantity: 1 }]),
);
let sim: RunningSimulator;

const count = (state: string) => prisma.order.count({ where: { shop: SHOP, state } });
const leased = () => prisma.order.count({ where: { shop: SHOP, leaseOwner: { not: null } } });
const workerEnv = (graceMs: number, extra: Record<string, string> = {}) => ({
  SHUTDOWN_GRACE_MS: String(graceMs),
  RETENTION_DAYS: "0",
  ...extra,
});

beforeAll(async () => {
  sim = await prepareForwardingRun(SHOP);
});

afterAll(async () => {
  await stopAllProcesses();
  await sim?.close();
});

/** Whether a new TCP connection to `port` is refused. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      done(false);
    });
    socket.once("error", () => done(true));
  });
}

describe("SIGTERM to the real processes mid-run", () => {
  it("GIVEN webhooks and a slow request in flight WHEN the web process gets SIGTERM THEN it refuses new connections, answers what it had, exits 0 within its grace, and every webhook it acknowledged is recorded", async () => {
    const graceMs = 3_000;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const start = (name: string) =>
      startWebProcess(name, {
        serverBuild: SOURCE_BUILD,
        port,
        brilliantUrl: sim.url,
        env: { SHUTDOWN_GRACE_MS: String(graceMs) },
      });
    let web: RealProcess = await start("web-1");
    const first = web;

    // Shopify's side, a steady trickle: each webhook until a 2xx, delivered again after anything else.
    const acknowledgedBy = new Map<string, string>();
    const acknowledgedAt = new Map<string, number>();
    const failures: string[] = [];
    const deliveries = Promise.all(
      Array.from({ length: 4 }, async (_, lane) => {
        for (let index = lane; index < orders.length; index += 4) {
          const order = orders[index]!;
          const webhookId = randomUUID();
          for (;;) {
            const name = web.name;
            const { headers, body } = signedWebhookHeaders({
              topic: "orders/paid",
              shop: SHOP,
              body: order,
              secret: TEST_API_SECRET,
              webhookId,
            });
            try {
              const response = await fetch(`${base}/webhooks/orders/paid`, { method: "POST", headers, body });
              await response.arrayBuffer();
              if (response.ok) {
                acknowledgedBy.set(String(order.id), name);
                acknowledgedAt.set(String(order.id), Date.now());
                break;
              }
              failures.push(`${order.name}: ${response.status} from ${name}`);
            } catch {
              // Refused or cut: the process is stopping or down.
            }
            await sleep(50);
          }
          await sleep(40);
        }
      }),
    );

    await waitUntil(async () => acknowledgedBy.size >= ORDERS / 6, { timeoutMs: 30_000, intervalMs: 5 });
    const slow = fetch(`${base}/slow?ms=1500`);
    await waitUntil(async () => acknowledgedBy.size >= ORDERS / 3, { timeoutMs: 30_000, intervalMs: 5 });
    const signalledAt = Date.now();
    const stopping = stopTimed(first, "SIGTERM");
    await sleep(300);
    const refused = await refusesConnections(port);
    const slowAnswer = await slow;
    const stopped = await stopping;
    web = await start("web-2");
    await deliveries;
    // A request that would outlast the grace is cut when the grace ends.
    const endless = fetch(`${base}/slow?ms=60000`).then(
      (response) => `answered ${response.status}`,
      () => "cut",
    );
    await sleep(200);
    const second = await stopTimed(web, "SIGTERM");

    const byFirst = [...acknowledgedBy].filter(([, name]) => name === "web-1").map(([id]) => id);
    const afterSignal = byFirst.filter((id) => acknowledgedAt.get(id)! > signalledAt).length;
    await flushReceivedOrders(SHOP);
    const recorded = await prisma.order.findMany({ where: { shop: SHOP }, select: { shopifyOrderId: true } });
    console.log(
      `graceful-stop web: acknowledged_by_first=${byFirst.length} (after_sigterm=${afterSignal})` +
        ` stop_ms=${stopped.ms} code=${stopped.code}` +
        ` cut_stop_ms=${second.ms} recorded=${recorded.length}`,
    );
    expect(refused, "a new connection after SIGTERM is refused").toBe(true);
    expect(slowAnswer.status).toBe(200);
    expect(await slowAnswer.text()).toBe("answered after 1500 ms");
    expect(stopped, first.output()).toMatchObject({ code: 0, signal: null });
    // It waited for the slow request (sent at least 1.5 s before it ends).
    expect(stopped.ms).toBeGreaterThanOrEqual(500);
    expect(stopped.ms).toBeLessThan(graceMs + EXIT_SLACK_MS);
    expect(second).toMatchObject({ code: 0, signal: null });
    expect(second.ms).toBeGreaterThanOrEqual(graceMs - 100);
    expect(second.ms).toBeLessThan(graceMs + EXIT_SLACK_MS);
    expect(await endless).toBe("cut");
    expect(failures).toEqual([]);
    expect(byFirst.length).toBeGreaterThanOrEqual(ORDERS / 3);
    expect(byFirst.length, "the rest went to the next process").toBeLessThan(ORDERS);
    // Nothing acknowledged is lost, and nothing is recorded twice.
    const ids = recorded.map((order) => order.shopifyOrderId);
    expect(new Set(ids).size).toBe(ORDERS);
    expect(ids.sort()).toEqual(orders.map((order) => String(order.id)).sort());
  }, 90_000);

  it("GIVEN the worker forwarding with quick answers WHEN it gets SIGTERM THEN it claims nothing more, finishes the orders in hand, leaves no lease and exits 0", async () => {
    const concurrency = 8;
    sim.configure({ latencyMs: 400 });
    const worker = startWorkerProcess("worker-1", {
      brilliantUrl: sim.url,
      leaseMs: 3_000,
      concurrency,
      env: workerEnv(5_000),
    });
    await waitUntil(async () => (await count("forwarded")) >= 8 && (await count("sending")) > 0, {
      timeoutMs: 30_000,
      intervalMs: 10,
      describe: async () => worker.output(),
    });
    const forwardedBefore = await count("forwarded");
    const inHand = await prisma.order.findMany({
      where: { shop: SHOP, state: "sending" },
      select: { id: true },
    });
    const stopped = await stopTimed(worker, "SIGTERM");

    const forwardedAfter = await count("forwarded");
    const handedBack = await prisma.orderTransition.count({
      where: { shop: SHOP, reason: STOPPED_MID_SEND_REASON },
    });
    console.log(
      `graceful-stop worker (in time): in_hand=${inHand.length} forwarded_before=${forwardedBefore}` +
        ` forwarded_after=${forwardedAfter} stop_ms=${stopped.ms} code=${stopped.code}`,
    );
    expect(stopped, worker.output()).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(5_000 + EXIT_SLACK_MS);
    expect(await leased()).toBe(0);
    expect(await count("sending")).toBe(0);
    expect(handedBack).toBe(0);
    const after = await prisma.order.findMany({ where: { id: { in: inHand.map((order) => order.id) } } });
    expect(after.map((order) => order.state)).toEqual(after.map(() => "forwarded"));
    // What it had in hand (and at most one more claim's worth) went on; nothing else was claimed.
    expect(forwardedAfter).toBeLessThanOrEqual(forwardedBefore + 2 * concurrency);
    expect(forwardedAfter).toBeLessThan(ORDERS);
  }, 60_000);

  it("GIVEN Brilliant slower than the worker's grace WHEN it gets SIGTERM mid-send THEN it exits 0 within the grace, hands the sends back as unknown with no lease, and the next worker looks each up first: every order at the simulator exactly once", async () => {
    const graceMs = 1_000;
    // Brilliant answers after 2 s; the lease (4.5 s, renewed every 1.5 s) outlasts that, as in production.
    sim.configure({ latencyMs: 2_000 });
    const worker = startWorkerProcess("worker-2", {
      brilliantUrl: sim.url,
      leaseMs: 4_500,
      concurrency: 8,
      env: workerEnv(graceMs, { BRILLIANT_TIMEOUT_MS: "5000" }),
    });
    await waitUntil(async () => (await count("sending")) >= 4, {
      timeoutMs: 30_000,
      intervalMs: 10,
      describe: async () => worker.output(),
    });
    const stopped = await stopTimed(worker, "SIGTERM");
    sim.configure({ latencyMs: 0 });

    const handedBack = await prisma.order.findMany({
      where: { shop: SHOP, stateReason: STOPPED_MID_SEND_REASON },
      select: {
        id: true,
        name: true,
        state: true,
        attemptCount: true,
        nextAttemptAt: true,
        leaseOwner: true,
      },
    });
    expect(stopped, worker.output()).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(graceMs + EXIT_SLACK_MS);
    expect(await leased()).toBe(0);
    expect(await count("sending")).toBe(0);
    expect(handedBack.length).toBeGreaterThanOrEqual(4);
    for (const order of handedBack) {
      expect(order, order.name).toMatchObject({ state: "unknown", leaseOwner: null });
      expect(order.nextAttemptAt!.getTime(), order.name).toBeGreaterThan(Date.now());
    }

    const next = startWorkerProcess("worker-3", {
      brilliantUrl: sim.url,
      leaseMs: 4_500,
      env: workerEnv(5_000),
    });
    await waitUntil(async () => (await count("forwarded")) >= ORDERS, {
      timeoutMs: 60_000,
      intervalMs: 100,
      describe: async () => `${JSON.stringify(await stateCounts())}\n${next.output()}`,
    });
    const last = await stopTimed(next, "SIGTERM");
    expect(last).toMatchObject({ code: 0, signal: null });

    const tally = tallySimulator(
      sim,
      orders.map((order) => String(order.id)),
    );
    const lookedUpFirst = [];
    for (const order of handedBack) {
      const attempts = await prisma.forwardAttempt.findMany({
        where: { orderId: order.id, number: { gt: order.attemptCount } },
        orderBy: { number: "asc" },
      });
      lookedUpFirst.push(attempts[0]?.kind === "lookup");
    }
    console.log(
      `graceful-stop worker (past grace): handed_back=${handedBack.length} stop_ms=${stopped.ms}` +
        ` accepted=${tally.accepted} duplicates=${tally.duplicates} lost=${tally.lost}`,
    );
    expect(await stateCounts()).toEqual({ forwarded: ORDERS });
    expect(tally).toMatchObject({ accepted: ORDERS, distinct: ORDERS, duplicates: 0, lost: 0 });
    expect(lookedUpFirst).toEqual(handedBack.map(() => true));
    expect(await leased()).toBe(0);
  }, 90_000);
});
