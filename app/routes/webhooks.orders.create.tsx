import { webhookLoader } from "../integrations/shopify-webhook-auth.server";
import { orderWebhookAction } from "../integrations/order-webhook.server";
import { recordOrderPlaced } from "../orders/payment-terms.server";

/**
 * orders/create (read_orders): only orders placed with payment terms matter
 * here (shopify.app.toml filters the rest out where Shopify can), and only
 * when the shop sends them before payment; "due on fulfillment" never fires
 * orders/paid before it ships. Recorded like a paid order, never sent from
 * here. Bad HMAC 401, malformed 400, otherwise 200.
 */
export const action = orderWebhookAction("orders/create", recordOrderPlaced, "debug");

export const loader = webhookLoader;
