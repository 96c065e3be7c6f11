import type { ShopifyOrder, ShopifyShippingLine } from "./shopify-order";

/**
 * Orders that reach their customer without a parcel: picked up in store,
 * delivered by the merchant (local delivery), or sold at the counter with
 * Shopify POS. Nothing of them is Brilliant's to ship, so pre-flight leaves
 * every line out and skips the order, and never holds it for its (missing)
 * shipping address.
 *
 * What Shopify tells, best first:
 * - an order read through the Admin GraphQL API carries its fulfillment
 *   orders' `deliveryMethod.methodType` (PICK_UP, LOCAL, RETAIL, SHIPPING, …);
 * - a webhook body has only `shipping_lines`: `delivery_category` when
 *   Shopify fills it, else a Shopify rate's `code` ("Local Delivery",
 *   "Pickup"). A pickup whose code is only the location's name is not told
 *   apart; it has no shipping address and is held for one, as before;
 * - `source_name: "pos"` with no shipping address: sold in store.
 */

export type NoShippingKind = "pickup" | "local_delivery" | "in_store";

export interface NoShipping {
  kind: NoShippingKind;
  /** Why each line stays out of the Brilliant request. */
  lineWhy: string;
  /** Why the order is skipped, in the merchant's words (after "Nothing for Brilliant to ship: "). */
  reason: string;
}

const NO_SHIPPING: Record<NoShippingKind, NoShipping> = {
  pickup: {
    kind: "pickup",
    lineWhy: "needs no shipping (local pickup)",
    reason: "the customer picks this order up (local pickup)",
  },
  local_delivery: {
    kind: "local_delivery",
    lineWhy: "needs no shipping (local delivery)",
    reason: "you deliver this order yourself (local delivery)",
  },
  in_store: {
    kind: "in_store",
    lineWhy: "needs no shipping (sold in store)",
    reason: "sold in store with Shopify POS, with no shipping address",
  },
};

/** Shopify's DeliveryMethodType values that need no parcel; NONE is a digital order, which its lines already say. */
const METHOD_KINDS: Record<string, NoShippingKind | "none"> = {
  PICK_UP: "pickup",
  LOCAL: "local_delivery",
  RETAIL: "in_store",
  NONE: "none",
};

const PICKUP_WORDS = new Set(["pickup", "localpickup", "storepickup", "instorepickup", "pickupinstore"]);
const LOCAL_WORDS = new Set(["local", "localdelivery"]);

const word = (value: string | null | undefined) => (value ?? "").toLowerCase().replace(/[^a-z]/g, "");

function shippingLineKind(line: ShopifyShippingLine): NoShippingKind | "shipping" {
  const category = word(line.delivery_category);
  if (PICKUP_WORDS.has(category)) return "pickup";
  if (LOCAL_WORDS.has(category)) return "local_delivery";
  // Shopify's own rates (source "shopify") name local delivery and pickup by their code.
  if (word(line.source) === "shopify") {
    const code = word(line.code);
    if (PICKUP_WORDS.has(code)) return "pickup";
    if (code === "localdelivery") return "local_delivery";
  }
  return "shipping";
}

/** The first kind in this order of `kinds`: a pickup outweighs a local delivery, which outweighs a sale in store. */
function strongest(kinds: NoShippingKind[]): NoShipping {
  const kind = (["pickup", "local_delivery", "in_store"] as const).find((candidate) =>
    kinds.includes(candidate),
  )!;
  return NO_SHIPPING[kind];
}

/** How the order reaches its customer without Brilliant, or null when it is shipped (or Shopify does not say). */
export function deliveryWithoutShipping(order: ShopifyOrder): NoShipping | null {
  const methods = (order.delivery_method_types ?? []).map((type) => METHOD_KINDS[type.toUpperCase()]);
  if (methods.length > 0) {
    // Anything shipped (SHIPPING, PICKUP_POINT, a type we do not know) goes to Brilliant.
    if (methods.some((kind) => kind === undefined)) return null;
    const kinds = methods.filter((kind): kind is NoShippingKind => kind !== undefined && kind !== "none");
    if (kinds.length > 0) return strongest(kinds);
  }
  const shippingLines = (order.shipping_lines ?? []).filter((line) => line.is_removed !== true);
  if (shippingLines.length > 0) {
    const kinds = shippingLines.map(shippingLineKind);
    if (kinds.includes("shipping")) return null;
    return strongest(kinds as NoShippingKind[]);
  }
  const address = order.shipping_address;
  const noAddress = !address || !address.address1?.trim();
  if (word(order.source_name) === "pos" && noAddress) return NO_SHIPPING.in_store;
  return null;
}
