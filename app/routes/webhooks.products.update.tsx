import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { queueProductWebhook, triggeredAt } from "../catalog/product-update-queue.server";
import { checkProductWebhook } from "../catalog/shopify-product-webhooks.server";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";

/**
 * Keeps the mirrored variants of one product fresh between full syncs.
 * The product is checked and queued, and the worker applies it
 * (app/catalog/product-update-queue.server.ts): writing thousands of variants
 * here would hold the event loop that answers every other webhook. Webhooks
 * can arrive more than once and out of order; the queue keeps the newest.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const { shop, payload, webhookId } = verified.context;

  const checked = checkProductWebhook(payload);
  if (!checked.ok) {
    logger.warn(
      { shop, webhookId, issues: checked.issues.slice(0, 5) },
      "products/update body is not a product",
    );
    return new Response("The body is not a Shopify product", { status: 400 });
  }

  const outcome = await queueProductWebhook({
    shop,
    shopifyProductId: checked.productId,
    kind: "update",
    productUpdatedAt: checked.updatedAt ?? triggeredAt(request),
    payload: verified.rawBody,
    webhookId,
  });
  logger.debug({ shop, shopifyProductId: checked.productId, outcome }, "products/update queued");
  return new Response(null, { status: 200 });
};

export const loader = webhookLoader;
