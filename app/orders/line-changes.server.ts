import prisma from "../db.server";
import { resolveAlertsWithoutHeldOrders } from "../models/alert.server";
import { canShip, catalogVariantsById } from "../catalog/substitute-candidates.server";
import { RECHECK_SELECT, recheckOrder, type ActionSummary } from "./actions.server";
import {
  leavesNothing,
  lineActionsFor,
  lineChangesByLine,
  lineName,
  notForBrilliant,
  parseLineChanges,
  serializeLineChanges,
  withLineChange,
  withoutLineChange,
  type LineChange,
  type LineChangeField,
  type LineChangeRequest,
} from "./line-changes";
import { parseShopifyOrder, type ShopifyLineItem } from "./shopify-order";
import { changeInPlace, transition } from "./state.server";

/**
 * The merchant's line changes from the order page: recorded in the order's
 * history, applied only while the order is where it was read (a concurrent
 * move wins), then a held order goes back to the worker, whose pre-flight
 * applies them.
 */

export type LineChangeOutcome =
  /** Recorded; `resubmitted` says what became of a held order (null: not held, the worker reads it as it is). */
  | { ok: true; resubmitted: ActionSummary | null }
  /** Not recorded; `field` when the request itself was wrong. */
  | { ok: false; why: string; field?: LineChangeField };

const NO_SUCH_ORDER = "no such order in this shop";
const RESUBMIT_REASON =
  "Resubmitted by the merchant after changing its lines; checked again before it goes to Brilliant.";

export async function changeOrderLine(
  shop: string,
  orderId: string,
  request: LineChangeRequest,
): Promise<LineChangeOutcome> {
  const order = await prisma.order.findFirst({
    where: { shop, id: orderId },
    select: RECHECK_SELECT,
  });
  if (!order) return { ok: false, why: NO_SUCH_ORDER };
  const payload = parseShopifyOrder(JSON.parse(order.payload));
  const stored = parseLineChanges(order.lineChanges);
  if (!payload.success || !stored.success) return { ok: false, why: "its stored data cannot be read" };
  const line = payload.data.line_items.find((candidate) => candidate.id === request.lineItemId);
  if (!line) return { ok: false, why: "That line is not in this order.", field: "lineItemId" };

  const decided = await decideChange(shop, order, line, stored.data, request);
  if (!decided.ok) return decided;
  const { next, reason } = decided;
  if (request.intent === "omitLine" && leavesNothing(payload.data, next)) {
    return {
      ok: false,
      why: "that would leave out every line Brilliant ships. To send nothing to Brilliant, skip the order instead",
    };
  }

  // Only while the order is where it was read, its changes included: a concurrent move (or change) wins.
  const recorded = await changeInPlace({
    shop,
    order,
    where: { holdKind: order.holdKind, lineChanges: order.lineChanges },
    data: { lineChanges: serializeLineChanges(next) },
    reason,
    actor: "merchant",
  });
  if (!recorded) return { ok: false, why: "it moved meanwhile" };
  if (order.state !== "held") return { ok: true, resubmitted: null };
  return {
    ok: true,
    resubmitted: await resubmitChanged(shop, { ...order, lineChanges: serializeLineChanges(next) }),
  };
}

type Decision = { ok: true; next: LineChange[]; reason: string } | (LineChangeOutcome & { ok: false });

const NOT_HELD_FOR_IT =
  "lines can be changed here only while the order is held for stock or an inactive Brilliant variant (or, to leave a line out, for a mapping)";

/** The changes as they would be after `request`, and the history's words for it; or why not. */
async function decideChange(
  shop: string,
  order: { state: string; holdKind: string | null },
  line: ShopifyLineItem,
  changes: LineChange[],
  request: LineChangeRequest,
): Promise<Decision> {
  const allowed = lineActionsFor(order.state, order.holdKind);
  const name = lineName(line);
  const at = new Date().toISOString();
  const current = lineChangesByLine(changes).get(line.id);

  if (request.intent === "undoLineChange") {
    if (!allowed.undo) return { ok: false, why: `it is ${order.state}: Brilliant has it, or may have it` };
    if (!current) return { ok: false, why: "that line has no change to undo" };
    return {
      ok: true,
      next: withoutLineChange(changes, line.id),
      reason: `Line change undone by the merchant: ${name} goes to Brilliant as it is mapped.`,
    };
  }

  const never = notForBrilliant(line);
  if (never) return { ok: false, why: `That line never goes to Brilliant (${never}).`, field: "lineItemId" };

  if (request.intent === "omitLine") {
    if (!allowed.omit) return { ok: false, why: NOT_HELD_FOR_IT };
    if (current?.action === "omit") return { ok: false, why: "that line is left out already" };
    return {
      ok: true,
      next: withLineChange(changes, { lineItemId: line.id, action: "omit", at }),
      reason: `Line left out by the merchant: ${name} (${quantityOf(line)} ordered) is not sent to Brilliant; the rest of the order is.`,
    };
  }

  if (!allowed.substitute) return { ok: false, why: NOT_HELD_FOR_IT };
  const chosen = request.brilliantVariantId;
  if (current?.action === "substitute" && current.brilliantVariantId === chosen) {
    return { ok: false, why: "that line goes as this variant already" };
  }
  const checked = await checkSubstitute(shop, line, chosen);
  if (!checked.ok) return { ok: false, why: checked.why, field: "brilliantVariantId" };
  const instead = checked.mapped ? ` instead of Brilliant variant ${checked.mapped}` : "";
  return {
    ok: true,
    next: withLineChange(changes, {
      lineItemId: line.id,
      action: "substitute",
      brilliantVariantId: chosen,
      at,
    }),
    reason: `Line changed by the merchant: ${name} goes to Brilliant as ${checked.name} (variant ${chosen})${instead}.`,
  };
}

/** A variant the line may go as: another than its mapping, that Brilliant takes in this quantity (catalog copy). */
async function checkSubstitute(
  shop: string,
  line: ShopifyLineItem,
  chosen: string,
): Promise<{ ok: true; name: string; mapped: string | null } | { ok: false; why: string }> {
  const mapping = await prisma.variantMapping.findUnique({
    where: { shop_shopifyVariantId: { shop, shopifyVariantId: line.variant_id! } },
    select: { brilliantVariantId: true },
  });
  const mapped = mapping?.brilliantVariantId ?? null;
  if (chosen === mapped)
    return { ok: false, why: "That is the variant this line is mapped to; choose another." };
  const facts = (await catalogVariantsById(shop, [chosen])).get(chosen);
  const quantity = quantityOf(line);
  if (!facts)
    return { ok: false, why: `Brilliant variant ${chosen} is not in your Brilliant catalog as last synced.` };
  if (!facts.active) {
    return {
      ok: false,
      why: `${facts.name} is ${facts.removed ? "no longer in your Brilliant store" : "inactive at Brilliant"}.`,
    };
  }
  if (!canShip(facts, quantity)) {
    return { ok: false, why: `${facts.name} has ${facts.stock} in stock; this line needs ${quantity}.` };
  }
  return { ok: true, name: facts.name, mapped };
}

function quantityOf(line: ShopifyLineItem): number {
  return line.current_quantity ?? line.quantity;
}

/**
 * A held order whose lines changed goes back to the worker even when it would
 * be held for the same kind of cause: the hold's reason and alerts are then
 * rebuilt for the order as it now goes. `checked` says what the worker will do.
 */
async function resubmitChanged(
  shop: string,
  order: {
    id: string;
    payload: string;
    lineChanges: string | null;
    shopifyOrderId: string;
    shopifyCreatedAt: Date | null;
  },
): Promise<ActionSummary> {
  const verdict = await recheckOrder(shop, order);
  const moved = await transition({
    shop,
    orderId: order.id,
    from: "held",
    to: "ready",
    actor: "merchant",
    reason: RESUBMIT_REASON,
    nextAttemptAt: new Date(),
  });
  if (!moved) return { changed: [], unchanged: [{ orderId: order.id, why: "it moved meanwhile" }] };
  await resolveAlertsWithoutHeldOrders(shop);
  return { changed: [order.id], unchanged: [], checked: new Map([[order.id, verdict]]) };
}
