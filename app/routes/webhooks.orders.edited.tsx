import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { parseOrderEditWebhook, recordOrderEdit } from "../orders/order-edit.server";
import { withDeadline } from "../integrations/shopify-admin.server";
import {
  verifyWebhook,
  WEBHOOK_ADMIN_READ_MS,
  webhookLoader,
} from "../integrations/shopify-webhook-auth.server";

/**
 * orders/edited (read_orders): lines added, removed or changed on a paid order.
 * Subscribed rather than orders/updated, which fires on every change (tags,
 * notes, fulfillments, the app's own fulfillmentCreate) and would read the
 * order from Shopify, or alert after forwarding, for changes Brilliant never
 * sees. The body names only the order and the change, so the order is read
 * again with the webhook's admin client (app/orders/order-edit.server.ts),
 * for at most WEBHOOK_ADMIN_READ_MS; when it cannot be, the order is held and
 * the worker reads it. Bad HMAC 401,
 * malformed 400, otherwise 200.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const { shop, payload, webhookId, admin } = verified.context;
  const parsed = parseOrderEditWebhook(payload);
  if (!parsed.success) return new Response("The body is not an order edit", { status: 400 });
  const outcome = await recordOrderEdit({
    shop,
    shopifyOrderId: parsed.data.order_edit.order_id,
    graphql: admin ? withDeadline(admin.graphql, WEBHOOK_ADMIN_READ_MS) : null,
  });
  logger.info({ shop, webhookId, outcome }, "orders/edited handled");
  return new Response(null, { status: 200 });
};

export const loader = webhookLoader;
