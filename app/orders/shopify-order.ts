import { z } from "zod/v4";

import { shopifyId } from "../models/shopify-id";

/**
 * The parts of Shopify's REST `orders/paid` webhook body the app relies on.
 * Everything else is kept untouched in the stored payload, and left out of
 * a parse's output (objects, not loose objects: copying an order's other
 * fields cost every webhook CPU and young-generation GC); fields Shopify may
 * omit or null are optional here so that a real order never fails ingest.
 */
// Canonical ids (app/models/shopify-id.ts): 8400704573 and "08400704573" are one order.
const id = shopifyId;
const nullableString = z.string().nullish();

// A name: value the customer gave (line item properties, cart attributes), read
// leniently: a shape Shopify changes, or one redaction replaced, loses the note, never the order.
export const ShopifyNoteAttributeSchema = z.object({
  name: z.string(),
  value: z
    .union([z.string(), z.number(), z.boolean()])
    .nullish()
    .transform((value) => (value === null || value === undefined ? null : String(value))),
});
const noteAttributes = z.array(ShopifyNoteAttributeSchema).nullish().catch(null);

export const ShopifyAddressSchema = z.object({
  name: nullableString,
  first_name: nullableString,
  last_name: nullableString,
  company: nullableString,
  address1: nullableString,
  address2: nullableString,
  city: nullableString,
  province: nullableString,
  province_code: nullableString,
  zip: nullableString,
  country: nullableString,
  country_code: nullableString,
  phone: nullableString,
});

export const ShopifyLineItemSchema = z.object({
  id,
  variant_id: id.nullish(),
  product_id: id.nullish(),
  sku: nullableString,
  title: nullableString,
  variant_title: nullableString,
  quantity: z.number().int().nonnegative(),
  // Quantity after edits and removals; absent on older API versions.
  current_quantity: z.number().int().nonnegative().nullish(),
  requires_shipping: z.boolean().nullish(),
  gift_card: z.boolean().nullish(),
  // What the customer chose for this line (an engraving, gift wrap): its note at Brilliant.
  properties: noteAttributes,
});

// How the order reaches its customer (app/orders/no-shipping.ts): a pickup or
// local delivery has no parcel for Brilliant to ship.
export const ShopifyShippingLineSchema = z.object({
  code: nullableString,
  source: nullableString,
  title: nullableString,
  delivery_category: nullableString,
  is_removed: z.boolean().nullish(),
});

export const ShopifyOrderSchema = z.object({
  id,
  admin_graphql_api_id: nullableString,
  name: z.string().min(1),
  created_at: z.string().nullish(),
  cancelled_at: z.string().nullish(),
  financial_status: nullableString,
  tags: z.string().nullish(),
  // A test payment (e.g. Shopify's Bogus Gateway): never shipped unless the shop allows it.
  test: z
    .boolean()
    .nullish()
    .transform((value) => value === true),
  line_items: z.array(ShopifyLineItemSchema),
  // The customer's order note and cart attributes (a gift message): with the first item's note.
  note: nullableString.catch(null),
  note_attributes: noteAttributes,
  shipping_address: ShopifyAddressSchema.nullish(),
  // How it reaches the customer, read leniently: a shape Shopify changes means "shipped", never a lost order.
  // source_name is "pos" for a sale in Shopify POS.
  source_name: nullableString.catch(null),
  shipping_lines: z.array(ShopifyShippingLineSchema).nullish().catch(null),
  // Never in a webhook body: the DeliveryMethodType (PICK_UP, LOCAL, SHIPPING, …) of
  // each fulfillment order, when the order was read through the Admin GraphQL API.
  delivery_method_types: z.array(z.string()).nullish().catch(null),
  // Net terms or due on fulfillment (B2B, draft orders): the order is placed unpaid. Read leniently:
  // a shape Shopify changes loses only the label, never the order.
  payment_terms: z
    .object({ payment_terms_name: nullableString, payment_terms_type: nullableString })
    .nullish()
    .catch(null),
});

export type ShopifyOrder = z.infer<typeof ShopifyOrderSchema>;
export type ShopifyLineItem = z.infer<typeof ShopifyLineItemSchema>;
export type ShopifyAddress = z.infer<typeof ShopifyAddressSchema>;
export type ShopifyShippingLine = z.infer<typeof ShopifyShippingLineSchema>;
export type ShopifyNoteAttribute = z.infer<typeof ShopifyNoteAttributeSchema>;

export function parseShopifyOrder(payload: unknown) {
  return ShopifyOrderSchema.safeParse(payload);
}
