import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { parseRefundWebhook, recordRefund } from "../orders/refund.server";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";

/**
 * refunds/create (read_orders): an order not sent yet is held for the
 * merchant; one Brilliant has (or may have) raises an alert to contact
 * Brilliant (app/orders/refund.server.ts). Bad HMAC 401, malformed 400,
 * otherwise 200.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const { shop, payload, webhookId } = verified.context;
  const parsed = parseRefundWebhook(payload);
  if (!parsed.success) return new Response("The body is not a Shopify refund", { status: 400 });
  const outcome = await recordRefund(shop, parsed.data);
  logger.info({ shop, webhookId, shopifyOrderId: parsed.data.order_id, outcome }, "refunds/create handled");
  return new Response(null, { status: 200 });
};

export const loader = webhookLoader;
