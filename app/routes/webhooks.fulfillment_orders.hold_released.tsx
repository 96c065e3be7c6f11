import type { ActionFunctionArgs } from "@remix-run/node";
import { handleFulfillmentHoldWebhook } from "../services/fulfillment-hold-webhook.server";
import { webhookLoader } from "../services/webhook-auth.server";

/**
 * Every hold on a fulfillment order was released: its order goes back to
 * ready (checked again before it is sent) once none of its fulfillment orders
 * is on hold. See app/models/fulfillment-hold.server.ts.
 */
export const action = async ({ request }: ActionFunctionArgs) =>
  handleFulfillmentHoldWebhook(request, { onHold: false });

export const loader = webhookLoader;
