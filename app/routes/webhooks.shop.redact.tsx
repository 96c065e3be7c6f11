import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { deleteShopData } from "../models/compliance.server";
import { verifyWebhook } from "../services/webhook-auth.server";

/** 48 hours after uninstall: every record of the shop goes. Idempotent. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  await deleteShopData(verified.context.shop);
  logger.info({ shop: verified.context.shop }, "shop/redact: shop data deleted");
  return new Response();
};
