import { performance } from "node:perf_hooks";
import type { BulkJob, Prisma } from "@prisma/client";
import { z } from "zod/v4";
import prisma from "../db.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { resubmitOrders, retryNow, type ActionSummary } from "./actions.server";
import { stateLabel } from "./next-step";
import {
  decodeCursor,
  encodeCursor,
  ordersMatching,
  pastCursor,
  type BulkOrderIntent,
  type OrderListFilters,
} from "./order-list.server";
import { ListFiltersSchema } from "./orders-list-params";
import type { OrderState } from "./state.server";

/**
 * Retry now or Resubmit over every order a filter of the orders list matches,
 * not only the page: the merchant makes a job, the worker runs it in batches
 * (runDueBulkJobs), the orders page shows its progress, then what happened.
 * Only orders received before the job was made count. The job walks them
 * newest first by (createdAt, id) and keeps the last one handled as its
 * cursor: after a crash it goes on from there, and an order held again after
 * its resubmit is behind the cursor, so it is not resubmitted twice.
 */

/** The states each action moves (as retryNow and resubmitOrders check them): orders in others are left out. */
const INTENT_STATES: Record<BulkOrderIntent, readonly OrderState[]> = {
  resubmit: ["held", "skipped"],
  retry: ["retrying", "unknown", "waiting", "received", "ready"],
};
const LIVE_STATUSES = ["queued", "running"];
const BATCH_SIZE = 50;
/** Renewed with each batch's progress; a worker that stops lets another go on this much later. */
const LEASE_MS = 30_000;
/** A round stops between batches after this, so the worker's shutdown never waits on a long job. */
const ROUND_BUDGET_MS = 5_000;
const EXAMPLES_PER_OUTCOME = 5;
/** How long a finished job's summary is still shown on the orders page. */
const SHOWN_AFTER_FINISH_MS = 60 * 60_000;

export type BulkJobStatus = "queued" | "running" | "done" | "failed";
/** Sent: retried now, or passed the checks; held or skipped again: by the checks, with why; unchanged: with why. */
export type BulkOutcome = "sent" | "heldAgain" | "skippedAgain" | "unchanged";

export interface BulkJobSummary {
  counts: Record<BulkOutcome, number>;
  /** The first few orders of each outcome, with why when it is not "sent". */
  examples: Record<BulkOutcome, { name: string; why?: string }[]>;
}

export interface BulkJobView {
  id: string;
  intent: BulkOrderIntent;
  filterLabel: string;
  status: BulkJobStatus;
  /** Orders the filter matched when the job was made. */
  total: number;
  processed: number;
  summary: BulkJobSummary;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** Running, but its worker's lease ran out: that worker stopped, and the next one goes on from the cursor. */
  stalled: boolean;
}

/** What the action a view offers would act on: "Resubmit all 431 held orders". */
export interface ViewBulkAction {
  intent: BulkOrderIntent;
  count: number;
  /** The states it acts on, in words: "held or skipped". */
  states: string;
}

export class BulkJobRefusedError extends Error {
  override name = "BulkJobRefusedError";
  constructor(
    message: string,
    readonly reason: "already_running" | "nothing_to_do" | "not_filtered",
  ) {
    super(message);
  }
}

function emptySummary(): BulkJobSummary {
  return {
    counts: { sent: 0, heldAgain: 0, skippedAgain: 0, unchanged: 0 },
    examples: { sent: [], heldAgain: [], skippedAgain: [], unchanged: [] },
  };
}

function isFiltered(filters: OrderListFilters): boolean {
  return Boolean(
    filters.state || filters.code !== undefined || filters.from || filters.to || filters.query?.trim(),
  );
}

/** The states `intent` acts on within the view: the view's own state, if it has one the action moves. */
function statesFor(intent: BulkOrderIntent, filters: OrderListFilters): OrderState[] {
  return INTENT_STATES[intent].filter((state) => !filters.state || state === filters.state);
}

function statesInWords(states: readonly string[]): string {
  const words = states.map((state) => stateLabel(state).toLowerCase());
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

/** The view as the merchant saw it, e.g. "Held · code 2503 · received from 2026-11-01". */
function filterLabel(filters: OrderListFilters, states: readonly string[]): string {
  const words = statesInWords(states);
  const parts = [words.charAt(0).toUpperCase() + words.slice(1)];
  if (filters.code !== undefined) parts.push(`code ${filters.code}`);
  if (filters.from || filters.to)
    parts.push(
      `received${filters.from ? ` from ${filters.from}` : ""}${filters.to ? ` to ${filters.to}` : ""}`,
    );
  if (filters.query?.trim()) parts.push(`“${filters.query.trim()}”`);
  return parts.join(" · ");
}

function inScope(base: Prisma.OrderWhereInput, states: OrderState[], cutoff: Date): Prisma.OrderWhereInput {
  return { AND: [base, { state: { in: states } }, { createdAt: { lte: cutoff } }] };
}

/** The bulk actions a filtered view offers, with how many orders each would act on now; none unfiltered. */
export async function bulkActionsForView(shop: string, filters: OrderListFilters): Promise<ViewBulkAction[]> {
  if (!isFiltered(filters)) return [];
  const base = await ordersMatching(shop, filters);
  const now = new Date();
  const actions: ViewBulkAction[] = [];
  for (const intent of ["resubmit", "retry"] as const) {
    const states = statesFor(intent, filters);
    if (states.length === 0) continue;
    const count = await prisma.order.count({ where: inScope(base, states, now) });
    if (count > 0) actions.push({ intent, count, states: statesInWords(states) });
  }
  return actions;
}

/**
 * A job for `intent` over every order of the view received until now. Refused
 * while the shop has another queued or running: two at once would act on the
 * same orders and their summaries would each tell half of it.
 */
export async function createBulkJob(
  shop: string,
  intent: BulkOrderIntent,
  filters: OrderListFilters,
): Promise<BulkJobView> {
  if (!isFiltered(filters)) {
    throw new BulkJobRefusedError(
      "Filter the list first: an action over all of the shop's orders is not offered.",
      "not_filtered",
    );
  }
  const states = statesFor(intent, filters);
  const verb = intent === "retry" ? "retried" : "resubmitted";
  if (states.length === 0) {
    throw new BulkJobRefusedError(
      `${stateLabel(filters.state ?? "")} orders cannot be ${verb}.`,
      "nothing_to_do",
    );
  }
  const createdAt = new Date();
  const total = await prisma.order.count({
    where: inScope(await ordersMatching(shop, filters), states, createdAt),
  });
  if (total === 0)
    throw new BulkJobRefusedError(`No order in this view can be ${verb} now.`, "nothing_to_do");
  // Looked for and made in one transaction, so two clicks at once make one job.
  const job = await prisma.$transaction(async (tx) => {
    const live = await tx.bulkJob.findFirst({ where: { shop, status: { in: LIVE_STATUSES } } });
    if (live) {
      const what = `${live.intent === "retry" ? "Retry now" : "Resubmit"} · ${live.filterLabel}`;
      throw new BulkJobRefusedError(
        `Another bulk action is under way (${what}: ${live.processed} of ${live.total} done). Start this one once it has finished.`,
        "already_running",
      );
    }
    const { state, code, from, to, query } = filters;
    return tx.bulkJob.create({
      data: {
        shop,
        intent,
        filter: JSON.stringify({ state, code, from, to, query }),
        filterLabel: filterLabel(filters, states),
        total,
        summary: JSON.stringify(emptySummary()),
        createdAt,
      },
    });
  });
  return viewOf(job);
}

/** The shop's latest job while it is queued or running, or for a while after it finished; else null. */
export async function latestBulkJob(shop: string, now = new Date()): Promise<BulkJobView | null> {
  const job = await prisma.bulkJob.findFirst({ where: { shop }, orderBy: { createdAt: "desc" } });
  if (!job) return null;
  if (job.finishedAt && job.finishedAt.getTime() < now.getTime() - SHOWN_AFTER_FINISH_MS) return null;
  return viewOf(job, now);
}

function viewOf(job: BulkJob, now = new Date()): BulkJobView {
  return {
    id: job.id,
    intent: job.intent === "retry" ? "retry" : "resubmit",
    filterLabel: job.filterLabel,
    status: job.status as BulkJobStatus,
    total: job.total,
    processed: job.processed,
    summary: readSummary(job.summary),
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    stalled: job.status === "running" && (job.leaseExpiresAt?.getTime() ?? 0) < now.getTime(),
  };
}

function readSummary(text: string | null): BulkJobSummary {
  const summary = emptySummary();
  if (!text) return summary;
  try {
    const stored = JSON.parse(text) as Partial<BulkJobSummary>;
    return {
      counts: { ...summary.counts, ...stored.counts },
      examples: { ...summary.examples, ...stored.examples },
    };
  } catch {
    return summary;
  }
}

// ---------------------------------------------------------------- the worker's side

export interface BulkJobRound {
  jobId: string;
  shop: string;
  status: BulkJobStatus;
  /** Orders handled in this round. */
  handled: number;
  processed: number;
  total: number;
}

export interface RunBulkJobsOptions {
  batchSize?: number;
  /** Batches at most in this round (tests stop a job midway with it). */
  maxBatches?: number;
  budgetMs?: number;
  leaseMs?: number;
  now?: () => Date;
  log?: Logger;
}

const StoredJobSchema = z.object({ intent: z.enum(["retry", "resubmit"]), filter: ListFiltersSchema });

/**
 * Claims one job (queued, this worker's own, or one whose lease ran out) and
 * runs its batches until it ends or the round's budget is spent. Each batch
 * goes through retryNow or resubmitOrders, then its progress (cursor, count,
 * summary) and a renewed lease are written at once, only while the lease is
 * still this worker's. Returns null when no job is due.
 */
export async function runDueBulkJobs(
  workerId: string,
  options: RunBulkJobsOptions = {},
): Promise<BulkJobRound | null> {
  const now = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const job = await claimJob(workerId, now(), leaseMs);
  if (!job) return null;
  const log = (options.log ?? rootLogger).child({ shop: job.shop, bulkJob: job.id });
  const { id: jobId, shop, processed, total } = job;
  const round: BulkJobRound = { jobId, shop, status: "running", handled: 0, processed, total };
  const summary = readSummary(job.summary);
  let cursor = job.cursor;
  const mine = { id: job.id, leaseOwner: workerId, status: "running" };
  const end = async (status: "done" | "failed", data: Prisma.BulkJobUpdateManyMutationInput = {}) => {
    await prisma.bulkJob.updateMany({
      where: mine,
      data: { ...data, status, finishedAt: now(), leaseOwner: null, leaseExpiresAt: null },
    });
    round.status = status;
    return round;
  };
  try {
    const stored = StoredJobSchema.safeParse({ intent: job.intent, filter: JSON.parse(job.filter) });
    if (!stored.success)
      return await end("failed", { error: "The view this job was made for can no longer be read." });
    const { intent, filter } = stored.data;
    const base = await ordersMatching(job.shop, filter);
    const states = statesFor(intent, filter);
    const deadline = performance.now() + (options.budgetMs ?? ROUND_BUDGET_MS);
    for (
      let batches = 0;
      batches < (options.maxBatches ?? Infinity) && performance.now() < deadline;
      batches++
    ) {
      const batch = await nextBatch(base, states, job.createdAt, cursor, batchSize);
      if (batch.length === 0) return await end("done");
      const ids = batch.map((order) => order.id);
      const result = intent === "retry" ? await retryNow(job.shop, ids) : await resubmitOrders(job.shop, ids);
      tally(summary, batch, result);
      cursor = encodeCursor(batch.at(-1)!);
      round.handled += batch.length;
      round.processed += batch.length;
      const progress = { cursor, processed: round.processed, summary: JSON.stringify(summary) };
      // A short batch was the last: its progress and the end are one write.
      if (batch.length < batchSize) return await end("done", progress);
      const kept = await prisma.bulkJob.updateMany({
        where: mine,
        data: { ...progress, leaseExpiresAt: new Date(now().getTime() + leaseMs) },
      });
      if (kept.count !== 1) {
        log.warn("bulk job's lease was taken over; leaving it to the other worker");
        return round;
      }
    }
    return round;
  } catch (error) {
    log.error({ err: error }, "bulk job failed");
    const detail = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 200);
    return end("failed", {
      error: `Stopped after ${round.processed} of ${round.total} orders by an error in the app (${detail}). The orders handled so far keep what was done; start it again for the rest.`,
    });
  }
}

async function claimJob(workerId: string, now: Date, leaseMs: number): Promise<BulkJob | null> {
  const due: Prisma.BulkJobWhereInput = {
    OR: [
      { status: "queued" },
      {
        status: "running",
        OR: [{ leaseOwner: workerId }, { leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }],
      },
    ],
  };
  const job = await prisma.bulkJob.findFirst({ where: due, orderBy: { createdAt: "asc" } });
  if (!job) return null;
  const lease = { status: "running", leaseOwner: workerId, leaseExpiresAt: new Date(+now + leaseMs) };
  const claimed = await prisma.bulkJob.updateMany({
    where: { AND: [{ id: job.id }, due] },
    data: { ...lease, startedAt: job.startedAt ?? now },
  });
  return claimed.count === 1 ? { ...job, ...lease } : null;
}

/**
 * The next orders past the cursor, newest first. One query per state, each a
 * seek in the (shop, state, createdAt, id) index, merged here: asked with
 * `state IN (…)`, SQLite walks the shop's whole (shop, createdAt, id) index.
 */
async function nextBatch(
  base: Prisma.OrderWhereInput,
  states: OrderState[],
  cutoff: Date,
  cursor: string | null,
  size: number,
) {
  const past = cursor ? pastCursor(decodeCursor(cursor)) : [];
  const perState = await Promise.all(
    states.map((state) =>
      prisma.order.findMany({
        where: { AND: [base, { state }, { createdAt: { lte: cutoff } }, ...past] },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: size,
        select: { id: true, name: true, createdAt: true },
      }),
    ),
  );
  return perState
    .flat()
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, size);
}

/** Adds what the action did to each order of the batch to the summary. */
function tally(summary: BulkJobSummary, batch: { id: string; name: string }[], result: ActionSummary) {
  const nameOf = new Map(batch.map((order) => [order.id, order.name]));
  const add = (outcome: BulkOutcome, orderId: string, why?: string) => {
    summary.counts[outcome] += 1;
    const examples = summary.examples[outcome];
    if (examples.length < EXAMPLES_PER_OUTCOME)
      examples.push({ name: nameOf.get(orderId) ?? orderId, ...(why ? { why } : {}) });
  };
  for (const orderId of result.changed) {
    const verdict = result.checked?.get(orderId);
    if (!verdict || verdict.kind === "send") add("sent", orderId);
    else add(verdict.kind === "held" ? "heldAgain" : "skippedAgain", orderId, verdict.reason);
  }
  for (const { orderId, why } of result.unchanged) add("unchanged", orderId, why);
}
