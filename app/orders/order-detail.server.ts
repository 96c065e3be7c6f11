import prisma from "../db.server";
import { explainCode, type CodeExplanation } from "./code-explanations";
import { fulfillmentSyncText } from "./fulfillment-write-back.server";
import { recheckOrder, resubmitOrders, type ActionSummary, type RecheckVerdict } from "./actions.server";
import { mappingPickerPath, mappingPickersByOrder } from "./fix-links.server";
import { parseShopifyOrder, type ShopifyAddress } from "./shopify-order";
import {
  leftOutOfBrilliant,
  lineActionsFor,
  lineChangesByLine,
  parseLineChanges,
  sentFor,
  sentLineIds,
  sentQuantities,
  type LineActions,
  type LineSent,
} from "./line-changes";
import { deliveryWithoutShipping } from "./no-shipping";
import { itemNote, orderNote } from "./item-notes";
import { loadMappings, loadNotShipped } from "./preflight-input.server";
import {
  catalogVariantsById,
  substituteCandidates,
  type CatalogVariantFacts,
} from "../catalog/substitute-candidates.server";

/**
 * One order as its page shows it: where it is and why, what Brilliant knows of
 * it, and everything that happened to it (state changes and calls to
 * Brilliant) on one timeline, oldest first. Scoped by shop: another shop's
 * order is as unknown as a made-up id.
 */
export interface TimelineTransition {
  type: "transition";
  id: string;
  at: string;
  fromState: string | null;
  toState: string;
  reason: string | null;
  actor: string;
}

export interface TimelineAttempt {
  type: "attempt";
  id: string;
  at: string;
  kind: string;
  number: number;
  durationMs: number;
  httpStatus: number | null;
  code: number | null;
  explanation: CodeExplanation | null;
  message: string | null;
  outcome: string;
  requestBody: string | null;
  responseBody: string | null;
  invalidRecords: unknown[] | null;
}

export type TimelineEntry = TimelineTransition | TimelineAttempt;

export interface OrderDetail {
  id: string;
  shopifyOrderId: string;
  name: string;
  state: string;
  stateReason: string | null;
  holdKind: string | null;
  /** Held for a variant: the mapping page of that variant, when known. */
  mappingPicker: string | null;
  /** Held or skipped: what a resubmit now would meet, by the worker's checks (nothing sent). */
  resubmitWould: RecheckVerdict | null;
  lastCode: number | null;
  lastCodeExplanation: CodeExplanation | null;
  lastMessage: string | null;
  brilliantOrderId: string | null;
  brilliantStatus: string | null;
  brilliantShipStatus: string | null;
  /** Marking it fulfilled in Shopify once Brilliant shipped it; null when there is nothing to say. */
  shopifyFulfillment: string | null;
  deliveries: number;
  createdAt: string;
  shippingAddress: ShopifyAddress | null;
  /** Its lines: mapping, Brilliant's stock, the merchant's change and what was sent. */
  lineItems: OrderLine[];
  /** What the merchant may do to its lines where the order is now. */
  lineActions: LineActions;
  timeline: TimelineEntry[];
}

export async function getOrderDetail(shop: string, orderId: string): Promise<OrderDetail | null> {
  const order = await prisma.order.findFirst({
    where: { shop, id: orderId },
    include: {
      // Several moves can share a millisecond; their ids keep the order they were made in.
      transitions: { where: { shop }, orderBy: [{ at: "asc" }, { id: "asc" }] },
      attempts: { where: { shop }, orderBy: { number: "asc" } },
    },
  });
  if (!order) return null;

  const transitions: TimelineTransition[] = order.transitions.map((t) => ({
    type: "transition",
    id: t.id,
    at: t.at.toISOString(),
    fromState: t.fromState,
    toState: t.toState,
    reason: t.reason,
    actor: t.actor,
  }));
  const attempts: TimelineAttempt[] = order.attempts.map((a) => ({
    type: "attempt",
    id: a.id,
    at: a.startedAt.toISOString(),
    kind: a.kind,
    number: a.number,
    durationMs: a.durationMs,
    httpStatus: a.httpStatus,
    code: a.code,
    explanation: a.code === null ? null : explainCode(a.code),
    message: a.message,
    outcome: a.outcome,
    requestBody: prettyJson(a.requestBody),
    responseBody: prettyJson(a.responseBody),
    invalidRecords: parseRecords(a.invalidRecords),
  }));
  // Oldest first; an attempt sorts before the state change it caused at the same instant.
  const timeline: TimelineEntry[] = [...transitions, ...attempts].sort(
    (a, b) => a.at.localeCompare(b.at) || (a.type === b.type ? 0 : a.type === "attempt" ? -1 : 1),
  );

  const picker =
    order.state === "held" ? (await mappingPickersByOrder(shop, [order.id])).get(order.id) : null;
  const resubmitWould =
    order.state === "held" || order.state === "skipped" ? await recheckOrder(shop, order) : null;
  const lastSent = [...order.attempts].reverse().find((a) => a.kind === "create" && a.requestBody);
  return {
    id: order.id,
    shopifyOrderId: order.shopifyOrderId,
    name: order.name,
    state: order.state,
    stateReason: order.stateReason,
    holdKind: order.holdKind,
    mappingPicker: picker ?? null,
    resubmitWould,
    lastCode: order.lastCode,
    lastCodeExplanation: order.lastCode === null ? null : explainCode(order.lastCode),
    lastMessage: order.lastMessage,
    brilliantOrderId: order.brilliantOrderId,
    brilliantStatus: order.brilliantStatus,
    brilliantShipStatus: order.brilliantShipStatus,
    shopifyFulfillment: fulfillmentSyncText(order),
    deliveries: order.deliveries,
    createdAt: order.createdAt.toISOString(),
    shippingAddress: shippingAddressOf(order.payload),
    lineItems: await orderLines(shop, order, lastSent?.requestBody ?? null),
    lineActions: lineActionsFor(order.state, order.holdKind),
    timeline,
  };
}

/** A Brilliant variant a line goes as, with what the last catalog sync saw of it (null: never listed). */
export interface BrilliantSide {
  brilliantVariantId: string;
  catalog: CatalogVariantFacts | null;
}

export interface OrderLine {
  lineItemId: string;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  quantity: number;
  /** Why it stays out of what goes to Brilliant (gift card, needs no shipping, not shipped by Brilliant, …); null when it goes. */
  notForBrilliant: string | null;
  /** Its variant is marked "not shipped by Brilliant" in Mappings (where the mark is changed). */
  variantNotShipped: boolean;
  /** The mapping page of its Shopify variant; null for a custom item. */
  mappingPicker: string | null;
  mapped: BrilliantSide | null;
  change:
    { action: "omit"; at: string } | { action: "substitute"; at: string; variant: BrilliantSide } | null;
  sent: LineSent;
  /** The note that goes to Brilliant with it: its properties, and the order note on the first line that goes. */
  note: string | null;
  /** What it may be sent as instead, when the order's hold allows that. */
  substitutes: CatalogVariantFacts[];
}

/** The order's lines as its page shows them; `lastRequestBody` is the latest create sent to Brilliant. */
async function orderLines(
  shop: string,
  order: { payload: string; lineChanges: string | null; state: string; holdKind: string | null },
  lastRequestBody: string | null,
): Promise<OrderLine[]> {
  const payload = parseForLines(order.payload);
  if (!payload.success) return [];
  const lines = payload.data.line_items;
  const changes = parseLineChanges(order.lineChanges);
  const byLine = lineChangesByLine(changes.success ? changes.data : []);
  const variantIds = lines.flatMap((line) => (line.variant_id ? [line.variant_id] : []));
  const mappings = await loadMappings(shop, variantIds);
  // As pre-flight decides it now (preflight.ts); what the last request carried is `sent`.
  const context = {
    noShipping: deliveryWithoutShipping(payload.data),
    notShipped: await loadNotShipped(shop, variantIds),
  };
  const substituted = [...byLine.values()].flatMap((c) =>
    c.action === "substitute" ? [c.brilliantVariantId] : [],
  );
  const catalog = await catalogVariantsById(shop, [...mappings.values(), ...substituted]);
  const side = (id: string): BrilliantSide => ({ brilliantVariantId: id, catalog: catalog.get(id) ?? null });
  const sentItems = sentQuantities(lastRequestBody);
  const sentLines = sentLineIds(lastRequestBody);
  const offerSubstitutes = lineActionsFor(order.state, order.holdKind).substitute;
  // As pre-flight puts it: the order note goes with the item of the first line that goes.
  const noteCarrier = lines.find(
    (line) => !leftOutOfBrilliant(line, context) && byLine.get(line.id)?.action !== "omit",
  );
  const orderLevelNote = orderNote(payload.data);

  return Promise.all(
    lines.map(async (line) => {
      const quantity = line.current_quantity ?? line.quantity;
      const never = leftOutOfBrilliant(line, context);
      const mappedId = line.variant_id ? (mappings.get(line.variant_id) ?? null) : null;
      const change = byLine.get(line.id) ?? null;
      const sentAs = change?.action === "substitute" ? change.brilliantVariantId : mappedId;
      return {
        lineItemId: line.id,
        title: line.title ?? `Line ${line.id}`,
        variantTitle: line.variant_title ?? null,
        sku: line.sku ?? null,
        quantity,
        notForBrilliant: never,
        variantNotShipped: Boolean(line.variant_id && context.notShipped.has(line.variant_id)),
        mappingPicker: line.variant_id ? mappingPickerPath(line.variant_id) : null,
        mapped: mappedId ? side(mappedId) : null,
        change:
          change?.action === "substitute"
            ? { action: "substitute", at: change.at, variant: side(change.brilliantVariantId) }
            : change && { action: "omit", at: change.at },
        // The request names its lines (since it did): a line it does not name was left out.
        sent:
          sentLines && !sentLines.has(line.id) && sentItems
            ? { kind: "left_out" }
            : sentFor(sentItems, [sentAs, mappedId]),
        note: itemNote([line], line === noteCarrier ? orderLevelNote : null) ?? null,
        substitutes:
          offerSubstitutes && !never && change?.action !== "omit"
            ? await substituteCandidates(shop, {
                near: mappedId,
                searches: [line.sku ?? "", line.title ?? ""],
                quantity,
                exclude: [mappedId, sentAs].filter((id): id is string => id !== null),
              })
            : [],
      } satisfies OrderLine;
    }),
  );
}

/**
 * The order as Shopify sent it, for its lines: once retention or
 * customers/redact replaced the customer's details, the addresses no longer
 * read as addresses, but the lines (ids, variants, quantities) still do.
 */
function parseForLines(payload: string) {
  const body = JSON.parse(payload) as Record<string, unknown>;
  const parsed = parseShopifyOrder(body);
  if (parsed.success) return parsed;
  return parseShopifyOrder({ ...body, shipping_address: null, billing_address: null, customer: null });
}

function shippingAddressOf(payload: string): ShopifyAddress | null {
  try {
    const parsed = parseShopifyOrder(JSON.parse(payload));
    return parsed.success ? (parsed.data.shipping_address ?? null) : null;
  } catch {
    return null;
  }
}

/** Pretty-printed JSON, or the text as stored when it is not JSON. */
function prettyJson(text: string | null): string | null {
  if (text === null) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function parseRecords(text: string | null): unknown[] | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value.length > 0 ? value : null;
    return value === null ? null : [value];
  } catch {
    return [text];
  }
}

/** A shipping address as the merchant corrects it on the order page (already validated). */
export interface AddressFix {
  name: string;
  address1: string;
  address2?: string | null;
  city: string;
  provinceCode: string;
  zip: string;
  countryCode: string;
  phone?: string | null;
}

export type AddressFixResult = { ok: true; summary: ActionSummary } | { ok: false; why: string };

/**
 * Rewrites the stored payload's shipping address (every other field of the
 * payload kept as Shopify sent it) and resubmits the order, for an order of
 * `shop` held for its address. Nothing changes when the order is not held for
 * its address (or not this shop's).
 */
export async function updateShippingAddressAndResubmit(
  shop: string,
  orderId: string,
  address: AddressFix,
): Promise<AddressFixResult> {
  const order = await prisma.order.findFirst({
    where: { shop, id: orderId },
    select: { id: true, state: true, holdKind: true, payload: true },
  });
  if (!order) return { ok: false, why: "no such order in this shop" };
  if (order.state !== "held" || order.holdKind !== "address") {
    return { ok: false, why: "only orders held for their address can be fixed here" };
  }
  const payload = JSON.parse(order.payload) as Record<string, unknown>;
  const previous =
    payload.shipping_address && typeof payload.shipping_address === "object"
      ? (payload.shipping_address as Record<string, unknown>)
      : {};
  const name = address.name.trim();
  const [first, ...rest] = name.split(/\s+/);
  const provinceCode = address.provinceCode.toUpperCase();
  const countryCode = address.countryCode.toUpperCase();
  const nextAddress: Record<string, unknown> = {
    ...previous,
    name,
    first_name: first ?? name,
    last_name: rest.join(" ") || null,
    address1: address.address1.trim(),
    address2: address.address2?.trim() || null,
    city: address.city.trim(),
    province_code: provinceCode,
    // Keep Shopify's province (and country) name unless the merchant changed its code.
    province: sameOrMissing(previous.province_code, provinceCode) ? (previous.province ?? null) : null,
    zip: address.zip.trim(),
    country_code: countryCode,
    country: sameOrMissing(previous.country_code, countryCode) ? (previous.country ?? null) : null,
    phone: address.phone?.trim() || null,
  };
  // Only while the order is still held for its address: a concurrent move wins.
  const updated = await prisma.order.updateMany({
    where: { id: order.id, shop, state: "held", holdKind: "address" },
    data: { payload: JSON.stringify({ ...payload, shipping_address: nextAddress }) },
  });
  if (updated.count !== 1) return { ok: false, why: "it moved meanwhile" };
  const summary = await resubmitOrders(shop, [order.id], {
    reason:
      "Shipping address fixed and resubmitted by the merchant; checked again before it goes to Brilliant.",
  });
  return { ok: true, summary };
}

function sameOrMissing(previous: unknown, code: string): boolean {
  return typeof previous !== "string" || previous.trim() === "" || previous.trim().toUpperCase() === code;
}
