import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod/v4";
import { logger } from "../logger.server";
import { shopifyIdsToMatch } from "../models/shopify-id";
import { customerDataSummary } from "../orders/compliance/data-request.server";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";

const DataRequest = z.object({
  orders_requested: shopifyIdsToMatch.default(() => []),
  data_request: z.looseObject({ id: z.union([z.number(), z.string()]) }).optional(),
});

/**
 * Shopify asks on the customer's behalf; the merchant answers them. The app
 * holds only the orders it forwarded, so it logs which ones (ids only, never
 * the data itself) for the merchant to export from the order pages.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const parsed = DataRequest.safeParse(verified.context.payload);
  if (!parsed.success) return new Response("Malformed customers/data_request body", { status: 400 });
  const held = await customerDataSummary(verified.context.shop, parsed.data.orders_requested);
  logger.info(
    {
      shop: verified.context.shop,
      dataRequestId: parsed.data.data_request?.id,
      orders: held.map((order) => order.shopifyOrderId),
    },
    "customers/data_request: orders held for this customer",
  );
  return new Response();
};

export const loader = webhookLoader;
