import { NOTABLE_VARIANT_IDS } from "../../simulator/catalog";

/**
 * A handful of realistic `orders/paid` webhook bodies (Shopify's REST webhook
 * format), each showing one thing the app must get right. SKUs that equal a
 * Brilliant variant id are mapped by the demo's SKU rule; the rest are not.
 */
export interface SampleOrder {
  body: Record<string, unknown>;
  /** What the demo expects to happen, printed beside the result. */
  story: string;
}

let lineId = 17_000_000_000;

function line(
  variantId: number,
  sku: string,
  title: string,
  quantity: number,
  extra: Record<string, unknown> = {},
) {
  lineId += 1;
  return {
    id: lineId,
    admin_graphql_api_id: `gid://shopify/LineItem/${lineId}`,
    variant_id: variantId,
    product_id: 8_100_000_000 + (variantId % 1000),
    sku,
    title,
    variant_title: null,
    name: title,
    quantity,
    current_quantity: quantity,
    fulfillable_quantity: quantity,
    requires_shipping: true,
    gift_card: false,
    price: "24.00",
    vendor: "Brilliant Sync Demo",
    fulfillment_service: "manual",
    ...extra,
  };
}

function address(overrides: Record<string, unknown> = {}) {
  return {
    first_name: "Ada",
    last_name: "Lovelace",
    name: "Ada Lovelace",
    company: null,
    address1: "1 Analytical Way",
    address2: "Suite 2",
    city: "Sacramento",
    province: "California",
    province_code: "CA",
    zip: "95814",
    country: "United States",
    country_code: "US",
    phone: "+1 916 555 0100",
    latitude: null,
    longitude: null,
    ...overrides,
  };
}

function order(number: number, lineItems: unknown[], overrides: Record<string, unknown> = {}) {
  const id = 6_200_000_000 + number;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${number}`,
    order_number: number,
    email: `customer${number}@example.com`,
    created_at: new Date().toISOString(),
    processed_at: new Date().toISOString(),
    financial_status: "paid",
    fulfillment_status: null,
    cancelled_at: null,
    currency: "USD",
    total_price: "48.00",
    tags: "",
    test: false,
    line_items: lineItems,
    shipping_address: address(),
    billing_address: address(),
    customer: {
      id: 7_300_000_000 + number,
      email: `customer${number}@example.com`,
      first_name: "Ada",
      last_name: "Lovelace",
    },
    ...overrides,
  };
}

const V = NOTABLE_VARIANT_IDS;
// Shopify variant ids of the demo shop's products.
const shopifyVariant = (n: number) => 45_000_000_000 + n;

export function sampleOrders(): SampleOrder[] {
  return [
    {
      story: "mapped tee and gift box (untracked stock); state given as a name with a province code",
      body: order(1001, [
        line(shopifyVariant(1), String(V.teeMedium), "Classic Logo Tee - M", 2),
        line(shopifyVariant(2), String(V.untracked), "Welcome Gift Box", 1),
      ]),
    },
    {
      story: "a poster with no Brilliant variant (unmapped SKU)",
      body: order(1002, [line(shopifyVariant(3), "POSTER-18X24", "Launch Poster 18x24", 1)]),
    },
    {
      story: "5 of a tee with only 2 left at Brilliant (low stock)",
      body: order(1003, [line(shopifyVariant(4), String(V.lowStock), "Classic Logo Tee - L", 5)]),
    },
    {
      story: "a hoodie whose Brilliant product is inactive",
      body: order(1004, [line(shopifyVariant(5), String(V.inactive), "2023 Conference Hoodie - M", 1)]),
    },
    {
      story: "Brilliant answers 3501 once (validated, not inserted): retried",
      body: order(1005, [line(shopifyVariant(6), String(V.stockNotRequired), "Soft Cover Notebook", 3)]),
    },
    {
      story: "Brilliant creates the order but answers 1500: looked up, never sent twice",
      body: order(1006, [line(shopifyVariant(1), String(V.teeMedium), "Classic Logo Tee - M", 1)], {
        shipping_address: address({ city: "Austin", province: "Texas", province_code: "TX", zip: "73301" }),
      }),
    },
    {
      story: "a Canadian address with the province name only, no code",
      body: order(1007, [line(shopifyVariant(2), String(V.untracked), "Welcome Gift Box", 1)], {
        shipping_address: address({
          city: "Toronto",
          province: "Ontario",
          province_code: null,
          zip: "M5V 2T6",
          country: "Canada",
          country_code: "CA",
        }),
      }),
    },
    {
      story: "only a gift card: nothing for Brilliant to ship",
      body: order(1008, [
        line(shopifyVariant(9), "GIFT-25", "Gift Card $25", 1, { gift_card: true, requires_shipping: false }),
      ]),
    },
  ];
}

/** SKUs the demo marks "not shipped by Brilliant" before it sends its orders (`--not-shipped-skus`). */
export const DEMO_NOT_SHIPPED_SKUS = ["CANDLE-LOCAL"];

/**
 * Orders of a shop that ships some things itself and sells in store too. The
 * demo sends them after the eight above; the admin preview (and its end-to-end
 * tests, which count its orders) seeds only the eight.
 */
export function realWorldSampleOrders(): SampleOrder[] {
  return [
    {
      story: "a tee and a candle the merchant ships from their own stock (not shipped by Brilliant)",
      body: order(1009, [
        line(shopifyVariant(1), String(V.teeMedium), "Classic Logo Tee - M", 1),
        line(shopifyVariant(10), "CANDLE-LOCAL", "Hand-poured Candle", 1),
      ]),
    },
    {
      story: "a sale at the counter with Shopify POS: no shipping address, nothing to ship",
      body: order(1010, [line(shopifyVariant(2), String(V.untracked), "Welcome Gift Box", 1)], {
        source_name: "pos",
        shipping_address: null,
        shipping_lines: [],
      }),
    },
    {
      story: "a personalised tee and a gift message: both go to Brilliant in the item's note",
      body: order(
        1011,
        [
          line(shopifyVariant(1), String(V.teeMedium), "Classic Logo Tee - M", 1, {
            properties: [
              { name: "Engraving", value: "Ada" },
              { name: "_upsell_token", value: "internal" },
            ],
          }),
        ],
        { note: "Happy birthday, Ada!" },
      ),
    },
  ];
}

/** Shopify order names whose first POST the simulator answers with a fault. */
export const SCRIPTED_FAULTS = [
  { shopifyOrderName: "#1005", fault: { kind: "code3501" as const } },
  { shopifyOrderName: "#1006", fault: { kind: "code1500" as const, created: true } },
];
