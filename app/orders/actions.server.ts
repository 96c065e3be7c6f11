import prisma from "../db.server";
import { resolveAlertsWithoutHeldOrders } from "../models/alert.server";
import { transition, type Actor, type HoldKind, type OrderState } from "./state.server";
import type { PreflightResult } from "./preflight";
import { preflightOrder } from "./preflight-input.server";
import { parseLineChanges } from "./line-changes";
import { parseShopifyOrder } from "./shopify-order";
import {
  fulfillmentHoldKind,
  fulfillmentHoldReason,
  openFulfillmentHold,
} from "./fulfillment-hold-order.server";
import { NO_CREDENTIALS_REASON, UNREADABLE_ORDER_REASON } from "./merchant-words";
import { loadForwardingSettings, type ForwardingSettings } from "../models/shop.server";

/**
 * What the merchant (or a fix elsewhere in the app) can do to orders that are
 * stuck: retry now, resubmit after fixing the cause, skip. Each function takes
 * the shop and ignores ids of other shops, so a route can pass ids straight
 * from the request.
 */
export interface ActionSummary {
  /** Orders the action applied to. */
  changed: string[];
  /** Orders it did not apply to, with why (wrong state, unknown id, moved meanwhile, still held). */
  unchanged: { orderId: string; why: string }[];
  /** Resubmit only: what the worker's checks, run again now, say of each order it moved. */
  checked?: Map<string, RecheckVerdict>;
}

/**
 * What the worker will do with an order it is given again, by the same checks
 * and with nothing sent: go to Brilliant, or be held or skipped, and why.
 */
export type RecheckVerdict =
  | { kind: "send" }
  | { kind: "held"; holdKind: HoldKind; reason: string }
  | { kind: "skipped"; reason: string };

const RETRY_NOW_STATES: readonly OrderState[] = ["retrying", "unknown", "waiting", "received", "ready"];
const SKIPPABLE_STATES: readonly OrderState[] = ["held", "received", "waiting", "ready", "retrying"];

/** The shop's orders among `orderIds` (ids of other shops are not found). */
function readOrders(shop: string, orderIds: string[]) {
  return prisma.order.findMany({ where: { shop, id: { in: orderIds } }, select: { id: true, state: true } });
}

/**
 * Moves each of `orders` (the shop's, as read for `orderIds`) that `refusal`
 * lets through (it names why not, else null); `move` says whether the order
 * was still where it was read.
 */
async function actOn<O extends { id: string; state: string }>(
  orderIds: string[],
  orders: O[],
  refusal: (state: OrderState) => string | null,
  /** True when moved; false when it moved meanwhile; a string: why it was left as it is. */
  move: (order: O, state: OrderState) => Promise<boolean | string>,
): Promise<ActionSummary> {
  const summary = emptySummary(orderIds, orders);
  for (const order of orders) {
    const state = order.state as OrderState;
    const why = refusal(state);
    const moved = why ?? (await move(order, state));
    if (moved === true) summary.changed.push(order.id);
    else summary.unchanged.push({ orderId: order.id, why: moved === false ? "it moved meanwhile" : moved });
  }
  return summary;
}

/** Brings the next attempt forward to now. `unknown` orders are still looked up first. */
export async function retryNow(shop: string, orderIds: string[]): Promise<ActionSummary> {
  return actOn(
    orderIds,
    await readOrders(shop, orderIds),
    (state) => (RETRY_NOW_STATES.includes(state) ? null : `it is ${state}`),
    async ({ id }, state) => {
      const result = await prisma.order.updateMany({
        where: { id, shop, state },
        data: { nextAttemptAt: new Date() },
      });
      return result.count === 1;
    },
  );
}

/**
 * Sends held (or skipped) orders through the worker's checks again: after the
 * merchant fixed a mapping, an address or the credentials, approved a review,
 * or decided a skipped order should go after all. The checks run here first,
 * so the merchant is told what will happen: an order they would hold or skip
 * for the cause it is already held or skipped for stays as it is ("still
 * held"); any other goes back to the worker, which sends it or holds it for
 * its new cause (`checked` says which).
 */
/** What an order is read with to be checked again (recheckOrder) and moved. */
export const RECHECK_SELECT = {
  id: true,
  state: true,
  holdKind: true,
  payload: true,
  lineChanges: true,
  shopifyOrderId: true,
  shopifyCreatedAt: true,
} as const;

export async function resubmitOrders(
  shop: string,
  orderIds: string[],
  options: { actor?: Actor; reason?: string } = {},
): Promise<ActionSummary> {
  const orders = await prisma.order.findMany({
    where: { shop, id: { in: orderIds } },
    select: RECHECK_SELECT,
  });
  // The shop's settings once for all the orders' checks.
  const settings = await loadForwardingSettings(shop);
  const checked = new Map<string, RecheckVerdict>();
  const summary = await actOn(
    orderIds,
    orders,
    (from) =>
      from !== "held" && from !== "skipped"
        ? `only held or skipped orders can be resubmitted; it is ${from}`
        : null,
    async (order, from) => {
      const verdict = await recheckOrder(shop, order, settings);
      if (verdict.kind !== "send" && sameStop(order, verdict))
        return `still ${verdict.kind}: ${verdict.reason}`;
      const moved = await transition({
        shop,
        orderId: order.id,
        from,
        to: "ready",
        actor: options.actor ?? "merchant",
        reason: options.reason ?? "Resubmitted by the merchant; checked again before it goes to Brilliant.",
        nextAttemptAt: new Date(),
      });
      if (moved) checked.set(order.id, verdict);
      return moved;
    },
  );
  summary.checked = checked;
  if (summary.changed.length > 0) await resolveAlertsWithoutHeldOrders(shop);
  return summary;
}

/** Whether a verdict only repeats why the order is already held or skipped. */
function sameStop(order: { state: string; holdKind: string | null }, verdict: RecheckVerdict): boolean {
  if (verdict.kind === "held") return order.state === "held" && order.holdKind === verdict.holdKind;
  return verdict.kind === "skipped" && order.state === "skipped";
}

/**
 * The worker's checks for an order given to it again (order-run.server.ts,
 * past the gate): a fulfillment hold in Shopify, the shop's credentials, then
 * pre-flight, with the merchant's line changes applied. Nothing is sent.
 */
export async function recheckOrder(
  shop: string,
  order: {
    payload: string;
    lineChanges?: string | null;
    shopifyOrderId: string;
    shopifyCreatedAt: Date | null;
  },
  /** The shop's, when the caller has them already. */
  known?: ForwardingSettings | null,
): Promise<RecheckVerdict> {
  const hold = await openFulfillmentHold(shop, order.shopifyOrderId, order.shopifyCreatedAt);
  if (hold) return { kind: "held", holdKind: fulfillmentHoldKind(hold), reason: fulfillmentHoldReason(hold) };
  const settings = known === undefined ? await loadForwardingSettings(shop) : known;
  if (!settings?.credentials) {
    return { kind: "held", holdKind: "credentials", reason: NO_CREDENTIALS_REASON };
  }
  const check = await preflightStoredOrder(shop, order, settings.forwardTestOrders);
  if (!check) return { kind: "held", holdKind: "app_error", reason: UNREADABLE_ORDER_REASON };
  if (check.kind === "hold") return { kind: "held", holdKind: check.holdKind, reason: check.reason };
  if (check.kind === "skip") return { kind: "skipped", reason: check.reason };
  return { kind: "send" };
}

/** Marks held orders as not for Brilliant. */
export async function skipOrders(shop: string, orderIds: string[]): Promise<ActionSummary> {
  const summary = await actOn(
    orderIds,
    await readOrders(shop, orderIds),
    (from) => (SKIPPABLE_STATES.includes(from) ? null : `it is ${from}`),
    ({ id }, from) =>
      transition({
        shop,
        orderId: id,
        from,
        to: "skipped",
        actor: "merchant",
        reason: "Skipped by the merchant: not sent to Brilliant.",
      }),
  );
  if (summary.changed.length > 0) await resolveAlertsWithoutHeldOrders(shop);
  return summary;
}

/**
 * Releases the orders held for one kind of cause once it is fixed (credentials
 * saved, a mapping changed, stock back): they go through pre-flight again, and
 * any still blocked is held again with a fresh reason.
 */
export async function releaseHeldOrders(
  shop: string,
  holdKinds: HoldKind[],
  reason: string,
  actor: Actor = "system",
): Promise<ActionSummary> {
  const held = await prisma.order.findMany({
    where: { shop, state: "held", holdKind: { in: holdKinds } },
    select: { id: true },
  });
  return resubmitOrders(
    shop,
    held.map((order) => order.id),
    { actor, reason },
  );
}

function emptySummary(requested: string[], found: { id: string }[]): ActionSummary {
  const known = new Set(found.map((order) => order.id));
  return {
    changed: [],
    unchanged: requested
      .filter((id) => !known.has(id))
      .map((orderId) => ({ orderId, why: "no such order in this shop" })),
  };
}

/**
 * Pre-flight (no call to Brilliant) on a stored orders/paid body and the
 * merchant's line changes, as the worker runs it; null when either no longer reads.
 */
export async function preflightStoredOrder(
  shop: string,
  order: { payload: string; lineChanges?: string | null },
  /** The shop's setting, when the caller has it already. */
  knownForwardTestOrders?: boolean,
): Promise<PreflightResult | null> {
  const parsed = parseShopifyOrder(JSON.parse(order.payload));
  const lineChanges = parseLineChanges(order.lineChanges);
  if (!parsed.success || !lineChanges.success) return null;
  const forwardTestOrders =
    knownForwardTestOrders ??
    (await prisma.shopSettings.findUnique({ where: { shop }, select: { forwardTestOrders: true } }))
      ?.forwardTestOrders ??
    false;
  const { check } = await preflightOrder({
    shop,
    order: parsed.data,
    lineChanges: lineChanges.data,
    statusWebhookUrl: "https://recheck.invalid/",
    forwardTestOrders,
  });
  return check;
}

const RECHECKED_HOLDS: HoldKind[] = ["mapping", "stock", "inactive_variant"];

/**
 * After a mapping or the catalog changed: orders held for a mapping, stock or
 * an inactive variant are resubmitted; those still blocked for the same cause
 * stay held, untouched, so their history does not fill with churn. Returns
 * how many went out again.
 */
export async function recheckHeldOrders(shop: string, reason: string): Promise<number> {
  const held = await prisma.order.findMany({
    where: { shop, state: "held", holdKind: { in: RECHECKED_HOLDS } },
    select: { id: true },
  });
  if (held.length === 0) return 0;
  const summary = await resubmitOrders(
    shop,
    held.map((order) => order.id),
    { actor: "system", reason },
  );
  return summary.changed.length;
}
