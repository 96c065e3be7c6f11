/**
 * One pass at a time per order: a lookup that outlasts the worker's lease.
 *
 * A lookup walks Brilliant's orders page by page and can take longer than the
 * lease the worker took when it claimed the order (WORKER_LEASE_MS). Once the
 * lease has run out the order is due again, and the same worker's loop claims
 * it a second time while its first pass is still looking it up: two passes,
 * one lease owner, so the compare-and-set that keeps two workers apart cannot
 * tell them apart. Nothing is sent twice (the attempt numbers collide and one
 * pass fails), but every slow lookup is repeated and the ledger gets errors.
 * In worker-crash.test.ts this is what keeps the recovered orders from settling.
 *
 * GIVEN an order whose create was answered 1500 after Brilliant created it,
 * AND a first page of GET /store/orders that takes 4 s against a 1.5 s lease,
 * WHEN the real worker loop runs,
 * THEN the order is found and forwarded after a single lookup.
 */
import { describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { faultOnCreate, ingest, makeForwarder, testOrder } from "../helpers/forwarding";
import { sleep, startWorkerLoops, waitUntil, withForwardingRun } from "./support";

const SHOP = "lease-during-lookup.myshopify.com";
const LEASE_MS = 1_500;
const SLOW_PAGE_MS = 4_000;

const run = withForwardingRun(SHOP);

describe("a lookup slower than the lease", () => {
  it("GIVEN a lookup that outlasts the lease THEN the worker does not start a second pass over the order", async () => {
    faultOnCreate(run.sim, "#T1", { kind: "code1500", created: true });
    run.sim.scriptFault({
      match: { endpoint: "GET /store/orders" },
      fault: { kind: "latency", ms: SLOW_PAGE_MS },
    });
    await ingest(SHOP, testOrder(1, [{ variant: V.untracked, quantity: 1 }]));

    run.stopWorkers = startWorkerLoops(
      [
        makeForwarder(run.sim.url, {
          workerId: "only-worker",
          leaseMs: LEASE_MS,
          brilliantTimeoutMs: 10_000,
        }),
      ],
      {
        concurrency: 4,
        pollMs: 20,
      },
    ).stop;
    await waitUntil(
      async () => (await prisma.order.count({ where: { shop: SHOP, state: "forwarded" } })) === 1,
      { timeoutMs: 15_000 },
    );
    // Let a second pass, if one started, finish and write what it would.
    await sleep(SLOW_PAGE_MS + 200);
    await run.stopWorkers();
    run.stopWorkers = null;

    const order = await prisma.order.findFirstOrThrow({
      where: { shop: SHOP },
      include: { attempts: { orderBy: { number: "asc" } } },
    });
    const listCalls = run.sim.requests.filter((request) => request.path.includes("/store/orders")).length;
    expect(order.state).toBe("forwarded");
    expect(order.attempts.map((attempt) => `${attempt.kind}:${attempt.outcome}`)).toEqual([
      "create:unknown",
      "lookup:found",
    ]);
    expect(listCalls).toBe(1);
    expect(run.sim.ordersForShopifyOrder("900001")).toHaveLength(1);
  });
});
