import prisma from "../db.server";
import { resolveAlertsWithoutHeldOrders } from "../models/alert.server";
import { transition, type Actor, type HoldKind, type OrderState } from "./state.server";
import { preflight, type PreflightResult } from "./preflight";
import { loadCatalog, loadMappings } from "./preflight-input.server";
import { parseShopifyOrder } from "./shopify-order";

/**
 * What the merchant (or a fix elsewhere in the app) can do to orders that are
 * stuck: retry now, resubmit after fixing the cause, skip. Each function takes
 * the shop and ignores ids of other shops, so a route can pass ids straight
 * from the request.
 */
export interface ActionSummary {
  /** Orders the action applied to. */
  changed: string[];
  /** Orders it did not apply to, with why (wrong state, unknown id, moved meanwhile). */
  unchanged: { orderId: string; why: string }[];
}

const RETRY_NOW_STATES: readonly OrderState[] = ["retrying", "unknown", "waiting", "received", "ready"];
const SKIPPABLE_STATES: readonly OrderState[] = ["held", "received", "waiting", "ready", "retrying"];

/**
 * Moves each of the shop's orders among `orderIds` that `refusal` lets
 * through (it names why not, else null); `move` says whether the order was
 * still where it was read.
 */
async function actOn(
  shop: string,
  orderIds: string[],
  refusal: (state: OrderState) => string | null,
  move: (orderId: string, state: OrderState) => Promise<boolean>,
): Promise<ActionSummary> {
  const orders = await prisma.order.findMany({
    where: { shop, id: { in: orderIds } },
    select: { id: true, state: true },
  });
  const summary = emptySummary(orderIds, orders);
  for (const order of orders) {
    const state = order.state as OrderState;
    const why = refusal(state);
    if (why !== null) summary.unchanged.push({ orderId: order.id, why });
    else if (await move(order.id, state)) summary.changed.push(order.id);
    else summary.unchanged.push({ orderId: order.id, why: "it moved meanwhile" });
  }
  return summary;
}

/** Brings the next attempt forward to now. `unknown` orders are still looked up first. */
export async function retryNow(shop: string, orderIds: string[]): Promise<ActionSummary> {
  return actOn(
    shop,
    orderIds,
    (state) => (RETRY_NOW_STATES.includes(state) ? null : `it is ${state}`),
    async (orderId, state) => {
      const result = await prisma.order.updateMany({
        where: { id: orderId, shop, state },
        data: { nextAttemptAt: new Date() },
      });
      return result.count === 1;
    },
  );
}

/**
 * Sends held (or skipped) orders through pre-flight again: after the merchant
 * fixed a mapping, an address or the credentials, approved a review, or
 * decided a skipped order should go after all.
 */
export async function resubmitOrders(
  shop: string,
  orderIds: string[],
  options: { actor?: Actor; reason?: string } = {},
): Promise<ActionSummary> {
  const summary = await actOn(
    shop,
    orderIds,
    (from) =>
      from === "held" || from === "skipped"
        ? null
        : `only held or skipped orders can be resubmitted; it is ${from}`,
    (orderId, from) =>
      transition({
        shop,
        orderId,
        from,
        to: "ready",
        actor: options.actor ?? "merchant",
        reason: options.reason ?? "Resubmitted by the merchant; checked again before it goes to Brilliant.",
        nextAttemptAt: new Date(),
      }),
  );
  if (summary.changed.length > 0) await resolveAlertsWithoutHeldOrders(shop);
  return summary;
}

/** Marks held orders as not for Brilliant. */
export async function skipOrders(shop: string, orderIds: string[]): Promise<ActionSummary> {
  const summary = await actOn(
    shop,
    orderIds,
    (from) => (SKIPPABLE_STATES.includes(from) ? null : `it is ${from}`),
    (orderId, from) =>
      transition({
        shop,
        orderId,
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

/** Pre-flight (no call to Brilliant) on a stored orders/paid body; null when the body no longer reads. */
export async function preflightStoredOrder(shop: string, payload: string): Promise<PreflightResult | null> {
  const parsed = parseShopifyOrder(JSON.parse(payload));
  if (!parsed.success) return null;
  const variantIds = parsed.data.line_items
    .map((line) => line.variant_id)
    .filter((id): id is string => Boolean(id));
  const mappings = await loadMappings(shop, variantIds);
  const settings = await prisma.shopSettings.findUnique({
    where: { shop },
    select: { forwardTestOrders: true },
  });
  return preflight({
    shop,
    order: parsed.data,
    mappings,
    catalog: await loadCatalog(shop, [...new Set(mappings.values())]),
    statusWebhookUrl: "https://recheck.invalid/",
    forwardTestOrders: settings?.forwardTestOrders ?? false,
  });
}

const RECHECKED_HOLDS: HoldKind[] = ["mapping", "stock", "inactive_variant"];

/**
 * After a mapping or the catalog changed: runs pre-flight again (no call to
 * Brilliant) for orders held for a mapping, stock or inactive variant, and
 * resubmits those it would no longer hold for the same cause. Orders still
 * blocked stay held, untouched, so their history does not fill with churn.
 * Returns how many went out again.
 */
export async function recheckHeldOrders(shop: string, reason: string): Promise<number> {
  const held = await prisma.order.findMany({
    where: { shop, state: "held", holdKind: { in: RECHECKED_HOLDS } },
    select: { id: true, payload: true, holdKind: true },
  });
  const release: string[] = [];
  for (const order of held) {
    const check = await preflightStoredOrder(shop, order.payload);
    if (check && (check.kind !== "hold" || check.holdKind !== order.holdKind)) release.push(order.id);
  }
  if (release.length === 0) return 0;
  const summary = await resubmitOrders(shop, release, { actor: "system", reason });
  return summary.changed.length;
}
