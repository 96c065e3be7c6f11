import type { ActionFunctionArgs } from "@remix-run/node";
import { handleFulfillmentHoldWebhook } from "../integrations/shopify-fulfillment-hold-webhook.server";
import { webhookLoader } from "../integrations/shopify-webhook-auth.server";

/**
 * A fulfillment order was put on hold in Shopify: its order is held (never sent
 * to Brilliant) until the hold is released, or the merchant is told to contact
 * Brilliant when Brilliant already has it. See app/orders/fulfillment-hold.server.ts.
 */
export const action = async ({ request }: ActionFunctionArgs) =>
  handleFulfillmentHoldWebhook(request, { onHold: true });

export const loader = webhookLoader;
