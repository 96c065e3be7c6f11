import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { queueProductWebhook, triggeredAt } from "../catalog/product-update-queue.server";
import { parseProductDeleteWebhook } from "../catalog/shopify-product-webhooks.server";
import { numericShopifyId } from "../catalog/shopify-variants.server";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";

/**
 * Queues the product's deletion for the worker, which marks its variants
 * deleted. They are kept, not removed: held orders and mappings may still
 * name them. Queued like updates, so a products/update sent before the
 * deletion and still waiting in the queue never brings the product back.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const { shop, payload, webhookId } = verified.context;

  const parsed = parseProductDeleteWebhook(payload);
  if (!parsed.success) {
    logger.warn({ shop, webhookId }, "products/delete body has no product id");
    return new Response("The body is not a deleted Shopify product", { status: 400 });
  }

  const shopifyProductId = numericShopifyId(parsed.data.id);
  const outcome = await queueProductWebhook({
    shop,
    shopifyProductId,
    kind: "delete",
    productUpdatedAt: triggeredAt(request),
    payload: null,
    webhookId,
  });
  logger.debug({ shop, shopifyProductId, outcome }, "products/delete queued");
  return new Response(null, { status: 200 });
};

export const loader = webhookLoader;
