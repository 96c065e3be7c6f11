import { describe, expect, it } from "vitest";
import { preflight, TEST_ORDER_SKIP_REASON, type CatalogVariant, type PreflightInput } from "./preflight";
import { ShopifyOrderSchema, type ShopifyOrder } from "./shopify-order";

const SHOP = "demo.myshopify.com";

function order(overrides: Partial<Record<string, unknown>> = {}): ShopifyOrder {
  return ShopifyOrderSchema.parse({
    id: 5001,
    name: "#1001",
    line_items: [
      { id: 1, variant_id: 111, sku: "B-1001", title: "Mug", quantity: 2, requires_shipping: true },
    ],
    shipping_address: {
      first_name: "Ada",
      last_name: "Lovelace",
      address1: "1 Main St",
      city: "Sacramento",
      province: "California",
      province_code: "CA",
      zip: "95814",
      country_code: "US",
    },
    ...overrides,
  });
}

function input(o: ShopifyOrder, extra: Partial<PreflightInput> = {}): PreflightInput {
  return {
    shop: SHOP,
    order: o,
    mappings: new Map([
      ["111", "1001"],
      ["112", "1001"],
      ["113", "1002"],
    ]),
    catalog: new Map(),
    statusWebhookUrl: "https://app.example/brilliant/status/token",
    forwardTestOrders: false,
    ...extra,
  };
}

function catalogVariant(id: string, over: Partial<CatalogVariant> = {}): CatalogVariant {
  return {
    brilliantVariantId: id,
    productName: "Mug",
    label: "White",
    inventoryCount: 10,
    inventoryRequired: true,
    productInactive: false,
    removed: false,
    ...over,
  };
}

/** Pre-flight for the order with these line items. */
function preflightOfLines(lines: Array<Record<string, unknown>>) {
  return preflight(input(order({ line_items: lines })));
}

describe("preflight", () => {
  it("GIVEN a mapped order with a state name and code WHEN checked THEN it sends the 2-letter code and our custom_data", () => {
    const result = preflight(input(order()));
    expect(result.kind).toBe("send");
    if (result.kind !== "send") return;
    expect(result.request.shipping_address).toMatchObject({
      name: "Ada Lovelace",
      state: "CA",
      country: "US",
      postal_code: "95814",
    });
    expect(result.request.order_items).toEqual([{ variant_id: 1001, quantity: 2 }]);
    expect(result.request.custom_data).toEqual({
      shopify_shop: SHOP,
      shopify_order_id: "5001",
      shopify_order_name: "#1001",
      // The Shopify lines it carries, for fulfillment write-back and the order page.
      shopify_line_item_ids: ["1"],
    });
    expect(result.request.webhook_url).toContain("/brilliant/status/");
  });

  it("merges Shopify lines that ship as the same Brilliant variant (never 2504)", () => {
    const result = preflightOfLines([
      { id: 1, variant_id: 111, title: "Mug", quantity: 2 },
      { id: 2, variant_id: 112, title: "Mug gift", quantity: 3 },
      { id: 3, variant_id: 113, title: "Tee", quantity: 1 },
    ]);
    expect(result.kind === "send" && result.request.order_items).toEqual([
      { variant_id: 1001, quantity: 5 },
      { variant_id: 1002, quantity: 1 },
    ]);
  });

  it("leaves out gift cards, digital and removed lines, and says so", () => {
    const result = preflightOfLines([
      { id: 1, variant_id: 111, title: "Mug", quantity: 1 },
      { id: 2, variant_id: 900, title: "Gift card", quantity: 1, gift_card: true },
      { id: 3, variant_id: 901, title: "E-book", quantity: 1, requires_shipping: false },
      { id: 4, variant_id: 113, title: "Tee", quantity: 2, current_quantity: 0 },
    ]);
    expect(result.kind).toBe("send");
    if (result.kind !== "send") return;
    expect(result.request.order_items).toEqual([{ variant_id: 1001, quantity: 1 }]);
    expect(result.skippedLines.map((line) => line.why)).toEqual([
      "gift card",
      "needs no shipping",
      "removed from the order",
    ]);
  });

  it("skips an order with nothing to ship instead of sending an empty one (never 2505)", () => {
    const result = preflightOfLines([
      { id: 2, variant_id: 900, title: "Gift card", quantity: 1, gift_card: true },
    ]);
    expect(result.kind).toBe("skip");
    expect(result.kind === "skip" && result.reason).toMatch(/Nothing for Brilliant to ship/);
  });

  it("skips a Shopify test order before anything could hold it, and sends it only when the shop allows test orders", () => {
    const unmapped = order({
      test: true,
      line_items: [{ id: 1, variant_id: 999, sku: "NOPE", title: "Poster", quantity: 1 }],
    });
    expect(preflight(input(unmapped))).toEqual({
      kind: "skip",
      reason: TEST_ORDER_SKIP_REASON,
      skippedLines: [],
    });
    expect(preflight(input(order({ test: true })))).toMatchObject({ kind: "skip" });
    expect(preflight(input(order({ test: true }), { forwardTestOrders: true })).kind).toBe("send");
    // Allowed, a test order meets every other rule like any order.
    expect(preflight(input(unmapped, { forwardTestOrders: true }))).toMatchObject({ kind: "hold" });
    // Absent or null is a real order.
    expect(preflight(input(order({ test: null }))).kind).toBe("send");
    expect(preflight(input(order({ test: false }))).kind).toBe("send");
  });

  it("holds an order with an unmapped variant and names it (2502-class)", () => {
    const result = preflightOfLines([{ id: 1, variant_id: 999, sku: "NOPE", title: "Poster", quantity: 1 }]);
    expect(result).toMatchObject({ kind: "hold", holdKind: "mapping", foreseenCode: 2502 });
    expect(result.kind === "hold" && result.reason).toMatch(/Poster \[SKU NOPE\] has no Brilliant variant/);
  });

  it("holds when the state is only a name: never guesses a code (2501)", () => {
    const o = order();
    o.shipping_address = { ...o.shipping_address!, province_code: null, province: "Washington" };
    const result = preflight(input(o));
    expect(result).toMatchObject({ kind: "hold", holdKind: "address", foreseenCode: 2501 });
    expect(result.kind === "hold" && result.reason).toMatch(/only the name "Washington"/);
  });

  it("holds when the province code is not two letters, and when a required field is missing", () => {
    const o = order();
    o.shipping_address = { ...o.shipping_address!, province_code: "NSW", country_code: "AU" };
    expect(preflight(input(o))).toMatchObject({ kind: "hold", holdKind: "address" });
    const noCity = order();
    noCity.shipping_address = { ...noCity.shipping_address!, city: " " };
    const result = preflight(input(noCity));
    expect(result.kind === "hold" && result.reason).toMatch(/no city/);
    expect(preflight(input(order({ shipping_address: null })))).toMatchObject({
      kind: "hold",
      holdKind: "address",
    });
  });

  it("holds on the last known catalog: inactive (2506), short of stock (2503), removed (2502)", () => {
    const o = order();
    expect(
      preflight(
        input(o, { catalog: new Map([["1001", catalogVariant("1001", { productInactive: true })]]) }),
      ),
    ).toMatchObject({ kind: "hold", foreseenCode: 2506, holdKind: "inactive_variant" });
    const stock = preflight(
      input(o, { catalog: new Map([["1001", catalogVariant("1001", { inventoryCount: 1 })]]) }),
    );
    expect(stock).toMatchObject({ kind: "hold", foreseenCode: 2503, holdKind: "stock" });
    expect(stock.kind === "hold" && stock.reason).toMatch(/1 in stock, 2 ordered/);
    expect(
      preflight(input(o, { catalog: new Map([["1001", catalogVariant("1001", { removed: true })]]) })),
    ).toMatchObject({ kind: "hold", foreseenCode: 2502 });
  });

  it("never blocks on untracked stock (-1) or a product that does not require inventory", () => {
    const o = order();
    expect(
      preflight(input(o, { catalog: new Map([["1001", catalogVariant("1001", { inventoryCount: -1 })]]) }))
        .kind,
    ).toBe("send");
    expect(
      preflight(
        input(o, {
          catalog: new Map([
            ["1001", catalogVariant("1001", { inventoryCount: 0, inventoryRequired: false })],
          ]),
        }),
      ).kind,
    ).toBe("send");
  });
});

describe("preflight with the merchant's line changes", () => {
  const AT = "2025-03-01T10:00:00.000Z";
  const twoLines = () =>
    order({
      line_items: [
        { id: 1, variant_id: 111, title: "Mug", quantity: 2 },
        { id: 3, variant_id: 113, title: "Tee", quantity: 1 },
      ],
    });

  it("GIVEN a line left out THEN the request goes without it, and says why it was left out", () => {
    const result = preflight(
      input(twoLines(), { lineChanges: [{ lineItemId: "1", action: "omit", at: AT }] }),
    );
    expect(result.kind === "send" && result.request.order_items).toEqual([{ variant_id: 1002, quantity: 1 }]);
    expect(result.kind === "send" && result.skippedLines).toEqual([
      { lineItemId: "1", title: "Mug", why: "left out by the merchant" },
    ]);
  });

  it("GIVEN a line sent as another variant THEN the request names that variant, merged with a line already of it", () => {
    const substitute = (brilliantVariantId: string) =>
      input(twoLines(), {
        lineChanges: [{ lineItemId: "1", action: "substitute", brilliantVariantId, at: AT }],
      });
    const result = preflight(substitute("2001"));
    expect(result.kind === "send" && result.request.order_items).toEqual([
      { variant_id: 2001, quantity: 2 },
      { variant_id: 1002, quantity: 1 },
    ]);
    const merged = preflight(substitute("1002"));
    expect(merged.kind === "send" && merged.request.order_items).toEqual([{ variant_id: 1002, quantity: 3 }]);
  });

  it("GIVEN the mapped variant is short of stock WHEN the line goes as another THEN stock is checked for the one chosen", () => {
    const catalog = new Map([
      ["1001", catalogVariant("1001", { inventoryCount: 0 })],
      ["2001", catalogVariant("2001", { inventoryCount: 5 })],
      ["2002", catalogVariant("2002", { inventoryCount: 1 })],
      ["2003", catalogVariant("2003", { productInactive: true })],
    ]);
    const withSubstitute = (brilliantVariantId: string) =>
      preflight(
        input(twoLines(), {
          catalog,
          lineChanges: [{ lineItemId: "1", action: "substitute", brilliantVariantId, at: AT }],
        }),
      );
    expect(preflight(input(twoLines(), { catalog }))).toMatchObject({ kind: "hold", holdKind: "stock" });
    expect(withSubstitute("2001").kind).toBe("send");
    const short = withSubstitute("2002");
    expect(short).toMatchObject({ kind: "hold", holdKind: "stock" });
    expect(short.kind === "hold" && short.variants.map((v) => v.brilliantVariantId)).toEqual(["2002"]);
    expect(withSubstitute("2003")).toMatchObject({ kind: "hold", holdKind: "inactive_variant" });
  });

  it("GIVEN an unmapped line left out THEN it is no longer held for it; every line left out is a skip, never an empty send", () => {
    const unmapped = order({
      line_items: [
        { id: 1, variant_id: 999, title: "Poster", quantity: 1 },
        { id: 3, variant_id: 113, title: "Tee", quantity: 1 },
      ],
    });
    expect(preflight(input(unmapped)).kind).toBe("hold");
    const omitPoster = preflight(
      input(unmapped, { lineChanges: [{ lineItemId: "1", action: "omit", at: AT }] }),
    );
    expect(omitPoster.kind === "send" && omitPoster.request.order_items).toEqual([
      { variant_id: 1002, quantity: 1 },
    ]);
    const omitAll = preflight(
      input(unmapped, {
        lineChanges: [
          { lineItemId: "1", action: "omit", at: AT },
          { lineItemId: "3", action: "omit", at: AT },
        ],
      }),
    );
    expect(omitAll.kind).toBe("skip");
  });
});

describe("preflight: the customer's notes", () => {
  it("GIVEN properties and an order note THEN each item's note carries its lines' public properties, and the first item the order note", () => {
    const result = preflight(
      input(
        order({
          note: "Happy birthday!",
          note_attributes: [{ name: "_tracking", value: "abc" }],
          line_items: [
            {
              id: 1,
              variant_id: 113,
              title: "Tee",
              quantity: 1,
              properties: [
                { name: "Engraving", value: "Ada" },
                { name: "_upload_token", value: "secret" },
                { name: "Gift wrap", value: "yes" },
              ],
            },
            { id: 2, variant_id: 111, title: "Mug", quantity: 1 },
            {
              id: 3,
              variant_id: 112,
              title: "Mug gift",
              quantity: 2,
              properties: [{ name: "Name", value: "Bob" }],
            },
          ],
        }),
      ),
    );
    expect(result.kind === "send" && result.request.order_items).toEqual([
      {
        variant_id: 1002,
        quantity: 1,
        note: "Engraving: Ada · Gift wrap: yes | Order note: Happy birthday!",
      },
      { variant_id: 1001, quantity: 3, note: "2 × Name: Bob" },
    ]);
  });

  it("GIVEN no notes THEN no item carries a note key at all", () => {
    const result = preflight(input(order({ note: "   ", note_attributes: [] })));
    expect(result.kind === "send" && result.request.order_items).toEqual([{ variant_id: 1001, quantity: 2 }]);
  });
});

describe("preflight: an address without a 2-letter state", () => {
  const abroad = (country: string, province_code: string | null) => {
    const o = order();
    o.shipping_address = { ...o.shipping_address!, country_code: country, province_code, province: null };
    return o;
  };

  it("GIVEN a UK address THEN it is held by default with what the setting would do, and sent with state GB under country", () => {
    const held = preflight(input(abroad("GB", null)));
    expect(held).toMatchObject({ kind: "hold", holdKind: "address", foreseenCode: 2501 });
    expect(held.kind === "hold" && held.reason).toMatch(
      /United Kingdom addresses have none\. To send such orders with the country code \(GB\) as the state/,
    );
    const sent = preflight(input(abroad("GB", null), { subdivisionFallback: "country" }));
    expect(sent.kind === "send" && sent.request.shipping_address).toMatchObject({
      state: "GB",
      country: "GB",
    });
  });

  it("GIVEN New South Wales (NSW) THEN it is held by default, and sent with state AU under country", () => {
    expect(preflight(input(abroad("AU", "NSW")))).toMatchObject({ kind: "hold", holdKind: "address" });
    const sent = preflight(input(abroad("AU", "NSW"), { subdivisionFallback: "country" }));
    expect(sent.kind === "send" && sent.request.shipping_address.state).toBe("AU");
  });

  it("GIVEN a US address without a state THEN it is held under either setting, told to fix the address", () => {
    for (const subdivisionFallback of ["hold", "country"] as const) {
      const result = preflight(input(abroad("US", null), { subdivisionFallback }));
      expect(result).toMatchObject({ kind: "hold", holdKind: "address" });
      expect(result.kind === "hold" && result.reason).toMatch(/has none\. Fix the shipping address/);
    }
  });
});
