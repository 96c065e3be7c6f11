import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { deleteShopData, RedactionUnfinished } from "../orders/compliance/shop-redact.server";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";

/** 48 hours after uninstall: every record of the shop goes. Idempotent. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  try {
    await deleteShopData(verified.context.shop);
  } catch (error) {
    if (!(error instanceof RedactionUnfinished)) throw error;
    // The rows are gone; their old text is still in SQLite's log: the next delivery empties it.
    logger.warn(
      { shop: verified.context.shop, why: error.message },
      "shop/redact: left to the next delivery",
    );
    return new Response("Shop data deleted; deliver again to finish", { status: 503 });
  }
  logger.info({ shop: verified.context.shop }, "shop/redact: shop data deleted");
  return new Response();
};

export const loader = webhookLoader;
