import { z } from "zod/v4";

import prisma from "../db.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { preflightStoredOrder, resubmitOrders } from "./actions.server";
import { changeInPlace, transition, type Actor, type HoldKind, type OrderState } from "./state.server";
import { fetchShopifyOrder, type StoredShopifyOrder } from "./shopify-order-read.server";
import { loadForwardingSettings } from "../models/shop.server";
import {
  adminFailureSummary,
  type AdminGraphql,
  type AdminThrottling,
} from "../integrations/shopify-admin.server";
import { numericShopifyId } from "../catalog/shopify-variants.server";
import { shopifyGid } from "../models/shopify-id";
import { adminThrottling, WEBHOOK_LIMITS } from "./admin-reads.server";
import { alertChangedAfterForward, PENDING_BATCH, retryPendingChanges } from "./shopify-order-change.server";
import { changesAfterEdit, lineName, parseLineChanges, serializeLineChanges } from "./line-changes";
import { parseShopifyOrder, type ShopifyOrder } from "./shopify-order";

/**
 * Order edits (orders/edited): the webhook carries only the change, so the
 * order is read again through the Admin API and, while it is not yet sent, its
 * stored body replaced by what Shopify holds now (see replacePayload); one held
 * or skipped for what the edit may fix goes through pre-flight again. When
 * Shopify cannot be read, the order is held (`order_edit`) until the worker
 * reads it. At Brilliant, or maybe: the merchant is alerted. Not recorded yet:
 * its orders/paid webhook or the sweep brings it as it is now.
 */

const OrderEditWebhookSchema = z.looseObject({
  order_edit: z.looseObject({
    order_id: shopifyGid("Order"),
  }),
});

export function parseOrderEditWebhook(payload: unknown) {
  return OrderEditWebhookSchema.safeParse(payload);
}

export const EDIT_APPLIED_REASON = "Edited in Shopify; the edit is what goes to Brilliant.";
export const EDIT_UNREAD_REASON =
  "Edited in Shopify; waiting to read the edit. Brilliant Sync reads the order again within a minute; nothing goes to Brilliant until then.";

/** Not at Brilliant yet: the stored body can still change. */
const NOT_SENT: readonly OrderState[] = ["received", "waiting", "ready", "retrying", "held", "skipped"];
/** Brilliant has it, or may have it. */
const AT_BRILLIANT: readonly OrderState[] = ["sending", "unknown", "forwarded"];
/** Held for what a different body may fix: pre-flight runs again on the edited order. */
const EDIT_MAY_FIX: readonly HoldKind[] = ["mapping", "stock", "inactive_variant", "address"];

export type OrderEditOutcome =
  | "order_not_recorded"
  | "applied"
  | "applied_and_resubmitted"
  /** Shopify could not be read: held (or kept held) until the worker reads it. */
  | "held_until_read"
  /** Shopify could not be read for a skipped order: it stays skipped, as it cannot go out by itself. */
  | "skipped_unread"
  | "alerted_after_forward"
  | "nothing_to_do";

export interface OrderEditEvent {
  shop: string;
  shopifyOrderId: string | number;
  /** The admin client to read the order with; null holds the order for the worker to read. */
  graphql: AdminGraphql | null;
  actor?: Actor;
  logger?: Logger;
  /** Waits on Shopify's throttle: short in a webhook (5 s to answer), longer in the worker. */
  throttling?: Partial<Pick<AdminThrottling, "maxThrottleRetries" | "maxWaitMs" | "sleep">>;
}

type StoredOrder = {
  id: string;
  name: string;
  state: string;
  holdKind: string | null;
  payload: string;
  brilliantOrderId: string | null;
  lineChanges: string | null;
};

/** Applies one order edit; never throws for Shopify's failures (the order is held instead). */
export async function recordOrderEdit(event: OrderEditEvent): Promise<OrderEditOutcome> {
  const { shop } = event;
  const shopifyOrderId = numericShopifyId(event.shopifyOrderId);
  const actor = event.actor ?? "webhook";
  const log = (event.logger ?? rootLogger).child({ shop, shopifyOrderId });
  const find = () =>
    prisma.order.findUnique({
      where: { shop_shopifyOrderId: { shop, shopifyOrderId } },
      select: {
        id: true,
        name: true,
        state: true,
        holdKind: true,
        payload: true,
        brilliantOrderId: true,
        lineChanges: true,
      },
    });

  let order = await find();
  if (!order) return "order_not_recorded";
  if (AT_BRILLIANT.includes(order.state as OrderState)) return alertAfterForward(shop, order);
  if (!NOT_SENT.includes(order.state as OrderState)) return "nothing_to_do";

  let read: StoredShopifyOrder | null = null;
  let failure: string | null = event.graphql ? null : "No Shopify session to read the order with yet.";
  if (event.graphql) {
    try {
      read = await fetchShopifyOrder(
        event.graphql,
        shopifyOrderId,
        adminThrottling(log, WEBHOOK_LIMITS, event.throttling),
      );
      if (!read) failure = "Shopify did not return the order.";
    } catch (error) {
      failure = adminFailureSummary(error);
    }
  }

  // The order may move while Shopify is read (or after our own write loses a race): look again.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) order = await find();
    if (!order) return "order_not_recorded";
    const state = order.state as OrderState;
    if (AT_BRILLIANT.includes(state)) return alertAfterForward(shop, order);
    if (!NOT_SENT.includes(state)) return "nothing_to_do";
    if (!read) {
      log.warn({ reason: failure }, "could not read an edited order; holding it until the worker reads it");
      if (state === "skipped") return "skipped_unread";
      if (state === "held" && order.holdKind === "order_edit") return "held_until_read";
      const moved = await transition({
        shop,
        orderId: order.id,
        from: state,
        to: "held",
        actor,
        holdKind: "order_edit",
        reason: EDIT_UNREAD_REASON,
      });
      if (moved) return "held_until_read";
      continue;
    }
    const replaced = await replacePayload(shop, order, read, actor);
    if (!replaced) continue;
    return (await afterEdit(shop, order, actor)) ? "applied_and_resubmitted" : "applied";
  }
  log.warn("an edited order kept moving while its edit was applied; leaving it");
  return "nothing_to_do";
}

/**
 * Replaces the stored body and name, only while the order is still in the
 * state (and hold) it was read in, and lets go of any worker's lease: a worker
 * that claimed it with the old body then loses its next move and leaves it.
 * The edit is recorded in the order's history in the same transaction.
 * The merchant's line changes stay for the lines still in the order (see
 * changesAfterEdit); a change of a line the edit removed goes with it, and the
 * history says so.
 */
async function replacePayload(
  shop: string,
  order: StoredOrder,
  read: StoredShopifyOrder,
  actor: Actor,
): Promise<boolean> {
  const { lineChanges, reason } = lineChangesAfterEdit(order, read.order);
  return changeInPlace({
    shop,
    order,
    where: { holdKind: order.holdKind, lineChanges: order.lineChanges },
    data: { payload: JSON.stringify(read.payload), name: read.order.name, lineChanges },
    reason,
    actor,
  });
}

/** The merchant's line changes that outlive the edit, and the history's words for the edit. */
function lineChangesAfterEdit(
  order: StoredOrder,
  edited: ShopifyOrder,
): { lineChanges: string | null; reason: string } {
  const changes = parseLineChanges(order.lineChanges);
  // Unreadable changes are kept as they are: the worker holds the order rather than guess.
  if (!changes.success) return { lineChanges: order.lineChanges, reason: EDIT_APPLIED_REASON };
  const { kept, dropped } = changesAfterEdit(changes.data, edited);
  if (dropped.length === 0) return { lineChanges: order.lineChanges, reason: EDIT_APPLIED_REASON };
  const before = parseShopifyOrder(JSON.parse(order.payload));
  const lines = [...edited.line_items, ...(before.success ? before.data.line_items : [])];
  const names = dropped.map((change) => {
    const line = lines.find((candidate) => candidate.id === change.lineItemId);
    return line ? lineName(line) : `line ${change.lineItemId}`;
  });
  return {
    lineChanges: serializeLineChanges(kept),
    reason: `${EDIT_APPLIED_REASON} Your change to ${names.join(", ")} no longer applies: the edit removed ${dropped.length === 1 ? "that line" : "those lines"}.`,
  };
}

/** Sends the edited order through pre-flight again when the edit may change what held or skipped it. */
async function afterEdit(shop: string, order: StoredOrder, actor: Actor): Promise<boolean> {
  const reason = "Edited in Shopify; checked again before it goes to Brilliant.";
  if (order.state === "held" && order.holdKind === "order_edit") return releaseReadEdit(shop, order, actor);
  const mayFix =
    (order.state === "held" && EDIT_MAY_FIX.includes(order.holdKind as HoldKind)) ||
    (order.state === "skipped" && (await preflightWouldSkip(shop, order)));
  if (!mayFix) return false;
  const summary = await resubmitOrders(shop, [order.id], { actor, reason });
  return summary.changed.length === 1;
}

/**
 * An order held only until its edit was read. It may have been held before the
 * forwarder's gate (received, waiting) or for the merchant's review or a hold
 * tag, and a resubmitted order goes straight to pre-flight: so the gate's
 * review and tags are applied here, to the edited order, before it is released.
 */
async function releaseReadEdit(shop: string, order: StoredOrder, actor: Actor): Promise<boolean> {
  const settings = await loadForwardingSettings(shop);
  const fresh = await prisma.order.findFirst({ where: { id: order.id, shop }, select: { payload: true } });
  const tags = new Set(tagList((JSON.parse(fresh?.payload ?? "{}") as { tags?: string | null }).tags));
  const skipTag = tagList(settings?.skipTags).find((tag) => tags.has(tag));
  const holdTag = tagList(settings?.holdTags).find((tag) => tags.has(tag));
  const base = { shop, orderId: order.id, from: "held" as const, actor };
  if (skipTag) {
    return transition({
      ...base,
      to: "skipped",
      reason: `Edited in Shopify; tagged "${skipTag}", one of your skip tags: not sent to Brilliant.`,
    }).then(() => false);
  }
  if (holdTag || settings?.forwardingMode === "review") {
    return transition({
      ...base,
      to: "held",
      holdKind: holdTag ? "hold_tag" : "review",
      reason: holdTag
        ? `Edited in Shopify; tagged "${holdTag}", one of your hold tags. Resubmit it when it may go to Brilliant.`
        : "Edited in Shopify; waiting for your review of the edited order (review-first forwarding is on). Forward it or skip it.",
    }).then(() => false);
  }
  const summary = await resubmitOrders(shop, [order.id], {
    actor,
    reason: "Edited in Shopify and read again; checked before it goes to Brilliant.",
  });
  return summary.changed.length === 1;
}

function tagList(value: string | null | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((tag) => tag.trim().toLowerCase())
    .filter(Boolean);
}

/** Whether pre-flight skips this stored body (nothing in it for Brilliant), as against a skip by tag or by hand. */
async function preflightWouldSkip(shop: string, order: StoredOrder): Promise<boolean> {
  return (await preflightStoredOrder(shop, order))?.kind === "skip";
}

async function alertAfterForward(shop: string, order: StoredOrder): Promise<OrderEditOutcome> {
  await alertChangedAfterForward(
    shop,
    "edited_after_forward",
    order,
    "was edited in Shopify",
    (brilliantOrder) =>
      `Brilliant's API cannot change orders: contact Brilliant to change ${brilliantOrder} to match the edit.`,
    "it is sent as it was before the edit.",
  );
  return "alerted_after_forward";
}

/**
 * The worker's second go at edits that could not be read when their webhook
 * came: every order of the shop held for `order_edit`. Returns how many it
 * read; stops at the first failure (Shopify is likely still unavailable).
 */
export async function resolvePendingOrderEdits(
  shop: string,
  graphql: AdminGraphql,
  log: Logger = rootLogger,
): Promise<number> {
  const pending = await prisma.order.findMany({
    where: { shop, state: "held", holdKind: "order_edit" },
    orderBy: { updatedAt: "asc" },
    select: { shopifyOrderId: true },
    take: PENDING_BATCH,
  });
  return retryPendingChanges(pending, async ({ shopifyOrderId }) => {
    const outcome = await recordOrderEdit({ shop, shopifyOrderId, graphql, actor: "system", logger: log });
    return outcome === "held_until_read" ? "still_pending" : "settled";
  });
}
