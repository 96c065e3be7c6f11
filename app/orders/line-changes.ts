import { z } from "zod/v4";

import { shopifyId } from "../models/shopify-id";
import type { NoShipping } from "./no-shipping";
import type { ShopifyLineItem, ShopifyOrder } from "./shopify-order";

/**
 * The merchant's changes to an order's lines before it goes to Brilliant,
 * stored as JSON in Order.lineChanges: a line left out, or sent as another
 * Brilliant variant. The stored payload stays as Shopify sent it; pre-flight
 * applies these on top, so every request built for the order carries them.
 * At most one change per line: a newer one replaces it.
 */

const brilliantVariantId = z
  .string({ error: "Choose a Brilliant variant" })
  .trim()
  .min(1, "Choose a Brilliant variant")
  .max(64, "Not a Brilliant variant id");

export const LineChangeSchema = z.discriminatedUnion("action", [
  z.object({ lineItemId: shopifyId, action: z.literal("omit"), at: z.iso.datetime() }),
  z.object({
    lineItemId: shopifyId,
    action: z.literal("substitute"),
    brilliantVariantId,
    at: z.iso.datetime(),
  }),
]);

export type LineChange = z.infer<typeof LineChangeSchema>;

const LineChangesSchema = z.array(LineChangeSchema);

export type LineChangesRead = { success: true; data: LineChange[] } | { success: false };

/** The stored column, checked; unreadable JSON is a failure, never "no changes" (a left-out line would go). */
export function parseLineChanges(text: string | null | undefined): LineChangesRead {
  if (!text) return { success: true, data: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { success: false };
  }
  const parsed = LineChangesSchema.safeParse(value);
  return parsed.success ? { success: true, data: parsed.data } : { success: false };
}

/** What the column stores; null when nothing is changed. */
export function serializeLineChanges(changes: readonly LineChange[]): string | null {
  return changes.length === 0 ? null : JSON.stringify(changes);
}

export function lineChangesByLine(changes: readonly LineChange[]): Map<string, LineChange> {
  return new Map(changes.map((change) => [change.lineItemId, change]));
}

/** `changes` with `change` in place of any earlier change of its line. */
export function withLineChange(changes: readonly LineChange[], change: LineChange): LineChange[] {
  return [...changes.filter((other) => other.lineItemId !== change.lineItemId), change];
}

export function withoutLineChange(changes: readonly LineChange[], lineItemId: string): LineChange[] {
  return changes.filter((change) => change.lineItemId !== lineItemId);
}

/** Why a line never goes to Brilliant, whatever its mapping; null when it does. */
export function notForBrilliant(line: ShopifyLineItem): string | null {
  if (line.gift_card) return "gift card";
  if (line.requires_shipping === false) return "needs no shipping";
  if ((line.current_quantity ?? line.quantity) <= 0) return "removed from the order";
  if (!line.variant_id) return "custom item without a Shopify variant";
  return null;
}

/** Why a line of a variant the merchant marked in Mappings stays out of every order sent to Brilliant. */
export const NOT_SHIPPED_BY_BRILLIANT = "not shipped by Brilliant";

/** What else decides whether a line goes to Brilliant, besides the line and the merchant's changes. */
export interface LineContext {
  /** The whole order needs no parcel (local pickup, local delivery, sold in store). */
  noShipping: NoShipping | null;
  /** Shopify variant ids marked "not shipped by Brilliant" in Mappings. */
  notShipped: ReadonlySet<string>;
}

/** Why a line stays out of the Brilliant request whatever its mapping; null when it goes (unless left out by the merchant). */
export function leftOutOfBrilliant(line: ShopifyLineItem, context: LineContext): string | null {
  return (
    notForBrilliant(line) ??
    context.noShipping?.lineWhy ??
    (line.variant_id && context.notShipped.has(line.variant_id) ? NOT_SHIPPED_BY_BRILLIANT : null)
  );
}

/** Whether every line that would go to Brilliant is left out: then there is nothing to send (Skip is the way). */
export function leavesNothing(order: ShopifyOrder, changes: readonly LineChange[]): boolean {
  const byLine = lineChangesByLine(changes);
  return order.line_items.every(
    (line) => notForBrilliant(line) !== null || byLine.get(line.id)?.action === "omit",
  );
}

/**
 * After an edit in Shopify (a new payload): a change is kept while its line is
 * still in the order with something left to ship. Shopify keeps a line's id
 * when only its quantity changes, so a substitute follows the new quantity; a
 * line removed (or a new one) has no change, and goes as it is mapped.
 */
export function changesAfterEdit(
  changes: readonly LineChange[],
  edited: ShopifyOrder,
): { kept: LineChange[]; dropped: LineChange[] } {
  const live = new Set(
    edited.line_items.filter((line) => (line.current_quantity ?? line.quantity) > 0).map((line) => line.id),
  );
  return {
    kept: changes.filter((change) => live.has(change.lineItemId)),
    dropped: changes.filter((change) => !live.has(change.lineItemId)),
  };
}

/**
 * The lines and the Shopify → Brilliant variant map as they go to Brilliant:
 * left-out lines gone, substituted lines' variants sent as the chosen one.
 * For naming the lines Brilliant refuses by its own variant id.
 */
export function linesAsSent(
  lines: readonly ShopifyLineItem[],
  mappings: ReadonlyMap<string, string>,
  changes: readonly LineChange[],
): [ShopifyLineItem[], Map<string, string>] {
  const byLine = lineChangesByLine(changes);
  const sentMappings = new Map(mappings);
  const sentLines = lines.filter((line) => {
    const change = byLine.get(line.id);
    if (change?.action === "substitute" && line.variant_id) {
      sentMappings.set(line.variant_id, change.brilliantVariantId);
    }
    return change?.action !== "omit";
  });
  return [sentLines, sentMappings];
}

/** What the last request to Brilliant carried for a line. */
export type LineSent =
  | { kind: "not_sent" }
  | { kind: "left_out" }
  | { kind: "sent"; brilliantVariantId: string; quantity: number };

/** Brilliant variant id → quantity in a stored create request; null when nothing was sent yet. */
export function sentQuantities(requestBody: string | null): Map<string, number> | null {
  if (!requestBody) return null;
  try {
    const body = JSON.parse(requestBody) as { order_items?: { variant_id?: unknown; quantity?: unknown }[] };
    return new Map(
      (body.order_items ?? []).map((item) => [String(item.variant_id), Number(item.quantity)] as const),
    );
  } catch {
    return null;
  }
}

/**
 * The request's custom_data names the Shopify lines it carries, so that what
 * Brilliant ships can be told line by line (fulfillment write-back, the order
 * page) without guessing from variant ids two lines may share.
 */
export const SENT_LINES_KEY = "shopify_line_item_ids";

/** The Shopify line ids a stored create request carried; null when it does not say (sent before it did) or is unreadable. */
export function sentLineIds(requestBody: string | null): Set<string> | null {
  if (!requestBody) return null;
  try {
    const body = JSON.parse(requestBody) as { custom_data?: Record<string, unknown> | null };
    const ids = body.custom_data?.[SENT_LINES_KEY];
    return Array.isArray(ids) ? new Set(ids.map(String)) : null;
  } catch {
    return null;
  }
}

/** A line was sent as the first of `ids` the request carries (merged with any other line of that variant). */
export function sentFor(sent: Map<string, number> | null, ids: (string | null)[]): LineSent {
  if (!sent) return { kind: "not_sent" };
  for (const id of ids) {
    const quantity = id === null ? undefined : sent.get(id);
    if (id !== null && quantity !== undefined) return { kind: "sent", brilliantVariantId: id, quantity };
  }
  return { kind: "left_out" };
}

/** A line as the merchant knows it: title (variant), and SKU when it has one. */
export function lineName(line: ShopifyLineItem): string {
  const base = line.title ?? `line ${line.id}`;
  const title = line.variant_title ? `${base} (${line.variant_title})` : base;
  return line.sku ? `${title} [SKU ${line.sku}]` : title;
}

// The order page's line actions.

export const LINE_INTENTS = ["omitLine", "substituteLine", "undoLineChange"] as const;
export type LineIntent = (typeof LINE_INTENTS)[number];

export const LineChangeFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("omitLine"), lineItemId: shopifyId }),
  z.object({ intent: z.literal("substituteLine"), lineItemId: shopifyId, brilliantVariantId }),
  z.object({ intent: z.literal("undoLineChange"), lineItemId: shopifyId }),
]);
export type LineChangeRequest = z.infer<typeof LineChangeFormSchema>;
export type LineChangeField = "lineItemId" | "brilliantVariantId";

export type LineChangeFormResult =
  { success: true; data: LineChangeRequest } | { success: false; field: LineChangeField; message: string };

/** A posted line action, checked; the error names the field it is about. */
export function parseLineChangeForm(form: FormData): LineChangeFormResult {
  const parsed = LineChangeFormSchema.safeParse({
    intent: form.get("intent"),
    lineItemId: form.get("lineItemId") ?? undefined,
    brilliantVariantId: form.get("brilliantVariantId") ?? undefined,
  });
  if (parsed.success) return { success: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  return issue?.path[0] === "brilliantVariantId"
    ? { success: false, field: "brilliantVariantId", message: issue.message }
    : { success: false, field: "lineItemId", message: "Choose a line of this order." };
}

/** Not at Brilliant, nor maybe: what goes to Brilliant can still change. */
export const NOT_AT_BRILLIANT = ["received", "waiting", "ready", "retrying", "held", "skipped"];
const OMIT_HOLDS = ["stock", "inactive_variant", "mapping"];
const SUBSTITUTE_HOLDS = ["stock", "inactive_variant"];

/**
 * What the merchant may do to an order's lines where it is: change them while
 * it is held for what a line change fixes (a line without a mapping is mapped,
 * not substituted: the mapping serves every later order too), and undo a
 * change until the order is at Brilliant.
 */
export function lineActionsFor(state: string, holdKind: string | null) {
  const held = state === "held";
  return {
    omit: held && OMIT_HOLDS.includes(holdKind ?? ""),
    substitute: held && SUBSTITUTE_HOLDS.includes(holdKind ?? ""),
    undo: NOT_AT_BRILLIANT.includes(state),
  };
}
export type LineActions = ReturnType<typeof lineActionsFor>;
