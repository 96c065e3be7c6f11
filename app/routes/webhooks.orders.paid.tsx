import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { recordPaidOrder } from "../orders/ingest.server";
import { parseShopifyOrder } from "../orders/shopify-order";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";

/**
 * Records the paid order (decision 012) and answers once that is committed. It never calls Brilliant and never waits on the worker:
 * Shopify gives a webhook five seconds, and retries (and eventually drops the
 * subscription) when it gets no 2xx.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const { shop, payload, webhookId } = verified.context;

  const parsed = parseShopifyOrder(payload);
  if (!parsed.success) {
    logger.warn(
      { shop, webhookId, issues: parsed.error.issues.map((issue) => issue.path.join(".")) },
      "orders/paid body is not an order",
    );
    return new Response("The body is not a Shopify order", { status: 400 });
  }

  // Returned, not awaited: this frame (the request, the parsed body) is let go while the order commits.
  return recordPaidOrder({
    shop,
    order: parsed.data,
    payload,
    rawBody: verified.rawBody,
    webhookId: webhookId ?? null,
    source: "webhook",
  }).then((result) => {
    logger.debug({ shop, orderId: result.orderId, result: result.kind }, "orders/paid recorded");
    return new Response(null, { status: 200 });
  });
};

export const loader = webhookLoader;
