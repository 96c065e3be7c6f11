import { logger } from "../logger.server";
import {
  holdReasonText,
  parseFulfillmentHoldWebhook,
  recordFulfillmentHold,
} from "../orders/fulfillment-hold.server";
import { withDeadline } from "./shopify-admin.server";
import { verifyWebhook, WEBHOOK_ADMIN_READ_MS } from "./shopify-webhook-auth.server";

/**
 * fulfillment_orders/placed_on_hold and fulfillment_orders/hold_released, one
 * handler for both: verify (bad HMAC 401, malformed 400), record, answer. The
 * bodies name only the fulfillment order, so its order is looked up with the
 * webhook's admin client (one small Admin API read, cut short after
 * WEBHOOK_ADMIN_READ_MS); when that is not possible the hold is recorded
 * anyway and the worker looks it up later.
 */
export async function handleFulfillmentHoldWebhook(
  request: Request,
  options: { onHold: boolean },
): Promise<Response> {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const { shop, payload, webhookId, topic, admin } = verified.context;

  const parsed = parseFulfillmentHoldWebhook(payload);
  if (!parsed.success) {
    logger.warn(
      { shop, webhookId, topic, issues: parsed.error.issues.map((issue) => issue.path.join(".")) },
      "fulfillment hold webhook body is not a fulfillment order",
    );
    return new Response("The body is not a fulfillment order", { status: 400 });
  }
  // Shopify may deliver an older webhook after a newer one: its trigger time orders them.
  const triggeredAt = Date.parse(request.headers.get("x-shopify-triggered-at") ?? "");
  const outcome = await recordFulfillmentHold({
    shop,
    fulfillmentOrderId: String(parsed.data.fulfillment_order.id),
    onHold: options.onHold,
    reason: options.onHold ? holdReasonText(parsed.data) : null,
    eventAt: Number.isNaN(triggeredAt) ? new Date() : new Date(triggeredAt),
    graphql: admin ? withDeadline(admin.graphql, WEBHOOK_ADMIN_READ_MS) : null,
  });
  logger.info({ shop, webhookId, topic, outcome }, "fulfillment hold webhook handled");
  return new Response(null, { status: 200 });
}
