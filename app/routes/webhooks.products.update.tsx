import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { applyProductWebhook, parseProductWebhook } from "../models/shopify-variants.server";
import { verifyWebhook } from "../services/webhook-auth.server";

/**
 * Keeps the mirrored variants of one product fresh between full syncs.
 * Webhooks can arrive more than once and out of order; writing the product's
 * variants again is harmless.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const { shop, payload, webhookId } = verified.context;

  const parsed = parseProductWebhook(payload);
  if (!parsed.success) {
    logger.warn(
      { shop, webhookId, issues: parsed.error.issues.map((issue) => issue.path.join(".")) },
      "products/update body is not a product",
    );
    return new Response("The body is not a Shopify product", { status: 400 });
  }

  const result = await applyProductWebhook(shop, parsed.data);
  logger.debug({ shop, shopifyProductId: String(parsed.data.id), ...result }, "products/update applied");
  return new Response(null, { status: 200 });
};
