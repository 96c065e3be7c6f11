import type { ShopifyAddress, ShopifyLineItem, ShopifyOrder } from "./shopify-order";
import type { HoldKind } from "./state.server";
import type { BrilliantShippingAddress, CreateOrderRequest } from "../integrations/brilliant/schemas";
import { leftOutOfBrilliant, lineChangesByLine, SENT_LINES_KEY, type LineChange } from "./line-changes";
import { deliveryWithoutShipping } from "./no-shipping";
import { itemNote, orderNote } from "./item-notes";
import { brilliantState } from "./state-rule";
import type { SubdivisionFallback } from "./subdivision-fallback";

/**
 * Pre-flight: turns a stored Shopify order into the exact Brilliant request,
 * or explains why it must not be sent. It is pure (no I/O), so every rule is
 * tested directly. It never sends what Brilliant would certainly refuse: no
 * duplicate variant lines (2504), no empty order (2505), no state names
 * (2501), nothing unmapped (2502), inactive (2506) or out of stock (2503) as
 * far as the last known catalog tells; and no Shopify test order unless the
 * shop allows them. Every send goes through it, so this is the check no path
 * can get around; it is also where the merchant's line changes reach the request,
 * and where lines Brilliant does not ship (variants marked so in Mappings, lines
 * and orders that need no shipping) are left out of it. The customer's line
 * properties and order note go as the items' notes (item-notes.ts).
 */

export interface CatalogVariant {
  brilliantVariantId: string;
  productName: string;
  label: string;
  inventoryCount: number; // -1: Brilliant does not track stock for it
  inventoryRequired: boolean;
  productInactive: boolean;
  removed: boolean;
}

export interface PreflightInput {
  shop: string;
  order: ShopifyOrder;
  /** Shopify variant id → Brilliant variant id. */
  mappings: ReadonlyMap<string, string>;
  /** Brilliant variant id → what the last catalog sync saw; empty when never synced. */
  catalog: ReadonlyMap<string, CatalogVariant>;
  statusWebhookUrl: string;
  /** The shop's setting: send Shopify test orders too (Brilliant ships them for real). */
  forwardTestOrders: boolean;
  /** The merchant's changes (app/orders/line-changes.ts); a substitute's variant must be in `catalog` to be checked. */
  lineChanges?: readonly LineChange[];
  /** Shopify variant ids marked "not shipped by Brilliant": their lines are left out, never held as unmapped. */
  notShipped?: ReadonlySet<string>;
  /** The shop's setting for an address without a 2-letter state (state-rule.ts); hold when left out. */
  subdivisionFallback?: SubdivisionFallback;
}

/** Why a Shopify test order (a test payment, e.g. the Bogus Gateway) stays here. */
export const TEST_ORDER_SKIP_REASON =
  "Test order: not sent to Brilliant. To send test orders too, allow them in Settings (Brilliant ships them for real).";

export interface SkippedLine {
  lineItemId: string;
  title: string;
  why: string;
}

export interface HeldVariant {
  shopifyVariantId: string | null;
  brilliantVariantId: string | null;
  title: string;
  sku: string | null;
}

export type PreflightResult =
  | {
      kind: "send";
      request: CreateOrderRequest & Required<Pick<CreateOrderRequest, "custom_data" | "webhook_url">>;
      skippedLines: SkippedLine[];
    }
  | {
      kind: "hold";
      holdKind: HoldKind;
      /** The Brilliant code this hold stands in for (what Brilliant would have answered). */
      foreseenCode: 2501 | 2502 | 2503 | 2506;
      reason: string;
      variants: HeldVariant[];
    }
  | { kind: "skip"; reason: string; skippedLines: SkippedLine[] };

function lineTitle(line: ShopifyLineItem): string {
  const base = line.title ?? `line ${line.id}`;
  return line.variant_title ? `${base} (${line.variant_title})` : base;
}

/** Brilliant's variant ids are integers; keep a non-numeric mapping as typed. */
function toBrilliantVariantId(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

function clean(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

type AddressCheck =
  { ok: true; address: BrilliantShippingAddress } | { ok: false; problem: string; remedy?: string | null };

export function toBrilliantAddress(
  address: ShopifyAddress | null | undefined,
  subdivisionFallback: SubdivisionFallback = "hold",
): AddressCheck {
  if (!address) return { ok: false, problem: "The order has no shipping address." };
  const name =
    clean(address.name) ?? clean([address.first_name, address.last_name].filter(Boolean).join(" "));
  const missing: string[] = [];
  const address1 = clean(address.address1);
  const city = clean(address.city);
  const postalCode = clean(address.zip);
  const country = clean(address.country_code)?.toUpperCase();
  if (!name) missing.push("recipient name");
  if (!address1) missing.push("street address");
  if (!city) missing.push("city");
  if (!postalCode) missing.push("postal code");
  if (!country) missing.push("country");
  if (missing.length > 0) {
    return { ok: false, problem: `The shipping address has no ${missing.join(", ")}.` };
  }
  if (country!.length !== 2) {
    return { ok: false, problem: `Brilliant needs a 2-letter country code; the address has "${country}".` };
  }
  const state = brilliantState(address, country!, subdivisionFallback);
  if (!state.ok) return state;
  return {
    ok: true,
    address: {
      name: name!,
      ...(clean(address.company) ? { company: clean(address.company) } : {}),
      address_1: address1!,
      ...(clean(address.address2) ? { address_2: clean(address.address2) } : {}),
      city: city!,
      state: state.state,
      postal_code: postalCode!,
      country: country!,
      ...(clean(address.phone) ? { phone: clean(address.phone) } : {}),
    },
  };
}

export function preflight(input: PreflightInput): PreflightResult {
  const { order, mappings, catalog } = input;
  // First, so a test order is never held for anything it would not be sent after.
  if (order.test && !input.forwardTestOrders) {
    return { kind: "skip", reason: TEST_ORDER_SKIP_REASON, skippedLines: [] };
  }
  const skippedLines: SkippedLine[] = [];
  const unmapped: HeldVariant[] = [];
  const quantities = new Map<string, { quantity: number; lines: ShopifyLineItem[] }>();
  const changes = lineChangesByLine(input.lineChanges ?? []);
  // A pickup, local delivery or sale in store leaves every line out: skipped below, never held for an address.
  const noShipping = deliveryWithoutShipping(order);
  const context = { noShipping, notShipped: input.notShipped ?? new Set<string>() };
  const sentLines: string[] = [];

  for (const line of order.line_items) {
    const quantity = line.current_quantity ?? line.quantity;
    const change = changes.get(line.id);
    const why =
      leftOutOfBrilliant(line, context) ?? (change?.action === "omit" ? "left out by the merchant" : null);
    if (why) {
      skippedLines.push({ lineItemId: line.id, title: lineTitle(line), why });
      continue;
    }
    const shopifyVariantId = line.variant_id!; // leftOutOfBrilliant lets only lines with a variant through
    const brilliantVariantId =
      change?.action === "substitute" ? change.brilliantVariantId : mappings.get(shopifyVariantId);
    if (!brilliantVariantId) {
      unmapped.push({
        shopifyVariantId,
        brilliantVariantId: null,
        title: lineTitle(line),
        sku: line.sku ?? null,
      });
      continue;
    }
    // Two Shopify lines can ship as the same Brilliant variant: Brilliant wants one line (2504).
    const entry = quantities.get(brilliantVariantId) ?? { quantity: 0, lines: [] };
    entry.quantity += quantity;
    entry.lines.push(line);
    quantities.set(brilliantVariantId, entry);
    sentLines.push(line.id);
  }

  if (unmapped.length > 0) {
    return {
      kind: "hold",
      holdKind: "mapping",
      foreseenCode: 2502,
      reason: `${describe(unmapped)} ${unmapped.length === 1 ? "has" : "have"} no Brilliant variant. Map ${unmapped.length === 1 ? "it" : "them"} in Mappings; the order then goes out by itself.`,
      variants: unmapped,
    };
  }

  if (quantities.size === 0) {
    return {
      kind: "skip",
      reason: noShipping
        ? `Nothing for Brilliant to ship: ${noShipping.reason}.`
        : skippedLines.length > 0
          ? `Nothing for Brilliant to ship: ${skippedLines.map((line) => `${line.title} (${line.why})`).join("; ")}.`
          : "Nothing for Brilliant to ship: the order has no lines.",
      skippedLines,
    };
  }

  const removed: HeldVariant[] = [];
  const inactive: HeldVariant[] = [];
  const shortOfStock: (HeldVariant & { have: number; need: number })[] = [];
  for (const [brilliantVariantId, { quantity, lines }] of quantities) {
    const known = catalog.get(brilliantVariantId);
    if (!known) continue; // never synced, or new since: Brilliant decides
    const first = lines[0]!;
    const held: HeldVariant = {
      shopifyVariantId: first.variant_id ?? null,
      brilliantVariantId,
      title: `${known.productName}${known.label ? ` (${known.label})` : ""}`,
      sku: first.sku ?? null,
    };
    if (known.removed) removed.push(held);
    else if (known.productInactive) inactive.push(held);
    else if (known.inventoryRequired && known.inventoryCount >= 0 && known.inventoryCount < quantity) {
      shortOfStock.push({ ...held, have: known.inventoryCount, need: quantity });
    }
  }
  if (removed.length > 0) {
    return {
      kind: "hold",
      holdKind: "mapping",
      foreseenCode: 2502,
      reason: `${describe(removed)} ${removed.length === 1 ? "is" : "are"} no longer in your Brilliant store. Map ${removed.length === 1 ? "it" : "them"} to another Brilliant variant; the order then goes out by itself.`,
      variants: removed,
    };
  }
  if (inactive.length > 0) {
    return {
      kind: "hold",
      holdKind: "inactive_variant",
      foreseenCode: 2506,
      reason: `${describe(inactive)} ${inactive.length === 1 ? "is" : "are"} inactive at Brilliant. Ask Brilliant to reactivate ${inactive.length === 1 ? "it" : "them"}, or map to an active variant; the order then goes out by itself.`,
      variants: inactive,
    };
  }
  if (shortOfStock.length > 0) {
    const detail = shortOfStock.map((v) => `${v.title}: ${v.have} in stock, ${v.need} ordered`).join("; ");
    return {
      kind: "hold",
      holdKind: "stock",
      foreseenCode: 2503,
      reason: `Not enough stock at Brilliant (${detail}). Ask Brilliant to restock; the order goes out when stock returns.`,
      variants: shortOfStock,
    };
  }

  const address = toBrilliantAddress(order.shipping_address, input.subdivisionFallback);
  if (!address.ok) {
    return {
      kind: "hold",
      holdKind: "address",
      foreseenCode: 2501,
      reason: `${address.problem} ${address.remedy ?? "Fix the shipping address, then resubmit the order."}`,
      variants: [],
    };
  }

  const orderLevelNote = orderNote(order);

  return {
    kind: "send",
    skippedLines,
    request: {
      order_items: [...quantities].map(([variantId, { quantity, lines }], index) => {
        const note = itemNote(lines, index === 0 ? orderLevelNote : null);
        return { variant_id: toBrilliantVariantId(variantId), quantity, ...(note ? { note } : {}) };
      }),
      shipping_address: address.address,
      custom_data: {
        shopify_shop: input.shop,
        shopify_order_id: order.id,
        shopify_order_name: order.name,
        [SENT_LINES_KEY]: sentLines,
      },
      webhook_url: input.statusWebhookUrl,
    },
  };
}

function describe(variants: HeldVariant[]): string {
  const names = variants.map((v) => (v.sku ? `${v.title} [SKU ${v.sku}]` : v.title));
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
