// Shopify's webhooks to the test app, in process: a Request signed as Shopify
// signs it, handed to the route's action as Remix would.
//
//   const response = await deliverWebhook(action, SHOP, "orders/paid", body);
import { signedWebhookRequest } from "../../shopify-stand-in/webhooks";
import { TEST_API_SECRET, TEST_APP_URL } from "../setup/app-env";
import { callRoute, type RouteFunction } from "./call-route";

export interface WebhookOptions {
  /** Sign with another secret (default: the app's). */
  secret?: string;
  /** Send exactly these bytes instead of JSON.stringify(body). */
  rawBody?: string;
  webhookId?: string;
}

/** A webhook as Shopify sends it to the test app: `topic` for `shop`, signed with the app's secret. */
export function signedWebhook(
  shop: string,
  topic: string,
  body: unknown,
  options: WebhookOptions = {},
): Request {
  return signedWebhookRequest(`${TEST_APP_URL}/webhooks/${topic}`, {
    topic,
    shop,
    body,
    secret: options.secret ?? TEST_API_SECRET,
    rawBody: options.rawBody,
    webhookId: options.webhookId,
  });
}

/** Delivers a signed webhook to `action` and returns its answer (a thrown Response too, as Remix answers it). */
export function deliverWebhook(
  action: RouteFunction,
  shop: string,
  topic: string,
  body: unknown,
  options: WebhookOptions = {},
): Promise<Response> {
  return callRoute(action, signedWebhook(shop, topic, body, options));
}
