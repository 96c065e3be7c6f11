import { NOTABLE_VARIANT_IDS } from "../../simulator/catalog";
import { signedWebhookHeaders } from "../../shopify-stand-in/webhooks";
import { sampleOrders } from "../demo/sample-orders";

/** The Shopify variant every benchmark order buys; mapped to Brilliant's untracked gift box. */
export const BENCH_SHOPIFY_VARIANT_ID = "45000000002";
export const BENCH_BRILLIANT_VARIANT_ID = String(NOTABLE_VARIANT_IDS.untracked);

const ORDER_ID = "__BENCH_ORDER_ID__";
const ORDER_NUMBER = "__BENCH_ORDER_NUMBER__";

/**
 * Realistic orders/paid bodies (the demo's first sample order, with one line:
 * the untracked gift box, whose stock never runs out at Brilliant), each with
 * its own order id, built from a template so that making one costs next to
 * nothing beside the request it rides on.
 */
export function orderBodyFactory(): (orderId: number, orderNumber: number) => string {
  const sample = sampleOrders()[0]!.body;
  const lines = sample.line_items as Array<Record<string, unknown>>;
  const giftBox = lines.find((line) => String(line.variant_id) === BENCH_SHOPIFY_VARIANT_ID);
  if (!giftBox) throw new Error("the demo's first sample order no longer has the gift box line");
  const template = JSON.stringify({
    ...sample,
    id: ORDER_ID,
    admin_graphql_api_id: `gid://shopify/Order/${ORDER_ID}`,
    name: `#${ORDER_NUMBER}`,
    order_number: ORDER_NUMBER,
    total_price: "24.00",
    line_items: [{ ...giftBox, quantity: 1, current_quantity: 1, fulfillable_quantity: 1 }],
  });
  // Split once; joining the parts with the ids is all each body costs.
  const parts = template.split(
    /("__BENCH_ORDER_ID__"|__BENCH_ORDER_ID__|"__BENCH_ORDER_NUMBER__"|__BENCH_ORDER_NUMBER__)/,
  );
  return (orderId, orderNumber) => {
    let body = "";
    for (const part of parts) {
      if (part === `"${ORDER_ID}"` || part === ORDER_ID) body += orderId;
      else if (part === `"${ORDER_NUMBER}"` || part === ORDER_NUMBER) body += orderNumber;
      else body += part;
    }
    return body;
  };
}

/** Signed orders/paid requests, as Shopify sends them, spread round-robin over `shops`. */
export function signedOrderRequests(input: {
  shops: readonly string[];
  secret: string;
  /** Added to the request's sequence number to make the Shopify order id. */
  firstOrderId: number;
}): (seq: number) => { headers: Record<string, string>; body: string; shop: string } {
  const bodyFor = orderBodyFactory();
  return (seq) => {
    const shop = input.shops[seq % input.shops.length]!;
    const orderId = input.firstOrderId + seq;
    const rawBody = bodyFor(orderId, 100_000 + seq);
    const { headers, body } = signedWebhookHeaders({
      topic: "orders/paid",
      shop,
      body: null,
      rawBody,
      secret: input.secret,
      webhookId: `bench-${orderId}`,
    });
    return { headers, body, shop };
  };
}
