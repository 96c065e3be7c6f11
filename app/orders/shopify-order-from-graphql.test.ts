import { describe, expect, it } from "vitest";
import { preflight, TEST_ORDER_SKIP_REASON } from "./preflight";
import { parseShopifyOrder, type ShopifyOrder } from "./shopify-order";
import { GraphqlOrderSchema, restOrderFromGraphql } from "./shopify-order-from-graphql";

// An order as the Admin GraphQL API answers the reconciliation query, and the
// REST webhook body the app stores for it: the rest of the app reads both alike.

const graphqlOrder = GraphqlOrderSchema.parse({
  id: "gid://shopify/Order/5550001",
  legacyResourceId: "5550001",
  name: "#1042",
  createdAt: "2026-11-25T10:00:00Z",
  cancelledAt: null,
  displayFinancialStatus: "PARTIALLY_REFUNDED",
  tags: ["wholesale", "VIP"],
  shippingAddress: {
    name: "Ada Buyer",
    firstName: "Ada",
    lastName: "Buyer",
    company: null,
    address1: "1 Main St",
    address2: "Apt 2",
    city: "Toronto",
    province: "Ontario",
    provinceCode: "ON",
    zip: "M5V 2T6",
    country: "Canada",
    countryCodeV2: "CA",
    phone: null,
  },
  lineItems: {
    nodes: [
      {
        id: "gid://shopify/LineItem/901",
        sku: "73002",
        title: "Tee",
        variantTitle: "M",
        quantity: 3,
        currentQuantity: 2,
        requiresShipping: true,
        isGiftCard: false,
        variant: { id: "gid://shopify/ProductVariant/45000000001" },
        product: { id: "gid://shopify/Product/8000000001" },
      },
      {
        id: "gid://shopify/LineItem/902",
        sku: null,
        title: "Gift card",
        variantTitle: null,
        quantity: 1,
        currentQuantity: 1,
        requiresShipping: false,
        isGiftCard: true,
        variant: null,
        product: null,
      },
    ],
    pageInfo: { hasNextPage: false, endCursor: null },
  },
});

/** Pre-flight for `order` as its webhook would meet it: the tee mapped, test orders not sent. */
function preflightAsItsWebhook(order: ShopifyOrder) {
  return preflight({
    shop: "mapping-test.myshopify.com",
    order,
    mappings: new Map([["45000000001", "73002"]]),
    catalog: new Map(),
    statusWebhookUrl: "https://app.test/brilliant/status/token",
    forwardTestOrders: false,
  });
}

describe("restOrderFromGraphql", () => {
  it("GIVEN a GraphQL order THEN it becomes the REST webhook body: numeric ids, snake_case, codes, tags as one string", () => {
    const rest = restOrderFromGraphql(graphqlOrder);
    expect(rest).toMatchObject({
      id: 5550001,
      admin_graphql_api_id: "gid://shopify/Order/5550001",
      name: "#1042",
      created_at: "2026-11-25T10:00:00Z",
      cancelled_at: null,
      financial_status: "partially_refunded",
      tags: "wholesale, VIP",
      test: false,
      shipping_address: {
        name: "Ada Buyer",
        first_name: "Ada",
        address1: "1 Main St",
        address2: "Apt 2",
        province_code: "ON",
        country_code: "CA",
        zip: "M5V 2T6",
      },
    });
    expect(rest.line_items).toEqual([
      {
        id: 901,
        admin_graphql_api_id: "gid://shopify/LineItem/901",
        variant_id: 45000000001,
        product_id: 8000000001,
        sku: "73002",
        title: "Tee",
        variant_title: "M",
        quantity: 3,
        current_quantity: 2,
        requires_shipping: true,
        gift_card: false,
      },
      expect.objectContaining({ id: 902, variant_id: null, requires_shipping: false, gift_card: true }),
    ]);
    // No customer data the app does not use.
    expect(JSON.stringify(rest)).not.toMatch(/email/);
  });

  it("parses as a Shopify order and goes through pre-flight like its webhook would", () => {
    const parsed = parseShopifyOrder(restOrderFromGraphql(graphqlOrder));
    expect(parsed.success).toBe(true);
    const check = preflightAsItsWebhook(parsed.data!);
    expect(check.kind).toBe("send");
    if (check.kind !== "send") return;
    // The edited quantity, the state as a code, the gift card left out.
    expect(check.request.order_items).toEqual([{ variant_id: 73002, quantity: 2 }]);
    expect(check.request.shipping_address).toMatchObject({ state: "ON", country: "CA" });
  });

  it("carries Shopify's test flag, so a test order found by the sweep is skipped by pre-flight like its webhook", () => {
    const parsed = parseShopifyOrder(restOrderFromGraphql({ ...graphqlOrder, test: true }));
    expect(parsed.data).toMatchObject({ test: true });
    const check = preflightAsItsWebhook(parsed.data!);
    expect(check).toMatchObject({ kind: "skip", reason: TEST_ORDER_SKIP_REASON });
  });

  it("carries how the order reaches its customer when it was read, so a pickup found by the sweep is skipped like its webhook", () => {
    const pickup = GraphqlOrderSchema.parse({
      ...graphqlOrder,
      shippingAddress: null,
      sourceName: "web",
      shippingLines: { nodes: [{ code: "Main St store", source: "shopify", title: "Main St store" }] },
      fulfillmentOrders: {
        nodes: [{ deliveryMethod: { methodType: "PICK_UP" } }, { deliveryMethod: { methodType: "PICK_UP" } }],
      },
    });
    const rest = restOrderFromGraphql(pickup);
    expect(rest).toMatchObject({
      source_name: "web",
      shipping_lines: [
        { code: "Main St store", source: "shopify", title: "Main St store", delivery_category: null },
      ],
      delivery_method_types: ["PICK_UP"],
    });
    const check = preflightAsItsWebhook(parseShopifyOrder(rest).data!);
    expect(check).toMatchObject({
      kind: "skip",
      reason: "Nothing for Brilliant to ship: the customer picks this order up (local pickup).",
    });
    // Not read: not claimed either, as a webhook body without them.
    expect(Object.keys(restOrderFromGraphql(graphqlOrder))).not.toContain("delivery_method_types");
  });

  it("takes the complete line items when the order had more than one page of them", () => {
    const extra = { ...graphqlOrder.lineItems.nodes[0]!, id: "gid://shopify/LineItem/903", quantity: 1 };
    const rest = restOrderFromGraphql(graphqlOrder, [...graphqlOrder.lineItems.nodes, extra]);
    expect((rest.line_items as unknown[]).length).toBe(3);
  });
});
