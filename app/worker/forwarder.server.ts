import type { Order } from "@prisma/client";
import prisma, { databaseKind } from "../db.server";
import { TransactionBatcher } from "../db/group-commit.server";
import {
  placeholders,
  prismaRunner,
  rowAs,
  sqlFor,
  type Row,
  type SqlRunner,
  type SqlValue,
} from "../db/sql.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { raiseAlert, type AlertInput } from "../models/alert.server";
import { appendAttempt } from "../models/forward-attempt.server";
import {
  fulfillmentHoldKind,
  fulfillmentHoldReason,
  openFulfillmentHold,
} from "../models/fulfillment-hold.server";
import { inboxHolds, moveInboxIn } from "../models/order-inbox.server";
import { raiseCancelledAfterForward } from "../models/order.server";
import {
  applyTransition,
  DUE_STATES,
  transition,
  type HoldKind,
  type Moved,
  type OrderState,
  type TransitionRequest,
} from "../models/order-state.server";
import { preflight, TEST_ORDER_SKIP_REASON, type HeldVariant } from "../models/preflight";
import { loadCatalog, loadMappings } from "../models/preflight-input.server";
import { loadForwardingSettings, statusWebhookUrl, type ForwardingSettings } from "../models/shop.server";
import { parseShopifyOrder } from "../models/shopify-order";
import { createBrilliantClient, type BrilliantClient } from "../services/brilliant/client.server";
import { CustomDataCache } from "../services/brilliant/find-order.server";
import type { AttemptRecord, CreateOrderOutcome, MerchantActionReason } from "../services/brilliant/outcome";

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
 * Inbox rows a claim moves into Order (decision 010): enough to keep far
 * ahead of the sends, few enough that the claim's transaction holds the
 * write lock (on SQLite, which the webhooks' appends wait for) ~10 ms at most.
 */
const WORKER_INBOX_MOVE_LIMIT = 200;
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

const MERCHANT_HOLDS: Record<
  MerchantActionReason,
  { holdKind: HoldKind; alertKind: AlertInput["kind"]; what: string }
> = {
  address: { holdKind: "address", alertKind: "address", what: "Brilliant refused the shipping address" },
  unknown_variant: {
    holdKind: "mapping",
    alertKind: "mapping",
    what: "Brilliant does not have one of the mapped variants in your store",
  },
  stock: { holdKind: "stock", alertKind: "stock", what: "Brilliant has too little stock for this order" },
  inactive_variant: {
    holdKind: "inactive_variant",
    alertKind: "inactive_variant",
    what: "A variant in this order is inactive at Brilliant",
  },
};

const NEXT_STEP: Record<MerchantActionReason, string> = {
  address: "Fix the shipping address, then resubmit the order.",
  unknown_variant: "Check the mapping of the variants named here; the order goes out once they are fixed.",
  stock: "Ask Brilliant to restock; the order goes out when stock returns.",
  inactive_variant: "Ask Brilliant to reactivate the variant, or map it to an active one.",
};

/** How far back a lookup looks before the first send, for clock differences. */
const LOOKUP_SKEW_MS = 10 * 60_000;

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
    await this.moveFromInbox();
    const now = this.now();
    const leaseExpiresAt = new Date(now.getTime() + this.options.leaseMs);
    const postgres = databaseKind() === "postgresql";
    const leaseFree = `("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < ?)`;
    // The oldest due orders of each due state, each read in the order of an
    // index and stopping at `limit`; then the oldest of those. A single
    // `state IN (…) ORDER BY nextAttemptAt` would read and sort every due order
    // first (~300 ms per claim with 100k backlogged).
    // - No shop left out: one branch per state, on (state, nextAttemptAt).
    // - Shops left out (at their per-shop limit): one branch per state and
    //   other shop with orders in that state, on (state, shop, nextAttemptAt).
    //   `shop NOT IN (…)` on the first index would walk every due order of the
    //   shops left out before reaching another shop's: 40–240 ms per claim
    //   behind one shop's 100k backlog (docs/performance.md).
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
   * Orders Shopify sent since the last claim come from the inbox into Order
   * (decision 010), up to WORKER_INBOX_MOVE_LIMIT at a time; a read first,
   * so that a claim with nothing to move takes no write lock for it.
   */
  private async moveFromInbox(): Promise<void> {
    if (!(await inboxHolds())) return;
    const move = await this.writes.run((tx) => moveInboxIn(tx, {}, WORKER_INBOX_MOVE_LIMIT));
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

/** One pass over one leased order. */
class OrderRun {
  private state: OrderState;
  private attemptNumber: number;
  private shopSettings: ForwardingSettings | null = null;
  /** What the last successful move reported about the order. */
  private lastMove: Moved | null = null;

  constructor(
    private readonly forwarder: Forwarder,
    private readonly order: ClaimedOrder,
    private readonly log: Logger,
  ) {
    this.state = order.state as OrderState;
    this.attemptNumber = order.attemptCount;
  }

  private get shop() {
    return this.order.shop;
  }

  private get workerId() {
    return this.forwarder.settings.workerId;
  }

  private now() {
    return this.forwarder.settings.now();
  }

  /** Moves the order on and remembers where it now is. */
  private async move(
    to: OrderState,
    fields: Omit<TransitionRequest, "shop" | "orderId" | "from" | "to" | "actor" | "leaseOwner">,
    alert?: Omit<AlertInput, "shop">,
    attempt?: Parameters<OrderRun["recordAttempt"]>[2],
  ): Promise<boolean> {
    const request: TransitionRequest = {
      ...fields,
      shop: this.shop,
      orderId: this.order.id,
      from: this.state,
      to,
      actor: "worker",
      leaseOwner: this.workerId,
    };
    const attemptNumber = attempt ? this.attemptNumber + 1 : this.attemptNumber;
    // The compare-and-set comes first: when somebody else moved the order,
    // nothing else is written, so a lost race needs no rollback.
    const apply = async (tx: SqlRunner) => {
      const result = await applyTransition(
        tx,
        attempt ? { ...request, data: { ...request.data, attemptCount: attemptNumber } } : request,
      );
      if (result && attempt) await this.recordAttempt(tx, attemptNumber, attempt);
      return result;
    };
    // Most moves join the worker's group commit (direct SQL, many orders per
    // transaction); one that raises an alert uses Prisma's transaction, so the
    // alert commits with the move or not at all.
    const moved = alert
      ? await prisma.$transaction(async (tx) => {
          const result = await apply(prismaRunner(tx, databaseKind()));
          if (result) {
            await raiseAlert(
              { ...alert, shop: this.shop, orderIds: [this.order.id, ...(alert.orderIds ?? [])] },
              tx,
            );
          }
          return result;
        })
      : await this.forwarder.writes.run(apply);
    if (moved) this.attemptNumber = attemptNumber;
    this.lastMove = moved;
    if (moved) this.state = to;
    else this.log.warn({ from: this.state, to }, "order moved by someone else; leaving it");
    return moved !== null;
  }

  private async recordAttempt(
    tx: SqlRunner,
    number: number,
    attempt: {
      kind: "create" | "lookup";
      outcome: string;
      record: AttemptRecord;
      invalidRecords?: unknown[];
      responseOverride?: string;
    },
  ) {
    await appendAttempt(tx, {
      shop: this.shop,
      orderId: this.order.id,
      number,
      workerId: this.workerId,
      ...attempt,
    });
  }

  async go(): Promise<ProcessResult> {
    this.shopSettings = await loadForwardingSettings(this.shop);

    if (this.state === "unknown") {
      const found = await this.resolveUnknown();
      if (found !== "absent") return {};
    } else if (this.order.cancelledAt) {
      await this.move("cancelled", {
        reason: "Cancelled in Shopify before it was sent: Brilliant never got it.",
      });
      return {};
    }

    if ((this.state === "received" || this.state === "waiting") && !(await this.passGate())) return {};

    // On hold in Shopify (fulfillment_orders/placed_on_hold): never sent until the hold is released.
    // Checked past the gate, so the delay, review and tags still apply once it is released.
    // A new hold of the shop whose order Shopify has not named yet may be this one's: it waits too.
    const fulfillmentHold = await openFulfillmentHold(
      this.shop,
      this.order.shopifyOrderId,
      this.order.shopifyCreatedAt,
    );
    if (fulfillmentHold) {
      const reason = fulfillmentHoldReason(fulfillmentHold);
      // After a lookup found it absent, `unknown` may only wait; the release brings it forward.
      if (this.state === "unknown")
        await this.move("unknown", {
          reason,
          nextAttemptAt: new Date(
            this.now().getTime() + (fulfillmentHold.pendingLookup ? 30_000 : 3_600_000),
          ),
        });
      else await this.move("held", { holdKind: fulfillmentHoldKind(fulfillmentHold), reason });
      return {};
    }

    const credentials = this.shopSettings?.credentials ?? null;
    if (!credentials) {
      await this.holdForCredentials(
        "No Brilliant API key and secret are saved for this shop. Add them in Settings; held orders then go out.",
      );
      return {};
    }

    const payload = parseShopifyOrder(JSON.parse(this.order.payload));
    if (!payload.success) {
      // Ingest validated it; this is a stored row we can no longer read.
      await this.move(
        "held",
        {
          holdKind: "app_error",
          reason: "Brilliant Sync cannot read this order's stored data. Contact support; nothing was sent.",
        },
        {
          kind: "brilliant_error",
          key: `app_error:order:${this.order.id}`,
          title: `Order ${this.order.name} cannot be read`,
          detail: "Its stored webhook body no longer validates.",
        },
      );
      return {};
    }

    const mappings = await loadMappings(
      this.shop,
      payload.data.line_items.map((line) => line.variant_id).filter((id): id is string => Boolean(id)),
    );
    const check = preflight({
      shop: this.shop,
      order: payload.data,
      mappings,
      catalog: await loadCatalog(this.shop, [...new Set(mappings.values())]),
      statusWebhookUrl: statusWebhookUrl(this.forwarder.settings.appUrl, this.shopSettings!),
      forwardTestOrders: this.shopSettings!.forwardTestOrders,
    });
    if (check.kind === "skip") {
      await this.move("skipped", { reason: check.reason });
      return {};
    }
    if (check.kind === "hold") {
      await this.move(
        "held",
        { holdKind: check.holdKind, code: check.foreseenCode, message: null, reason: check.reason },
        holdAlert(this.order.name, check.holdKind, check.variants, check.reason, this.order.id),
      );
      return {};
    }

    const leaseExpiresAt = new Date(this.now().getTime() + this.forwarder.settings.leaseMs);
    const sending = await this.move("sending", {
      reason: "Sending to Brilliant.",
      keepLease: true,
      data: { leaseExpiresAt },
    });
    if (!sending) return {};

    // Brilliant names refused variants by its own id; the merchant knows them by Shopify title and SKU.
    const byBrilliantId = new Map<string, HeldVariant>();
    for (const line of payload.data.line_items) {
      const brilliantVariantId = line.variant_id ? mappings.get(line.variant_id) : undefined;
      if (brilliantVariantId && !byBrilliantId.has(brilliantVariantId)) {
        byBrilliantId.set(brilliantVariantId, {
          shopifyVariantId: line.variant_id ?? null,
          brilliantVariantId,
          title: line.variant_title
            ? `${line.title} (${line.variant_title})`
            : (line.title ?? `Brilliant variant ${brilliantVariantId}`),
          sku: line.sku ?? null,
        });
      }
    }
    const client = this.forwarder.clientFor(credentials);
    const outcome = await client.createOrder(check.request);
    return this.settle(outcome, byBrilliantId);
  }

  /** Test orders, the delay window, review-first forwarding and the shop's hold and skip tags. */
  private async passGate(): Promise<boolean> {
    const settings = this.shopSettings;
    const payload = JSON.parse(this.order.payload) as { tags?: string | null; test?: unknown };
    // Pre-flight skips it anyway; skipped here, no review or wait is spent on an order that never goes.
    if (payload.test === true && !settings?.forwardTestOrders) {
      await this.move("skipped", { reason: TEST_ORDER_SKIP_REASON });
      return false;
    }
    if (!settings) return true;
    const tags = new Set(
      (payload.tags ?? "")
        .split(",")
        .map((tag) => tag.trim().toLowerCase())
        .filter(Boolean),
    );
    const listed = (value: string) =>
      value
        .split(",")
        .map((tag) => tag.trim().toLowerCase())
        .filter(Boolean);
    const skipTag = listed(settings.skipTags).find((tag) => tags.has(tag));
    if (skipTag) {
      await this.move("skipped", {
        reason: `Tagged "${skipTag}", one of your skip tags: not sent to Brilliant.`,
      });
      return false;
    }
    const holdTag = listed(settings.holdTags).find((tag) => tags.has(tag));
    if (holdTag) {
      await this.move("held", {
        holdKind: "hold_tag",
        reason: `Tagged "${holdTag}", one of your hold tags. Resubmit it when it may go to Brilliant.`,
      });
      return false;
    }
    if (this.state === "received" && settings.forwardingDelaySeconds > 0) {
      const due = new Date(this.order.createdAt.getTime() + settings.forwardingDelaySeconds * 1000);
      if (due > this.now()) {
        await this.move("waiting", {
          reason: `Waiting out your ${settings.forwardingDelaySeconds}-second forwarding delay, until ${due.toISOString()}.`,
          nextAttemptAt: due,
        });
        return false;
      }
    }
    if (settings.forwardingMode === "review") {
      await this.move("held", {
        holdKind: "review",
        reason: "Waiting for your review (review-first forwarding is on). Forward it or skip it.",
      });
      return false;
    }
    return true;
  }

  private async holdForCredentials(reason: string) {
    if (this.state === "unknown") {
      // An unknown order can only leave `unknown` through a lookup, which needs credentials.
      await this.move(
        "unknown",
        {
          reason: `${reason} (Brilliant may already have this order; it is looked up first.)`,
          nextAttemptAt: new Date(this.now().getTime() + this.forwarder.backoffMs(2)),
        },
        credentialsAlert(),
      );
      return;
    }
    await this.move("held", { holdKind: "credentials", reason }, credentialsAlert());
  }

  /**
   * Brilliant may or may not have this order. Look for it by our custom_data
   * among the orders created since the first attempt: found means forwarded;
   * certainly absent means it may be sent again; anything else waits.
   */
  private async resolveUnknown(): Promise<"found" | "absent" | "undecided"> {
    const credentials = this.shopSettings?.credentials ?? null;
    if (!credentials) {
      await this.holdForCredentials(
        "No usable Brilliant API key and secret are saved for this shop. Add them in Settings.",
      );
      return "undecided";
    }
    const firstCreate = await prisma.forwardAttempt.findFirst({
      where: { orderId: this.order.id, kind: "create" },
      orderBy: { number: "asc" },
      select: { startedAt: true },
    });
    const notBefore = new Date((firstCreate?.startedAt ?? this.order.createdAt).getTime() - LOOKUP_SKEW_MS);
    const client = this.forwarder.clientFor(credentials);
    const lookup = await client.findOrderByCustomData(
      { shopifyShop: this.shop, shopifyOrderId: this.order.shopifyOrderId },
      { notBefore, maxPages: 500, cache: this.forwarder.lookupCache(this.shop) },
    );
    const last = lookup.attempts.at(-1);
    const summary = JSON.stringify({
      result: lookup.kind,
      pagesChecked: lookup.pagesChecked,
      ordersChecked: lookup.ordersChecked,
      ...(lookup.kind === "found" ? { brilliantOrderId: lookup.brilliantOrderId } : {}),
      ...(lookup.kind === "inconclusive" ? { reason: lookup.reason } : {}),
    });
    const record: AttemptRecord = last ?? {
      request: { method: "GET", path: "/store/orders", body: null },
      httpStatus: null,
      rawBody: null,
      code: null,
      message: null,
      durationMs: 0,
      startedAt: this.now().toISOString(),
    };
    const attempt = { kind: "lookup" as const, outcome: lookup.kind, record, responseOverride: summary };

    if (lookup.kind === "found") {
      await this.move(
        "forwarded",
        {
          reason: `Brilliant has it as order ${lookup.brilliantOrderId} (found by lookup after an unclear answer).`,
          code: 1200,
          message: null,
          data: {
            brilliantOrderId: lookup.brilliantOrderId,
            brilliantStatus: stringOrNull(lookup.order.status),
            brilliantShipStatus: stringOrNull(lookup.order.ship_status),
            forwardedAt: this.now(),
          },
        },
        undefined,
        attempt,
      );
      await this.flagIfCancelledMeanwhile(lookup.brilliantOrderId);
      return "found";
    }
    if (lookup.kind === "not_found") {
      if (this.order.cancelledAt) {
        await this.move(
          "cancelled",
          { reason: "Cancelled in Shopify; Brilliant never got it (checked)." },
          undefined,
          attempt,
        );
        return "undecided";
      }
      // Record the lookup now; the send that follows moves unknown → sending.
      const number = this.attemptNumber + 1;
      await this.forwarder.writes.run(async (tx) => {
        await this.recordAttempt(tx, number, attempt);
        await tx.run(`UPDATE "Order" SET "attemptCount" = ?, "updatedAt" = ? WHERE "id" = ?`, [
          number,
          this.now(),
          this.order.id,
        ]);
      });
      this.attemptNumber = number;
      return "absent";
    }
    const failures = await this.countFailures();
    await this.move(
      "unknown",
      {
        reason:
          "Brilliant's answer was unclear and the lookup could not finish; it is looked up again before anything is resent.",
        nextAttemptAt: new Date(this.now().getTime() + this.forwarder.backoffMs(failures)),
      },
      undefined,
      attempt,
    );
    return "undecided";
  }

  /** A cancellation that arrived while the order was in flight is only now known to be too late. */
  private async flagIfCancelledMeanwhile(brilliantOrderId: string | null) {
    // The move to forwarded read cancelledAt back as it wrote (RETURNING).
    if (this.lastMove?.cancelledAt) {
      await raiseCancelledAfterForward(this.shop, this.order.id, this.order.name, brilliantOrderId);
    }
  }

  private async countFailures(): Promise<number> {
    return prisma.forwardAttempt.count({ where: { orderId: this.order.id, outcome: { not: "accepted" } } });
  }

  /** Records the answer to POST /store/order and moves the order accordingly. */
  private async settle(
    outcome: CreateOrderOutcome,
    byBrilliantId: ReadonlyMap<string, HeldVariant>,
  ): Promise<ProcessResult> {
    const now = this.now();
    const attempt = {
      kind: "create" as const,
      outcome: outcome.kind,
      record: outcome,
      invalidRecords: "invalidRecords" in outcome ? outcome.invalidRecords : undefined,
    };
    const failures = this.attemptNumber + 1;
    switch (outcome.kind) {
      case "accepted": {
        const id = outcome.brilliantOrderId;
        await this.move(
          "forwarded",
          {
            reason: id
              ? `Brilliant accepted it as order ${id}.`
              : "Brilliant accepted it (its answer carried no order id).",
            code: outcome.code,
            message: outcome.message,
            data: {
              brilliantOrderId: id,
              brilliantStatus: stringOrNull(outcome.order.status),
              brilliantShipStatus: stringOrNull(outcome.order.ship_status),
              forwardedAt: now,
            },
          },
          undefined,
          attempt,
        );
        await this.flagIfCancelledMeanwhile(id);
        return {};
      }
      case "needs_merchant_action": {
        const hold = MERCHANT_HOLDS[outcome.reason];
        const variants = variantsFromInvalidRecords(outcome.invalidRecords, byBrilliantId);
        const named = variants.length > 0 ? ` (${variants.map(nameOf).join(", ")})` : "";
        // Brilliant's own message stays in lastMessage and the attempt; the reason is the merchant's.
        const reason = `${hold.what}${named}. ${NEXT_STEP[outcome.reason]}`;
        await this.move(
          "held",
          { holdKind: hold.holdKind, code: outcome.code, message: outcome.message, reason },
          holdAlert(this.order.name, hold.holdKind, variants, reason, this.order.id),
          attempt,
        );
        return {};
      }
      case "rejected": {
        const reason = `Brilliant refused the order Brilliant Sync built (${outcome.code}: ${outcome.message ?? outcome.reason}). This is our bug: contact support. Nothing was created at Brilliant.`;
        await this.move(
          "held",
          { holdKind: "app_error", code: outcome.code, message: outcome.message, reason },
          {
            kind: "brilliant_error",
            key: `app_error:order:${this.order.id}`,
            title: `Order ${this.order.name} was refused by Brilliant`,
            detail: reason,
          },
          attempt,
        );
        return {};
      }
      case "retryable": {
        // Brilliant's (or the client's suggested) wait is a floor, within our configured ceiling.
        const wait = this.forwarder.backoffMs(
          failures,
          Math.min(outcome.retryAfterMs, this.forwarder.settings.retryMaxMs),
        );
        const nextAttemptAt = new Date(now.getTime() + wait);
        await this.move(
          "retrying",
          {
            reason: `Brilliant could not take it just now (${describeAnswer(outcome.reason, outcome.code)}); it did not create the order. Next try at ${nextAttemptAt.toISOString()}.`,
            code: outcome.code,
            message: outcome.message,
            nextAttemptAt,
          },
          undefined,
          attempt,
        );
        return {};
      }
      case "throttled": {
        const wait = this.forwarder.backoffMs(
          1,
          Math.min(outcome.retryAfterMs ?? 0, this.forwarder.settings.retryMaxMs),
        );
        const nextAttemptAt = new Date(now.getTime() + wait);
        await this.move(
          "retrying",
          {
            reason: `Brilliant asked us to slow down (HTTP 429). Next try at ${nextAttemptAt.toISOString()}.`,
            code: outcome.code,
            message: outcome.message,
            nextAttemptAt,
          },
          undefined,
          attempt,
        );
        return { throttledUntil: nextAttemptAt };
      }
      case "bad_credentials": {
        await this.move(
          "held",
          {
            holdKind: "credentials",
            code: outcome.code,
            message: outcome.message,
            reason:
              "Brilliant refused the saved API key and secret (HTTP 401). Check them in Settings; held orders then go out.",
          },
          credentialsAlert(),
          attempt,
        );
        return {};
      }
      case "unknown": {
        const nextAttemptAt = new Date(now.getTime() + this.forwarder.backoffMs(1));
        await this.move(
          "unknown",
          {
            reason: `Brilliant's answer was unclear (${describeAnswer(outcome.cause, outcome.code)}), so it may or may not have the order. It is looked up at Brilliant before anything is resent.`,
            code: outcome.code,
            message: outcome.message,
            nextAttemptAt,
          },
          outcome.cause === "undocumented_code" ||
            outcome.cause === "non_json" ||
            outcome.cause === "invalid_response"
            ? {
                kind: "brilliant_error",
                key: `brilliant_answer:${outcome.cause}`,
                title: "Brilliant gave answers the app does not understand",
                detail: `Latest: ${outcome.cause}${outcome.code ? ` (code ${outcome.code})` : ""}. Orders affected are looked up before any resend; their raw answers are kept on each order.`,
              }
            : undefined,
          attempt,
        );
        return {};
      }
    }
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : value == null ? null : String(value);
}

/** Brilliant's code when it gave one, else the client's reason (`network_error` → "network error"). */
function describeAnswer(reason: string, code: number | null): string {
  if (code) return `code ${code}`;
  return reason.replace(/_/g, " ");
}

function credentialsAlert(): Omit<AlertInput, "shop"> {
  return {
    kind: "credentials",
    key: "credentials",
    title: "Brilliant credentials are missing or refused",
    detail: "Orders wait until a working Brilliant API key and secret are saved in Settings.",
  };
}

function holdAlert(
  orderName: string,
  holdKind: HoldKind,
  variants: HeldVariant[],
  reason: string,
  orderId: string,
): Omit<AlertInput, "shop"> | undefined {
  const first = variants[0];
  switch (holdKind) {
    case "mapping": {
      const id = first?.shopifyVariantId ?? first?.brilliantVariantId;
      return {
        kind: "mapping",
        key: id ? `mapping:variant:${id}` : `mapping:order:${orderId}`,
        title: first
          ? `${first.title} cannot be sent to Brilliant`
          : `Order ${orderName} has a variant Brilliant does not know`,
        detail: reason,
      };
    }
    case "stock":
      return {
        kind: "stock",
        key: first?.brilliantVariantId
          ? `stock:variant:${first.brilliantVariantId}`
          : `stock:order:${orderId}`,
        title: first
          ? `Not enough stock at Brilliant: ${first.title}`
          : `Not enough stock at Brilliant for order ${orderName}`,
        detail: reason,
      };
    case "inactive_variant":
      return {
        kind: "inactive_variant",
        key: first?.brilliantVariantId
          ? `inactive:variant:${first.brilliantVariantId}`
          : `inactive:order:${orderId}`,
        title: first ? `Inactive at Brilliant: ${first.title}` : `Order ${orderName} has an inactive variant`,
        detail: reason,
      };
    case "address":
      return {
        kind: "address",
        key: `address:order:${orderId}`,
        title: `Order ${orderName} has an address Brilliant cannot ship to`,
        detail: reason,
      };
    default:
      return undefined;
  }
}

function nameOf(variant: HeldVariant): string {
  return variant.sku ? `${variant.title} [SKU ${variant.sku}]` : variant.title;
}

/** Brilliant's invalid_records name the offending order items when it refuses variants. */
function variantsFromInvalidRecords(
  records: unknown[],
  byBrilliantId: ReadonlyMap<string, HeldVariant>,
): HeldVariant[] {
  const variants: HeldVariant[] = [];
  for (const record of records) {
    if (record && typeof record === "object" && "variant_id" in record) {
      const id = (record as { variant_id: unknown }).variant_id;
      if (typeof id === "number" || typeof id === "string") {
        variants.push(
          byBrilliantId.get(String(id)) ?? {
            shopifyVariantId: null,
            brilliantVariantId: String(id),
            title: `Brilliant variant ${id}`,
            sku: null,
          },
        );
      }
    }
  }
  return variants;
}
