import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { markProductDeleted, parseProductDeleteWebhook } from "../models/shopify-variants.server";
import { verifyWebhook } from "../services/webhook-auth.server";

/**
 * Marks the product's variants deleted. They are kept, not removed: held
 * orders and mappings may still name them.
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

  const deleted = await markProductDeleted(shop, parsed.data.id);
  logger.debug({ shop, shopifyProductId: String(parsed.data.id), deleted }, "products/delete applied");
  return new Response(null, { status: 200 });
};
