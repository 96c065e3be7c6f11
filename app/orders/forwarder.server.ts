import type { Order } from "@prisma/client";
import prisma, { databaseKind } from "../db.server";
import { TransactionBatcher } from "../db/group-commit.server";
import { placeholders, rowAs, sqlFor, type Row, type SqlValue } from "../db/sql.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { takeReceivedOrders } from "./ingest.server";
import { DUE_STATES, transition, type OrderState } from "./state.server";
import { createBrilliantClient, type BrilliantClient } from "../integrations/brilliant/client.server";
import { CustomDataCache } from "../integrations/brilliant/find-order.server";
import { OrderRun } from "./order-run.server";

/** SQLite only: the pause between the worker's write transactions while it is busy. */
export const WORKER_WRITE_GAP_MS = 2;

/** How soon an order whose pass failed unexpectedly may be claimed again. */
export const FAILED_PASS_RETRY_MS = 10_000;

/**
 * At most this many (state, shop) branches in one claim that leaves shops
 * out (SQLite allows 500 in one compound SELECT); shops beyond it wait for
 * the next claim, which starts elsewhere in the list.
 */
const MAX_CLAIM_BRANCHES = 200;
/**
 * Received orders a worker round moves into Order: enough to keep far ahead
 * of the sends, few enough that the transaction holds the write lock (on
 * SQLite, which the webhooks' appends wait for) ~10 ms at most.
 */
const RECEIVED_PER_ROUND = 200;
/** How long such a claim reuses its list of the shops with orders in each due state. */
const CLAIM_SHOPS_TTL_MS = 1_000;

export interface ForwarderOptions {
  workerId: string;
  leaseMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  brilliantBaseUrl: string;
  brilliantTimeoutMs: number;
  appUrl: string;
  random?: () => number;
  now?: () => Date;
  logger?: Logger;
}

export type ClaimedOrder = Order;

/** What the worker loop learns from processing one order. */
export interface ProcessResult {
  /** Brilliant asked us to slow down for this shop until then. */
  throttledUntil?: Date;
}

/**
 * The worker's side of the forwarding state machine: claims due orders with a
 * lease, runs pre-flight, sends, and records every outcome through
 * `transition`. It never sends an order whose earlier attempt may have reached
 * Brilliant without first looking it up there.
 */
export class Forwarder {
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly lookupCaches = new Map<string, CustomDataCache>();
  private claimRotation = 0;
  private dueShopList: { at: number; pairs: [OrderState, string][] } | null = null;
  /**
   * This process's group commit: claims and moves of the orders in flight
   * share transactions, so the worker takes the database's write lock once
   * for many orders rather than three times per order.
   */
  // On SQLite, a gap between the worker's transactions lets the web process's
  // webhook writes in (group-commit.server.ts).
  readonly writes = new TransactionBatcher(() => sqlFor(), {
    gapMs: databaseKind() === "sqlite" ? WORKER_WRITE_GAP_MS : 0,
  });

  constructor(private readonly options: ForwarderOptions) {
    this.log = (options.logger ?? rootLogger).child({ worker: options.workerId });
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  /**
   * A worker that died while an order was `sending` never learned whether
   * Brilliant took it. Once its lease has run out the order becomes `unknown`,
   * so the next worker looks it up before anything is sent again.
   */
  async recoverAbandonedSends(): Promise<number> {
    const now = this.now();
    const stale = await prisma.order.findMany({
      where: { state: "sending", leaseExpiresAt: { lt: now } },
      select: { id: true, shop: true, leaseOwner: true },
      take: 200,
    });
    let recovered = 0;
    for (const order of stale) {
      const moved = await transition({
        shop: order.shop,
        orderId: order.id,
        from: "sending",
        to: "unknown",
        actor: "worker",
        leaseOwner: order.leaseOwner ?? undefined,
        reason:
          "The worker sending this order stopped before Brilliant answered. Checking whether Brilliant has it before sending again.",
        nextAttemptAt: now,
      });
      if (moved) recovered += 1;
    }
    if (recovered > 0) this.log.warn({ recovered }, "recovered orders abandoned while sending");
    return recovered;
  }

  /** Leases up to `limit` due orders, skipping the shops named (throttled or at their limit). */
  async claimDue(
    limit: number,
    excludeShops: readonly string[] = [],
    excludeOrderIds: readonly string[] = [],
  ): Promise<ClaimedOrder[]> {
    if (limit <= 0) return [];
    const now = this.now();
    const leaseExpiresAt = new Date(now.getTime() + this.options.leaseMs);
    const postgres = databaseKind() === "postgresql";
    const leaseFree = `("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < ?)`;
    // The oldest due orders of each due state, each read in the order of an
    // index and stopping at `limit`; then the oldest of those. A single
    // `state IN (…) ORDER BY nextAttemptAt` would read and sort every due order
    // first.
    // - No shop left out: one branch per state, on (state, nextAttemptAt).
    // - Shops left out (at their per-shop limit): one branch per state and
    //   other shop with orders in that state, on (state, shop, nextAttemptAt).
    //   `shop NOT IN (…)` on the first index would walk every due order of the
    //   shops left out before reaching another shop's.
    const sources: [OrderState, string | null][] =
      excludeShops.length === 0
        ? DUE_STATES.map((state) => [state, null])
        : (await this.dueShops())
            .filter(([, shop]) => !excludeShops.includes(shop))
            .slice(0, MAX_CLAIM_BRANCHES);
    if (sources.length === 0) return [];
    const branches: string[] = [];
    const params: SqlValue[] = [this.options.workerId, leaseExpiresAt];
    for (const [index, [state, shop]] of sources.entries()) {
      let branch = `SELECT "id", "nextAttemptAt" FROM "Order" WHERE "state" = ?`;
      params.push(state);
      if (shop !== null) {
        branch += ` AND "shop" = ?`;
        params.push(shop);
      }
      branch += ` AND "nextAttemptAt" <= ? AND ${leaseFree}`;
      params.push(now, now);
      // An order this process is still working on is never claimed twice by it.
      if (excludeOrderIds.length > 0) {
        branch += ` AND "id" NOT IN (${placeholders(excludeOrderIds.length)})`;
        params.push(...excludeOrderIds);
      }
      branch += ` ORDER BY "nextAttemptAt" LIMIT ?`;
      params.push(limit);
      // Other workers skip the rows this one is claiming rather than queue behind them.
      if (postgres) branch += " FOR UPDATE SKIP LOCKED";
      branches.push(`SELECT "id", "nextAttemptAt" FROM (${branch}) AS due_${index}`);
    }
    params.push(limit);
    const candidates = `SELECT "id" FROM (${branches.join(" UNION ALL ")}) AS due ORDER BY "nextAttemptAt" LIMIT ?`;
    // One statement claims the batch, so two workers can never both hold one order:
    // - SQLite runs it under the database's one write lock, candidates and update at once
    //   (checking state and lease again outside the subquery would only make SQLite
    //   scan every due order instead of looking the ids up);
    // - PostgreSQL locks the candidate rows (skipping those another worker is
    //   claiming) and checks state and lease again on each row as it updates it.
    const due = placeholders(DUE_STATES.length);
    const rows = await this.writes.run((tx) =>
      tx.all<Row>(
        `UPDATE "Order" SET "leaseOwner" = ?, "leaseExpiresAt" = ?
         WHERE "id" IN (${candidates})${postgres ? ` AND "state" IN (${due}) AND ${leaseFree}` : ""}
         RETURNING *`,
        postgres ? [...params, ...DUE_STATES, now] : params,
      ),
    );
    return rows
      .map((row) => rowAs<ClaimedOrder>("Order", row))
      .sort((a, b) => (a.nextAttemptAt?.getTime() ?? 0) - (b.nextAttemptAt?.getTime() ?? 0));
  }

  /**
   * Orders acknowledged to Shopify since the last round, into Order (where
   * claims and chores read them), up to RECEIVED_PER_ROUND at a time.
   */
  async takeReceivedOrders(): Promise<void> {
    const move = await takeReceivedOrders((work) => this.writes.run(work), RECEIVED_PER_ROUND);
    // New shops may have due orders now.
    if (move.created > 0) this.dueShopList = null;
  }

  /**
   * Each (state, shop) with an order in one of the due states, shops in a
   * different order each call so that no shop is always last when there are
   * more than a claim takes. One seek per shop on (state, shop, nextAttemptAt)
   * (a loose index scan), however many orders each shop has; read again at
   * most every CLAIM_SHOPS_TTL_MS, as claims can come once per order settled
   * (a shop's first order in a state waits that long, when shops are left out).
   */
  private async dueShops(): Promise<[OrderState, string][]> {
    if (!this.dueShopList || Date.now() - this.dueShopList.at >= CLAIM_SHOPS_TTL_MS) {
      this.dueShopList = { at: Date.now(), pairs: await this.shopsWithOrdersIn(DUE_STATES) };
    }
    const { pairs } = this.dueShopList;
    const start = pairs.length > 0 ? this.claimRotation++ % pairs.length : 0;
    return [...pairs.slice(start), ...pairs.slice(0, start)];
  }

  private async shopsWithOrdersIn(states: readonly OrderState[]): Promise<[OrderState, string][]> {
    const scans = states.map(
      (_, index) =>
        `s${index}("shop") AS (SELECT MIN("shop") FROM "Order" WHERE "state" = ?
         UNION ALL SELECT (SELECT MIN("shop") FROM "Order" WHERE "state" = ? AND "shop" > s${index}."shop")
         FROM s${index} WHERE s${index}."shop" IS NOT NULL)`,
    );
    const selects = states.map(
      (_, index) => `SELECT ${index} AS "state", "shop" FROM s${index} WHERE "shop" IS NOT NULL`,
    );
    const rows = await sqlFor().all<{ state: number | string; shop: string }>(
      `WITH RECURSIVE ${scans.join(", ")} ${selects.join(" UNION ALL ")}`,
      states.flatMap((state) => [state, state]),
    );
    return rows.map((row): [OrderState, string] => [states[Number(row.state)]!, row.shop]);
  }

  /**
   * SQLite's count of commits made by other connections (`PRAGMA
   * data_version`): it changes when another process (the web server taking a
   * webhook, another worker) wrote. Null on PostgreSQL.
   */
  async othersCommits(): Promise<number | null> {
    if (databaseKind() !== "sqlite") return null;
    const [row] = await sqlFor().all<{ data_version: number }>("PRAGMA data_version");
    return row ? Number(row.data_version) : null;
  }

  /** Lets go of a claimed order without changing its state (shutdown, shop paused). */
  async release(order: ClaimedOrder): Promise<void> {
    await sqlFor().run(
      `UPDATE "Order" SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL
       WHERE "id" = ? AND "leaseOwner" = ? AND "state" <> 'sending'`,
      [order.id, this.options.workerId],
    );
  }

  async process(order: ClaimedOrder): Promise<ProcessResult> {
    const log = this.log.child({ shop: order.shop, orderId: order.id });
    const run = new OrderRun(this, order, log);
    // A long lookup or a slow Brilliant can outlast the lease: renew it while
    // this worker is alive, so nobody else starts a second pass meanwhile.
    const heartbeat = setInterval(
      () => {
        this.leaseFor(order.id, this.options.leaseMs).catch((error) =>
          log.warn({ err: error }, "lease renewal failed"),
        );
      },
      Math.max(50, Math.floor(this.options.leaseMs / 3)),
    );
    try {
      return await run.go();
    } catch (error) {
      // This pass is over: the lease is cut short so that the order is picked
      // up again in seconds, not after a whole lease. A `sending` order becomes
      // `unknown` first and is looked up, so nothing is sent twice on a guess.
      log.error({ err: error }, "processing an order failed");
      await this.leaseFor(order.id, Math.min(FAILED_PASS_RETRY_MS, this.options.leaseMs)).catch(
        (failure: unknown) => log.warn({ err: failure }, "could not shorten the lease of a failed pass"),
      );
      return {};
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * This worker's lease on the order now ends `ms` from now: a whole lease
   * (the heartbeat of a pass), or FAILED_PASS_RETRY_MS after a failed pass.
   */
  private async leaseFor(orderId: string, ms: number): Promise<void> {
    await sqlFor().run(`UPDATE "Order" SET "leaseExpiresAt" = ? WHERE "id" = ? AND "leaseOwner" = ?`, [
      new Date(this.now().getTime() + ms),
      orderId,
      this.options.workerId,
    ]);
  }

  backoffMs(failures: number, atLeastMs = 0): number {
    const exponential = Math.min(
      this.options.retryMaxMs,
      this.options.retryBaseMs * 2 ** Math.max(0, failures - 1),
    );
    // Equal jitter: never less than half the step, so retries spread without bunching.
    const jittered = exponential / 2 + (this.random() * exponential) / 2;
    return Math.max(atLeastMs, Math.round(jittered));
  }

  /** Per shop: what each Brilliant order's custom_data said, so lookups read only new orders. */
  lookupCache(shop: string): CustomDataCache {
    let cache = this.lookupCaches.get(shop);
    if (!cache) {
      cache = new CustomDataCache();
      this.lookupCaches.set(shop, cache);
    }
    return cache;
  }

  clientFor(credentials: { apiKey: string; apiSecret: string }): BrilliantClient {
    return createBrilliantClient({
      baseUrl: this.options.brilliantBaseUrl,
      apiKey: credentials.apiKey,
      apiSecret: credentials.apiSecret,
      timeoutMs: this.options.brilliantTimeoutMs,
    });
  }

  get settings() {
    return { ...this.options, now: this.now };
  }
}
