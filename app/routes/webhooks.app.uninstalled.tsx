import type { ActionFunctionArgs } from "@remix-run/node";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";
import { markShopUninstalled } from "../models/shop.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const { shop } = verified.context;
  // Webhooks can arrive more than once, and after the shop's data was removed:
  // everything below is idempotent.
  await markShopUninstalled(shop);
  return new Response();
};

export const loader = webhookLoader;
