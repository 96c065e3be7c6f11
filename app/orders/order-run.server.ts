import prisma, { databaseKind } from "../db.server";
import { prismaRunner, type SqlRunner } from "../db/sql.server";
import type { Logger } from "../logger.server";
import { raiseAlert, type AlertInput } from "../models/alert.server";
import { appendAttempt } from "./attempts.server";
import {
  fulfillmentHoldKind,
  fulfillmentHoldReason,
  openFulfillmentHold,
} from "./fulfillment-hold-order.server";
import { raiseCancelledAfterForward } from "./order.server";
import { applyTransition, type Moved, type OrderState, type TransitionRequest } from "./state.server";
import type { HeldVariant } from "./preflight";
import { preflightOrder } from "./preflight-input.server";
import { linesAsSent, parseLineChanges } from "./line-changes";
import { loadForwardingSettings, statusWebhookUrl, type ForwardingSettings } from "../models/shop.server";
import { parseShopifyOrder } from "./shopify-order";
import type { AttemptRecord, CreateOrderOutcome } from "../integrations/brilliant/outcome";
import { credentialsAlert, holdAlert } from "./alerts";
import type { ClaimedOrder, Forwarder, ProcessResult } from "./forwarder.server";
import { heldVariantsByBrilliantId, NO_CREDENTIALS_REASON, UNREADABLE_ORDER_REASON } from "./merchant-words";
import { settlement, stringOrNull } from "./outcome-policy";
import { gateStop } from "./pass-gate";
import { rereadAfterDelay } from "./reread-after-delay.server";

/** How far back a lookup looks before the first send, for clock differences. */
const LOOKUP_SKEW_MS = 10 * 60_000;

/** One pass over one leased order. */
export class OrderRun {
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
      // Until something is sent, the last code is only what a check foresaw:
      // a later move that foresees none (a skip, a gate, another hold) clears it.
      ...(this.attemptNumber === 0 && !attempt && fields.code === undefined ? { code: null } : {}),
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

    if (!(await rereadAfterDelay(this.order, this.shopSettings, this.forwarder.settings))) return {};
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
      await this.holdForCredentials(NO_CREDENTIALS_REASON);
      return {};
    }

    const payload = parseShopifyOrder(JSON.parse(this.order.payload));
    const lineChanges = parseLineChanges(this.order.lineChanges);
    if (!payload.success || !lineChanges.success) {
      // Ingest validated it (and the order page its line changes); this is a stored row we can no longer read.
      await this.move(
        "held",
        {
          holdKind: "app_error",
          reason: UNREADABLE_ORDER_REASON,
        },
        {
          kind: "brilliant_error",
          key: `app_error:order:${this.order.id}`,
          title: `Order ${this.order.name} cannot be read`,
          detail: "Its stored webhook body or line changes no longer validate.",
        },
      );
      return {};
    }

    const { check, mappings } = await preflightOrder({
      shop: this.shop,
      order: payload.data,
      lineChanges: lineChanges.data,
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

    const byBrilliantId = heldVariantsByBrilliantId(
      ...linesAsSent(payload.data.line_items, mappings, lineChanges.data),
    );
    const client = this.forwarder.clientFor(credentials);
    const outcome = await client.createOrder(check.request);
    return this.settle(outcome, byBrilliantId);
  }

  /** Test orders, the delay window, review-first forwarding and the shop's hold and skip tags. */
  private async passGate(): Promise<boolean> {
    const stop = gateStop(this.state, this.order, this.shopSettings, () => this.now());
    if (!stop) return true;
    await this.move(stop.to, stop.fields);
    return false;
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
    const next = settlement(outcome, byBrilliantId, {
      now,
      failures: this.attemptNumber + 1,
      retryMaxMs: this.forwarder.settings.retryMaxMs,
      backoffMs: (failures, atLeastMs) => this.forwarder.backoffMs(failures, atLeastMs),
      order: this.order,
    });
    await this.move(next.to, next.fields, next.alert, attempt);
    if (next.forwarded) await this.flagIfCancelledMeanwhile(next.forwarded.brilliantOrderId);
    return next.result;
  }
}
