import type { ActionFunctionArgs } from "@remix-run/node";
import { handleFulfillmentHoldWebhook } from "../integrations/shopify-fulfillment-hold-webhook.server";
import { webhookLoader } from "../integrations/shopify-webhook-auth.server";

/**
 * Every hold on a fulfillment order was released: its order goes back to
 * ready (checked again before it is sent) once none of its fulfillment orders
 * is on hold. See app/orders/fulfillment-hold.server.ts.
 */
export const action = async ({ request }: ActionFunctionArgs) =>
  handleFulfillmentHoldWebhook(request, { onHold: false });

export const loader = webhookLoader;
