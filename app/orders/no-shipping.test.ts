import { describe, expect, it } from "vitest";
import { deliveryWithoutShipping } from "./no-shipping";
import { preflight, type PreflightInput } from "./preflight";
import { ShopifyOrderSchema, type ShopifyOrder } from "./shopify-order";

// Orders and lines Brilliant has nothing to ship for: pickups, local
// deliveries, sales in store, and variants the merchant marked "not shipped
// by Brilliant". Pre-flight leaves them out and skips an order of nothing
// else, never holding it for its missing shipping address.

const ADDRESS = {
  name: "Ada Lovelace",
  address1: "1 Main St",
  city: "Sacramento",
  province_code: "CA",
  zip: "95814",
  country_code: "US",
};

function order(overrides: Record<string, unknown> = {}): ShopifyOrder {
  return ShopifyOrderSchema.parse({
    id: 5001,
    name: "#1001",
    line_items: [
      { id: 1, variant_id: 111, sku: "TEE", title: "Tee", quantity: 2, requires_shipping: true },
      { id: 2, variant_id: 222, sku: "CANDLE", title: "Candle", quantity: 1, requires_shipping: true },
    ],
    shipping_address: ADDRESS,
    ...overrides,
  });
}

function input(o: ShopifyOrder, notShipped: string[] = []): PreflightInput {
  return {
    shop: "demo.myshopify.com",
    order: o,
    mappings: new Map([["111", "1001"]]),
    catalog: new Map(),
    statusWebhookUrl: "https://app.example/brilliant/status/token",
    forwardTestOrders: false,
    notShipped: new Set(notShipped),
  };
}

const shipping = (line: Record<string, unknown>) => ({ title: "Rate", source: "shopify", ...line });

describe("how an order reaches its customer", () => {
  it("tells a pickup and a local delivery from the webhook's shipping lines", () => {
    const kind = (lines: Record<string, unknown>[]) =>
      deliveryWithoutShipping(order({ shipping_lines: lines.map(shipping), shipping_address: null }))?.kind ??
      null;
    expect(kind([{ code: "Pickup", delivery_category: "pickup" }])).toBe("pickup");
    expect(kind([{ code: "Main St store", delivery_category: "pick-up" }])).toBe("pickup");
    expect(kind([{ code: "Local Delivery", delivery_category: null }])).toBe("local_delivery");
    expect(kind([{ code: "Anything", delivery_category: "local" }])).toBe("local_delivery");
    // A carrier's rate, or a removed pickup beside a real shipment: shipped.
    expect(kind([{ code: "Standard", source: "usps" }])).toBeNull();
    expect(kind([{ code: "Standard" }, { code: "Pickup", is_removed: true }])).toBe(null);
    expect(kind([{ code: "Pickup" }, { code: "Standard" }])).toBeNull();
    // "Local Delivery" from a carrier app is a carrier's name, not Shopify's local delivery.
    expect(kind([{ code: "Local Delivery", source: "ups" }])).toBeNull();
  });

  it("tells a sale in Shopify POS without a shipping address, but not one shipped from the counter", () => {
    expect(deliveryWithoutShipping(order({ source_name: "pos", shipping_address: null }))?.kind).toBe(
      "in_store",
    );
    expect(deliveryWithoutShipping(order({ source_name: "pos" }))).toBeNull();
    expect(deliveryWithoutShipping(order({ source_name: "web", shipping_address: null }))).toBeNull();
  });

  it("trusts the fulfillment orders' delivery methods of an order read through the Admin API", () => {
    const methods = (types: string[]) =>
      deliveryWithoutShipping(order({ delivery_method_types: types }))?.kind ?? null;
    expect(methods(["PICK_UP"])).toBe("pickup");
    expect(methods(["LOCAL"])).toBe("local_delivery");
    expect(methods(["RETAIL"])).toBe("in_store");
    expect(methods(["PICK_UP", "SHIPPING"])).toBeNull();
    expect(methods(["PICKUP_POINT"])).toBeNull();
    expect(methods(["NONE"])).toBeNull();
  });

  it("reads a shipping line of a shape it does not know as shipped, and the order still parses", () => {
    const parsed = ShopifyOrderSchema.safeParse({
      ...order(),
      shipping_lines: [{ code: 7, delivery_category: { kind: "pickup" } }],
      source_name: 12,
    });
    expect(parsed.success).toBe(true);
    expect(parsed.success && deliveryWithoutShipping(parsed.data)).toBeNull();
  });
});

describe("pre-flight of lines and orders Brilliant does not ship", () => {
  it("GIVEN a line of a variant not shipped by Brilliant THEN the request goes without it, and names only the lines it carries", () => {
    const result = preflight(input(order(), ["222"]));
    expect(result.kind).toBe("send");
    if (result.kind !== "send") return;
    expect(result.request.order_items).toEqual([{ variant_id: 1001, quantity: 2 }]);
    expect(result.request.custom_data.shopify_line_item_ids).toEqual(["1"]);
    expect(result.skippedLines).toEqual([
      { lineItemId: "2", title: "Candle", why: "not shipped by Brilliant" },
    ]);
  });

  it("GIVEN only lines not shipped by Brilliant or needing no shipping THEN it is skipped, saying which and why", () => {
    const o = order({
      line_items: [
        { id: 2, variant_id: 222, title: "Candle", quantity: 1 },
        { id: 3, variant_id: 333, title: "Gift wrap", quantity: 1, requires_shipping: false },
      ],
    });
    expect(preflight(input(o, ["222"]))).toMatchObject({
      kind: "skip",
      reason:
        "Nothing for Brilliant to ship: Candle (not shipped by Brilliant); Gift wrap (needs no shipping).",
    });
  });

  it("GIVEN a marked line beside an unmapped one THEN the unmapped one still holds the order, alone", () => {
    const o = order({
      line_items: [
        { id: 2, variant_id: 222, title: "Candle", quantity: 1 },
        { id: 4, variant_id: 444, title: "Poster", sku: "POSTER", quantity: 1 },
      ],
    });
    const result = preflight(input(o, ["222"]));
    expect(result).toMatchObject({ kind: "hold", holdKind: "mapping", foreseenCode: 2502 });
    expect(result.kind === "hold" && result.variants.map((v) => v.shopifyVariantId)).toEqual(["444"]);
  });

  it("GIVEN a pickup, a local delivery or a POS sale without an address THEN it is skipped with why, never held for the address or a mapping", () => {
    const unmappedToo = [
      { id: 1, variant_id: 111, title: "Tee", quantity: 1 },
      { id: 4, variant_id: 444, title: "Poster", quantity: 1 },
    ];
    const cases: [Record<string, unknown>, string][] = [
      [
        { shipping_lines: [shipping({ code: "Pickup", delivery_category: "pickup" })] },
        "Nothing for Brilliant to ship: the customer picks this order up (local pickup).",
      ],
      [
        { shipping_lines: [shipping({ code: "Local Delivery" })] },
        "Nothing for Brilliant to ship: you deliver this order yourself (local delivery).",
      ],
      [
        { source_name: "pos", shipping_lines: [] },
        "Nothing for Brilliant to ship: sold in store with Shopify POS, with no shipping address.",
      ],
    ];
    for (const [delivery, reason] of cases) {
      const result = preflight(
        input(order({ ...delivery, line_items: unmappedToo, shipping_address: null })),
      );
      expect(result).toEqual({
        kind: "skip",
        reason,
        skippedLines: [
          { lineItemId: "1", title: "Tee", why: expect.stringMatching(/^needs no shipping \(/) },
          { lineItemId: "4", title: "Poster", why: expect.stringMatching(/^needs no shipping \(/) },
        ],
      });
    }
  });

  it("GIVEN a web order without an address and a shipping rate THEN it is still held for the address", () => {
    const result = preflight(
      input(order({ shipping_address: null, shipping_lines: [shipping({ code: "Standard" })] }), ["222"]),
    );
    expect(result).toMatchObject({ kind: "hold", holdKind: "address", foreseenCode: 2501 });
  });
});
