import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { recordCancellation } from "../orders/order.server";
import { parseShopifyOrder } from "../orders/shopify-order";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const { shop, payload, webhookId } = verified.context;
  const parsed = parseShopifyOrder(payload);
  if (!parsed.success) return new Response("The body is not a Shopify order", { status: 400 });
  const result = await recordCancellation({
    shop,
    order: parsed.data,
    payload,
    rawBody: verified.rawBody,
    webhookId: webhookId ?? null,
  });
  logger.info({ shop, shopifyOrderId: parsed.data.id, result }, "orders/cancelled handled");
  return new Response();
};

export const loader = webhookLoader;
