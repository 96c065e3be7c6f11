import { webhookLoader } from "../integrations/shopify-webhook-auth.server";
import { orderWebhookAction } from "../integrations/order-webhook.server";
import { recordCancellation } from "../orders/order.server";

export const action = orderWebhookAction("orders/cancelled", recordCancellation);

export const loader = webhookLoader;
