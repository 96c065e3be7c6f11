import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { recordOrderPlaced } from "../orders/payment-terms.server";
import { parseShopifyOrder } from "../orders/shopify-order";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";

/**
 * orders/create (read_orders): only orders placed with payment terms matter
 * here (shopify.app.toml filters the rest out where Shopify can), and only
 * when the shop sends them before payment; "due on fulfillment" never fires
 * orders/paid before it ships. Recorded like a paid order, never sent from
 * here. Bad HMAC 401, malformed 400, otherwise 200.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const { shop, payload, webhookId } = verified.context;
  const parsed = parseShopifyOrder(payload);
  if (!parsed.success) return new Response("The body is not a Shopify order", { status: 400 });
  const outcome = await recordOrderPlaced({
    shop,
    order: parsed.data,
    payload,
    rawBody: verified.rawBody,
    webhookId: webhookId ?? null,
  });
  logger.debug({ shop, shopifyOrderId: parsed.data.id, outcome }, "orders/create handled");
  return new Response(null, { status: 200 });
};

export const loader = webhookLoader;
