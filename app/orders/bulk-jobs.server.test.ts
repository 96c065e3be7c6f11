import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { withBrilliant } from "../../tests/helpers/with-brilliant";
import { forwardAllQuickly, ingest, testOrder } from "../../tests/helpers/forwarding";
import { orderInState } from "../../tests/helpers/admin-orders";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { transition, type HoldKind } from "./state.server";
import {
  BulkJobRefusedError,
  createBulkJob,
  latestBulkJob,
  runDueBulkJobs,
  type RunBulkJobsOptions,
} from "./bulk-jobs.server";

const SHOP = "bulk-jobs.myshopify.com";
const OTHER_SHOP = "bulk-jobs-other.myshopify.com";
/** A Brilliant variant the shop never mapped: pre-flight holds its orders for a mapping. */
const UNMAPPED = 99_001;
// Orders are of Brilliant's untracked variant unless said otherwise: none is held for stock when sent.

let sequence = 0;

/** An order held for `holdKind` (or skipped), recorded as the webhook records it and moved by the state machine. */
async function heldOrder(
  shop: string,
  options: { variant?: number; holdKind?: HoldKind; test?: boolean; skipped?: boolean; code?: number } = {},
): Promise<string> {
  sequence += 1;
  const body = testOrder(sequence, [{ variant: options.variant ?? V.untracked, quantity: 1 }], {
    ...(options.test ? { test: true } : {}),
  });
  const { orderId } = await ingest(shop, body);
  await transition({
    shop,
    orderId,
    from: "received",
    to: options.skipped ? "skipped" : "held",
    actor: "system",
    reason: "Test: stopped.",
    holdKind: options.skipped ? null : (options.holdKind ?? "review"),
    code: options.code ?? null,
  });
  return orderId;
}

async function heldOrders(count: number, options: Parameters<typeof heldOrder>[1] = {}, shop = SHOP) {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) ids.push(await heldOrder(shop, options));
  return ids;
}

/** Rounds of one worker until the job ends (or `rounds` run out). */
async function runUntilFinished(workerId: string, options: RunBulkJobsOptions = {}, rounds = 50) {
  for (let round = 0; round < rounds; round += 1) {
    const result = await runDueBulkJobs(workerId, options);
    if (!result || result.status !== "running") return result;
  }
  throw new Error("the job did not finish");
}

/** How many times each order was moved from held or skipped to ready (a resubmit). */
async function resubmitsOf(ids: string[]) {
  const moves = await prisma.orderTransition.groupBy({
    by: ["orderId"],
    where: { orderId: { in: ids }, fromState: { in: ["held", "skipped"] }, toState: "ready" },
    _count: { _all: true },
  });
  return new Map(moves.map((move) => [move.orderId, move._count._all]));
}

describe("bulk jobs over a whole filter", () => {
  const world = withBrilliant(SHOP, { variants: [V.untracked] });

  it("GIVEN 280 held orders (more than a page of 250 and than a batch) WHEN the merchant resubmits all of the Held view THEN each is resubmitted once and the summary matches what the orders then become", async () => {
    const toSend = await heldOrders(150);
    const toHoldAgain = await heldOrders(60, { variant: UNMAPPED });
    const toSkip = await heldOrders(40, { test: true });
    const stillHeld = await heldOrders(30, { variant: UNMAPPED, holdKind: "mapping" });
    const skipped = await orderInState(SHOP, "skipped");
    const forwarded = await orderInState(SHOP, "forwarded");
    const otherShops = await heldOrders(3, {}, OTHER_SHOP);

    const job = await createBulkJob(SHOP, "resubmit", { state: "held" });
    expect(job).toMatchObject({ status: "queued", total: 280, processed: 0, filterLabel: "Held" });
    expect(await runUntilFinished("worker-1")).toMatchObject({ status: "done", processed: 280 });

    const done = await latestBulkJob(SHOP);
    expect(done).toMatchObject({ status: "done", total: 280, processed: 280, error: null });
    expect(done!.summary.counts).toEqual({ sent: 150, heldAgain: 60, skippedAgain: 40, unchanged: 30 });
    expect(done!.summary.examples.heldAgain[0]!.why).toMatch(/no Brilliant variant/);
    expect(done!.summary.examples.unchanged[0]!.why).toMatch(/^still held: /);
    expect(done!.summary.examples.unchanged).toHaveLength(5);

    // Each order of the view acted on exactly once; the ones already held for their cause left alone.
    const moved = await resubmitsOf([...toSend, ...toHoldAgain, ...toSkip, ...stillHeld]);
    expect([...moved.values()].every((count) => count === 1)).toBe(true);
    expect(moved.size).toBe(250);
    expect(stillHeld.some((id) => moved.has(id))).toBe(false);

    // What the merchant then sees, once the worker has sent them: the summary's counts, order by order.
    await forwardAllQuickly(world.sim.url);
    const stateOf = new Map(
      (await prisma.order.findMany({ select: { id: true, state: true, holdKind: true } })).map((order) => [
        order.id,
        `${order.state}${order.holdKind ? `:${order.holdKind}` : ""}`,
      ]),
    );
    const states = (ids: string[]) => new Set(ids.map((id) => stateOf.get(id)));
    expect(states(toSend)).toEqual(new Set(["forwarded"]));
    expect(states(toHoldAgain)).toEqual(new Set(["held:mapping"]));
    expect(states(toSkip)).toEqual(new Set(["skipped"]));
    expect(states(stillHeld)).toEqual(new Set(["held:mapping"]));
    // Outside the view or the shop: untouched.
    expect(states([skipped])).toEqual(new Set(["skipped"]));
    expect(states([forwarded])).toEqual(new Set(["forwarded"]));
    expect(states(otherShops)).toEqual(new Set(["held:review"]));
  });

  it("GIVEN a job made over the Held view WHEN more orders are held after it was made THEN only those received before it are resubmitted", async () => {
    const before = await heldOrders(60);
    await createBulkJob(SHOP, "resubmit", { state: "held" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const after = await heldOrders(4);

    expect(await runUntilFinished("worker-1")).toMatchObject({ status: "done", processed: 60 });
    const moved = await resubmitsOf([...before, ...after]);
    expect(before.every((id) => moved.get(id) === 1)).toBe(true);
    expect(after.some((id) => moved.has(id))).toBe(false);
    expect(await prisma.order.count({ where: { id: { in: after }, state: "held" } })).toBe(4);
  });

  it("GIVEN held and skipped orders of one code, received in turn WHEN the merchant resubmits the code's view THEN the batches take both states newest first, each order once", async () => {
    const inView: string[] = [];
    for (let index = 0; index < 23; index += 1) {
      inView.push(await heldOrder(SHOP, { code: 2502, skipped: index % 3 === 0 }));
      await heldOrder(SHOP, { code: 2501 });
    }
    const job = await createBulkJob(SHOP, "resubmit", { code: 2502 });
    expect(job).toMatchObject({ total: 23, filterLabel: "Held or skipped · code 2502" });
    expect(await runUntilFinished("worker-1", { batchSize: 4 })).toMatchObject({
      status: "done",
      processed: 23,
    });
    const moved = await resubmitsOf(inView);
    expect(moved.size).toBe(23);
    expect([...moved.values()].every((count) => count === 1)).toBe(true);
    expect(await prisma.order.count({ where: { lastCode: 2501, state: "held" } })).toBe(23);
  });

  it("GIVEN a worker that stopped after one batch WHEN its lease runs out THEN another worker goes on from its cursor, and no order is resubmitted twice", async () => {
    const ids = await heldOrders(120);
    await createBulkJob(SHOP, "resubmit", { state: "held" });
    expect(await runDueBulkJobs("worker-a", { maxBatches: 1 })).toMatchObject({
      status: "running",
      processed: 50,
    });
    const midway = await prisma.bulkJob.findFirstOrThrow({ where: { shop: SHOP } });
    expect(midway).toMatchObject({ status: "running", processed: 50, leaseOwner: "worker-a" });
    expect(midway.cursor).not.toBeNull();

    // While worker A's lease runs, nobody else takes the job.
    expect(await runDueBulkJobs("worker-b")).toBeNull();
    expect((await latestBulkJob(SHOP))!.stalled).toBe(false);

    // Worker A is gone; its lease has run out.
    const later = () => new Date(Date.now() + 31_000);
    expect((await latestBulkJob(SHOP, later()))!.stalled).toBe(true);
    expect(await runUntilFinished("worker-b", { now: later })).toMatchObject({
      status: "done",
      processed: 120,
      handled: 70,
    });
    const moved = await resubmitsOf(ids);
    expect(moved.size).toBe(120);
    expect([...moved.values()].every((count) => count === 1)).toBe(true);
    expect((await latestBulkJob(SHOP, later()))!.summary.counts).toEqual({
      sent: 120,
      heldAgain: 0,
      skippedAgain: 0,
      unchanged: 0,
    });
  });

  it("GIVEN a job queued or running WHEN the merchant starts another THEN it is refused and says why; once the first is done, another may start", async () => {
    await heldOrders(3);
    await orderInState(SHOP, "retrying", { code: 3501 });
    await heldOrders(1, {}, OTHER_SHOP);
    await createBulkJob(SHOP, "resubmit", { state: "held" });

    const second = createBulkJob(SHOP, "retry", { code: 3501 });
    await expect(second).rejects.toBeInstanceOf(BulkJobRefusedError);
    await expect(second).rejects.toMatchObject({
      reason: "already_running",
      message: expect.stringMatching(/Another bulk action is under way \(Resubmit · Held: 0 of 3 done\)/),
    });
    // Another shop's job is its own.
    await expect(createBulkJob(OTHER_SHOP, "resubmit", { state: "held" })).resolves.toMatchObject({
      total: 1,
    });
    expect(await prisma.bulkJob.count({ where: { shop: SHOP } })).toBe(1);

    await runUntilFinished("worker-1");
    await runUntilFinished("worker-1");
    await expect(createBulkJob(SHOP, "retry", { code: 3501 })).resolves.toMatchObject({
      total: 1,
      filterLabel: "Retrying, being checked, waiting, received or ready to send · code 3501",
    });
  });

  it("refuses a view with nothing to act on, and a job whose view cannot be read ends as failed, in words", async () => {
    await heldOrders(2);
    await expect(createBulkJob(SHOP, "resubmit", {})).rejects.toMatchObject({ reason: "not_filtered" });
    await expect(createBulkJob(SHOP, "retry", { state: "held" })).rejects.toMatchObject({
      reason: "nothing_to_do",
      message: "Held orders cannot be retried.",
    });
    await expect(createBulkJob(SHOP, "resubmit", { code: 2503 })).rejects.toMatchObject({
      reason: "nothing_to_do",
    });

    const job = await createBulkJob(SHOP, "resubmit", { state: "held" });
    await prisma.bulkJob.update({ where: { id: job.id }, data: { filter: '{"state":"lost"}' } });
    expect(await runUntilFinished("worker-1")).toMatchObject({ status: "failed" });
    expect(await latestBulkJob(SHOP)).toMatchObject({
      status: "failed",
      error: "The view this job was made for can no longer be read.",
    });
  });
});
