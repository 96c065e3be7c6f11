import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { parseShopifyOrder, type ShopifyOrder } from "../orders/shopify-order";
import { verifyWebhook } from "./shopify-webhook-auth.server";

/** A verified webhook whose body is a Shopify order, as the order topics' handlers take it. */
export interface OrderWebhook {
  shop: string;
  order: ShopifyOrder;
  payload: unknown;
  rawBody: string;
  webhookId: string | null;
}

/**
 * The action of a webhook route whose body is a Shopify order (orders/create,
 * orders/cancelled): bad HMAC 401, not an order 400, otherwise the handler's
 * outcome is logged and the answer is 200.
 */
export function orderWebhookAction(
  topic: string,
  handle: (webhook: OrderWebhook) => Promise<unknown>,
  logLevel: "debug" | "info" = "info",
): (args: ActionFunctionArgs) => Promise<Response> {
  return async ({ request }) => {
    const verified = await verifyWebhook(request);
    if (!verified.ok) return verified.response;
    const { shop, payload, webhookId } = verified.context;
    const parsed = parseShopifyOrder(payload);
    if (!parsed.success) return new Response("The body is not a Shopify order", { status: 400 });
    const outcome = await handle({
      shop,
      order: parsed.data,
      payload,
      rawBody: verified.rawBody,
      webhookId: webhookId ?? null,
    });
    logger[logLevel]({ shop, shopifyOrderId: parsed.data.id, outcome }, `${topic} handled`);
    return new Response(null, { status: 200 });
  };
}
