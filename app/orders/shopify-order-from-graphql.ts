import { z } from "zod/v4";

/**
 * An order read through the Admin GraphQL API (the reconciliation sweep),
 * turned into the REST `orders/paid` webhook body the rest of the app stores
 * and reads (`shopify-order.ts`): numeric ids, snake_case fields, tags as one
 * comma-separated string, `province_code` / `country_code`. An order the sweep
 * finds is then recorded exactly as if its webhook had come.
 *
 * Only what the app reads is asked for and carried over: no customer email
 * or prices, which the webhook body has and the app never uses. The order
 * note and the customer's attributes are carried over: they reach Brilliant
 * as the items' notes (item-notes.ts).
 */

const nullableString = z.string().nullish();

/** Line item properties and cart attributes, as GraphQL names them. */
const AttributesSchema = z.array(z.object({ key: z.string(), value: nullableString })).nullish();

export const GraphqlOrderLineSchema = z.object({
  id: z.string(),
  sku: nullableString,
  title: z.string(),
  variantTitle: nullableString,
  quantity: z.number().int().nonnegative(),
  currentQuantity: z.number().int().nonnegative().nullish(),
  requiresShipping: z.boolean().nullish(),
  isGiftCard: z.boolean().nullish(),
  variant: z.object({ id: z.string() }).nullish(),
  product: z.object({ id: z.string() }).nullish(),
  customAttributes: AttributesSchema,
});

export const GraphqlAddressSchema = z.object({
  name: nullableString,
  firstName: nullableString,
  lastName: nullableString,
  company: nullableString,
  address1: nullableString,
  address2: nullableString,
  city: nullableString,
  province: nullableString,
  provinceCode: nullableString,
  zip: nullableString,
  country: nullableString,
  countryCodeV2: nullableString,
  phone: nullableString,
});

/** How the order reaches its customer (app/orders/no-shipping.ts); asked for by the order queries that read it. */
export const GraphqlShippingLineSchema = z.object({
  code: nullableString,
  source: nullableString,
  title: nullableString,
  deliveryCategory: nullableString,
});

const DeliveryMethodsSchema = z.object({
  nodes: z.array(z.object({ deliveryMethod: z.object({ methodType: z.string() }).nullish() })),
});

export const LineItemsConnectionSchema = z.object({
  nodes: z.array(GraphqlOrderLineSchema),
  pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
});

export const GraphqlOrderSchema = z.object({
  id: z.string(),
  legacyResourceId: z.string().regex(/^\d+$/),
  name: z.string().min(1),
  createdAt: z.string(),
  cancelledAt: nullableString,
  displayFinancialStatus: nullableString,
  tags: z.array(z.string()).nullish(),
  test: z.boolean().nullish(),
  shippingAddress: GraphqlAddressSchema.nullish(),
  lineItems: LineItemsConnectionSchema,
  sourceName: nullableString,
  shippingLines: z.object({ nodes: z.array(GraphqlShippingLineSchema) }).nullish(),
  fulfillmentOrders: DeliveryMethodsSchema.nullish(),
  note: nullableString,
  customAttributes: AttributesSchema,
  paymentTerms: z
    .object({
      paymentTermsName: nullableString,
      paymentTermsType: nullableString,
      dueInDays: z.number().nullish(),
    })
    .nullish(),
});

export type GraphqlOrder = z.infer<typeof GraphqlOrderSchema>;
export type GraphqlOrderLine = z.infer<typeof GraphqlOrderLineSchema>;

/** As REST names them: `properties` of a line, `note_attributes` of an order. */
function restAttributes(attributes: z.infer<typeof AttributesSchema>) {
  return attributes?.map((attribute) => ({ name: attribute.key, value: attribute.value ?? null }));
}

/** "gid://shopify/LineItem/123" → 123 (a number, as REST bodies carry ids; a string if too large for one). */
function restId(gid: string): number | string {
  const match = /(\d+)$/.exec(gid);
  if (!match) throw new Error(`Not a Shopify id: ${gid}`);
  const value = Number(match[1]);
  return Number.isSafeInteger(value) ? value : match[1]!;
}

/**
 * The REST webhook body for a GraphQL order, with `lines` its complete line
 * items (the order's own first page plus any further pages read).
 */
export function restOrderFromGraphql(
  order: GraphqlOrder,
  lines: GraphqlOrderLine[] = order.lineItems.nodes,
): Record<string, unknown> {
  const address = order.shippingAddress;
  return {
    id: restId(order.legacyResourceId),
    admin_graphql_api_id: order.id,
    name: order.name,
    created_at: order.createdAt,
    cancelled_at: order.cancelledAt ?? null,
    // PAID → "paid", PARTIALLY_REFUNDED → "partially_refunded", as REST spells them.
    financial_status: order.displayFinancialStatus ? order.displayFinancialStatus.toLowerCase() : null,
    tags: (order.tags ?? []).join(", "),
    // A test payment is skipped by pre-flight like its webhook would be.
    test: order.test === true,
    line_items: lines.map((line) => ({
      id: restId(line.id),
      admin_graphql_api_id: line.id,
      variant_id: line.variant ? restId(line.variant.id) : null,
      product_id: line.product ? restId(line.product.id) : null,
      sku: line.sku ?? null,
      title: line.title,
      variant_title: line.variantTitle ?? null,
      quantity: line.quantity,
      current_quantity: line.currentQuantity ?? line.quantity,
      requires_shipping: line.requiresShipping ?? true,
      gift_card: line.isGiftCard ?? false,
      ...(line.customAttributes ? { properties: restAttributes(line.customAttributes) } : {}),
    })),
    // Left out when not read, as a webhook body without them is read: no note.
    ...(order.note !== undefined ? { note: order.note } : {}),
    ...(order.customAttributes ? { note_attributes: restAttributes(order.customAttributes) } : {}),
    // As the webhook body has them; null when the order has none.
    ...(order.paymentTerms !== undefined
      ? {
          payment_terms: order.paymentTerms
            ? {
                payment_terms_name: order.paymentTerms.paymentTermsName ?? null,
                payment_terms_type: order.paymentTerms.paymentTermsType?.toLowerCase() ?? null,
                due_in_days: order.paymentTerms.dueInDays ?? null,
              }
            : null,
        }
      : {}),
    // Left out when not read, as a webhook body without them is read: shipped.
    ...(order.sourceName !== undefined ? { source_name: order.sourceName } : {}),
    ...(order.shippingLines
      ? {
          shipping_lines: order.shippingLines.nodes.map((line) => ({
            code: line.code ?? null,
            source: line.source ?? null,
            title: line.title ?? null,
            delivery_category: line.deliveryCategory ?? null,
          })),
        }
      : {}),
    // A webhook body has no such field: the fulfillment orders' delivery methods tell pickup and local delivery for sure.
    ...(order.fulfillmentOrders
      ? {
          delivery_method_types: [
            ...new Set(
              order.fulfillmentOrders.nodes.flatMap((fo) =>
                fo.deliveryMethod ? [fo.deliveryMethod.methodType] : [],
              ),
            ),
          ],
        }
      : {}),
    shipping_address: address
      ? {
          name: address.name ?? null,
          first_name: address.firstName ?? null,
          last_name: address.lastName ?? null,
          company: address.company ?? null,
          address1: address.address1 ?? null,
          address2: address.address2 ?? null,
          city: address.city ?? null,
          province: address.province ?? null,
          province_code: address.provinceCode ?? null,
          zip: address.zip ?? null,
          country: address.country ?? null,
          country_code: address.countryCodeV2 ?? null,
          phone: address.phone ?? null,
        }
      : null,
  };
}
