import { describe, expect, it, vi } from "vitest";

import prisma from "../db.server";
import { listShopifyVariants } from "../catalog/shopify-variants.server";
import { action as productsDelete } from "../routes/webhooks.products.delete";
import { action as productsUpdate } from "../routes/webhooks.products.update";
import { generateProducts, restProductPayload } from "../../shopify-stand-in/admin-graphql";
import { resetDatabase } from "../../tests/helpers/db";
import { orderInState } from "../../tests/helpers/admin-orders";
import { deliverWebhook } from "../../tests/helpers/webhooks";
import type { ClaimedOrder, Forwarder, ProcessResult } from "../orders/forwarder.server";
import { createBulkJob, latestBulkJob } from "../orders/bulk-jobs.server";
import { runWorkerLoop } from "./run.server";

/**
 * A stand-in forwarder with nothing to recover, take in or release: only its
 * `claimDue` and `process` do anything.
 */
function stubForwarder(parts: {
  claimDue: (limit: number, excluded: readonly string[]) => Promise<ClaimedOrder[]>;
  process: (order: ClaimedOrder) => Promise<ProcessResult>;
}): Forwarder {
  return {
    settings: { leaseMs: 60_000, workerId: "stub-worker" },
    recoverAbandonedSends: async () => 0,
    takeReceivedOrders: async () => undefined,
    othersCommits: async () => null,
    release: async () => undefined,
    ...parts,
  } as unknown as Forwarder;
}

/**
 * The loop's claiming rhythm, over a stand-in forwarder whose orders settle
 * when the test says so: a claim takes the free slots in one go, and while
 * orders are in flight the next claim waits for a quarter of the slots.
 */
function fakeForwarder(backlog: number) {
  let next = 0;
  const claims: number[] = [];
  const settle = new Map<string, (result: ProcessResult) => void>();
  const forwarder = stubForwarder({
    claimDue: async (limit: number) => {
      claims.push(limit);
      const orders: ClaimedOrder[] = [];
      while (orders.length < limit && next < backlog) {
        next += 1;
        orders.push({ id: `order-${next}`, shop: `shop-${next % 4}.myshopify.com` } as ClaimedOrder);
      }
      return orders;
    },
    process: (order: ClaimedOrder) => new Promise<ProcessResult>((resolve) => settle.set(order.id, resolve)),
  });
  return { forwarder, claims, settle };
}

// The loop reads the database between claims (uninstalled shops): wait for what
// should happen rather than for a fixed time, which PostgreSQL may outlast.
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 10 });
/** Time for something that should not happen to show up if it did. */
const settleDown = () => new Promise((resolve) => setTimeout(resolve, 100));

/** The loop over `forwarder`: a 10-second poll and no limit per shop unless `options` say otherwise. */
function startLoop(
  forwarder: Forwarder,
  signal: AbortSignal,
  options: { concurrency: number; perShopConcurrency?: number; pollMs?: number },
) {
  const { concurrency, perShopConcurrency = concurrency, pollMs = 10_000 } = options;
  return runWorkerLoop({ forwarder, pollMs, concurrency, perShopConcurrency, signal });
}

describe("runWorkerLoop", () => {
  it("fills every slot at once, then claims again only when a quarter of them are free", async () => {
    const { forwarder, claims, settle } = fakeForwarder(100);
    const stop = new AbortController();
    const loop = startLoop(forwarder, stop.signal, { concurrency: 8 });
    await eventually(() => expect(settle.size).toBe(8));
    expect(claims).toEqual([8]);

    // One of eight settles: one free slot, under the quarter (2): no claim.
    settle.get("order-1")!({});
    await settleDown();
    expect(claims).toEqual([8]);

    // A second settles: two free slots: one claim for both.
    settle.get("order-2")!({});
    await eventually(() => expect(settle.has("order-10")).toBe(true));
    expect(claims).toEqual([8, 2]);

    stop.abort();
    for (const [id, resolve] of settle) if (Number(id.slice(6)) > 2) resolve({});
    await loop;
  });

  it("claims for a single slot when that is all it has", async () => {
    const { forwarder, claims, settle } = fakeForwarder(3);
    const stop = new AbortController();
    const loop = startLoop(forwarder, stop.signal, { concurrency: 1 });
    await eventually(() => expect(settle.has("order-1")).toBe(true));
    settle.get("order-1")!({});
    await eventually(() => expect(settle.has("order-2")).toBe(true));
    settle.get("order-2")!({});
    await eventually(() => expect(settle.has("order-3")).toBe(true));
    expect(claims.slice(0, 3)).toEqual([1, 1, 1]);
    stop.abort();
    settle.get("order-3")!({});
    await loop;
  });
});

describe("runWorkerLoop with a shop at its limit", () => {
  it("keeps claiming for the other shops, and the shop's own orders once its slot frees", async () => {
    // Shop a, one order of it at a time; shop b's order comes later.
    const claims: Array<{ limit: number; excluded: string[] }> = [];
    const settle = new Map<string, (result: ProcessResult) => void>();
    let next = 0;
    let bDue = false;
    const forwarder = stubForwarder({
      claimDue: async (limit: number, excluded: readonly string[]) => {
        claims.push({ limit, excluded: [...excluded] });
        if (excluded.includes("a.myshopify.com")) {
          if (!bDue) return [];
          bDue = false;
          return [{ id: "b-1", shop: "b.myshopify.com" } as ClaimedOrder];
        }
        return Array.from(
          { length: limit },
          () => ({ id: `a-${++next}`, shop: "a.myshopify.com" }) as ClaimedOrder,
        );
      },
      process: (order: ClaimedOrder) =>
        new Promise<ProcessResult>((resolve) => settle.set(order.id, resolve)),
    });
    const stop = new AbortController();
    const loop = startLoop(forwarder, stop.signal, { concurrency: 2, perShopConcurrency: 1, pollMs: 30 });
    // a-1 runs, a-2 waits for the shop's slot.
    await eventually(() => expect(settle.has("a-1")).toBe(true));
    settle.get("a-1")!({});
    // a-2 takes the slot; the claim for the free one leaves the shop out and finds nothing.
    await eventually(() => expect(claims.filter((claim) => claim.excluded.length > 0)).not.toHaveLength(0));
    expect(settle.has("a-2")).toBe(true);

    // Shop b's order becomes due while a is still at its limit: a later claim takes it.
    bDue = true;
    await eventually(() => expect(settle.has("b-1")).toBe(true));
    expect(settle.has("a-3")).toBe(false);

    // Shop a's slot frees: the next claim takes its orders again (b, at its limit now, left out).
    settle.get("a-2")!({});
    await eventually(() => expect(settle.has("a-3")).toBe(true));
    expect(claims.at(-1)!.excluded).toEqual(["b.myshopify.com"]);

    stop.abort();
    for (const [id, resolve] of settle) if (!["a-1", "a-2"].includes(id)) resolve({});
    await loop;
  });
});

describe("runWorkerLoop stopping", () => {
  it("stops at once when stopped while it claims, without a last nap", async () => {
    const stop = new AbortController();
    const forwarder = stubForwarder({
      claimDue: async () => {
        stop.abort();
        return [];
      },
      process: async () => ({}),
    });
    // With a 10-minute poll, a nap after the stop would outlast the test's timeout.
    await startLoop(forwarder, stop.signal, { concurrency: 2, pollMs: 600_000 });
  });
});

describe("runWorkerLoop's product webhooks chore", () => {
  const SHOP = "worker-products.myshopify.com";
  const listed = async () =>
    (await listShopifyVariants(SHOP, { filter: "all" })).variants.map((row) => [
      row.productTitle,
      row.deletedAt === null,
    ]);

  it("applies what products/update and products/delete queued, on every poll, with no orders to send", async () => {
    await resetDatabase(prisma);
    const [tote, mug] = generateProducts(2, 2);
    for (const product of [tote!, mug!]) {
      const answer = await deliverWebhook(
        productsUpdate,
        SHOP,
        "products/update",
        restProductPayload(product),
      );
      expect(answer.status).toBe(200);
    }
    expect(await listed()).toEqual([]);

    const { forwarder } = fakeForwarder(0);
    const stop = new AbortController();
    const loop = startLoop(forwarder, stop.signal, { concurrency: 2, pollMs: 20 });
    await eventually(async () =>
      expect(await listed()).toEqual([
        ["Product 1", true],
        ["Product 1", true],
        ["Product 2", true],
        ["Product 2", true],
      ]),
    );

    // Later webhooks are taken up by a later poll of the same loop.
    const deleted = await deliverWebhook(productsDelete, SHOP, "products/delete", { id: tote!.id });
    expect(deleted.status).toBe(200);
    await eventually(async () =>
      expect(await listed()).toEqual([
        ["Product 1", false],
        ["Product 1", false],
        ["Product 2", true],
        ["Product 2", true],
      ]),
    );
    stop.abort();
    await loop;
  });
});

describe("runWorkerLoop's bulk jobs chore", () => {
  const SHOP = "worker-bulk-jobs.myshopify.com";

  it("runs a bulk action the merchant started over a view to its end, with no orders to send", async () => {
    await resetDatabase(prisma);
    for (let index = 0; index < 3; index += 1) await orderInState(SHOP, "held", { holdKind: "review" });
    await createBulkJob(SHOP, "resubmit", { state: "held" });

    const { forwarder } = fakeForwarder(0);
    const stop = new AbortController();
    const loop = startLoop(forwarder, stop.signal, { concurrency: 2, pollMs: 20 });
    await eventually(async () =>
      expect(await latestBulkJob(SHOP)).toMatchObject({ status: "done", total: 3, processed: 3 }),
    );
    expect(await prisma.order.count({ where: { shop: SHOP, state: "ready" } })).toBe(3);
    stop.abort();
    await loop;
  });
});
