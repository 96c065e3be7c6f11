// Shopify's orders/paid bodies for tests, with nothing else imported, so any
// suite (the browser tests too) can build one.

/** Shopify variant ids used by test orders: 1000 + Brilliant variant id, SKU = Brilliant id. */
export function shopifyVariantFor(brilliantVariantId: number): number {
  return 1_000_000 + brilliantVariantId;
}

export function testOrder(
  number: number,
  lines: { variant: number; quantity: number }[],
  overrides: Record<string, unknown> = {},
) {
  return {
    id: 900_000 + number,
    name: `#T${number}`,
    financial_status: "paid",
    created_at: new Date().toISOString(),
    line_items: lines.map((line, index) => ({
      id: number * 100 + index,
      variant_id: shopifyVariantFor(line.variant),
      sku: String(line.variant),
      title: `Item ${line.variant}`,
      quantity: line.quantity,
      requires_shipping: true,
    })),
    shipping_address: {
      name: "Test Buyer",
      address1: "1 Test St",
      city: "Austin",
      province: "Texas",
      province_code: "TX",
      zip: "73301",
      country_code: "US",
    },
    ...overrides,
  };
}

/** A customer's address as Shopify writes it in an order (shipping, billing, a customer's default), in Texas. */
export function shopifyAddress(person: {
  first: string;
  last: string;
  address1: string;
  address2?: string;
  city: string;
  zip: string;
  phone: string;
}) {
  return {
    first_name: person.first,
    last_name: person.last,
    name: `${person.first} ${person.last}`,
    address1: person.address1,
    ...(person.address2 === undefined ? {} : { address2: person.address2 }),
    city: person.city,
    province_code: "TX",
    zip: person.zip,
    country_code: "US",
    phone: person.phone,
  };
}

/**
 * An order as its orders/create body shows one placed with payment terms (B2B,
 * a draft order): not paid yet. "Net 30" (net) by default; "Due on
 * fulfillment" (fulfillment) never fires orders/paid before it ships.
 */
export function placedWithPaymentTerms<T extends object>(
  order: T,
  terms: { name: string; type: string } = { name: "Net 30", type: "net" },
) {
  return {
    ...order,
    financial_status: "pending",
    payment_terms: {
      id: 306_044_148,
      payment_terms_name: terms.name,
      payment_terms_type: terms.type,
      due_in_days: terms.type === "net" ? 30 : null,
      payment_schedules: [],
    },
  };
}
