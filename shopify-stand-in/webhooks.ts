import { createHmac, randomUUID } from "node:crypto";

/**
 * Shopify's side of a webhook delivery, as the app sees it on the wire: a JSON
 * body signed with the app's API secret (HMAC-SHA256, base64) and Shopify's
 * headers. Used by the demo, the benchmark and the tests; never by app code.
 */
export interface SignedWebhookInput {
  topic: string;
  shop: string;
  body: unknown;
  secret: string;
  webhookId?: string;
  apiVersion?: string;
  /** Send exactly these bytes instead of JSON.stringify(body) (for malformed-body tests). */
  rawBody?: string;
}

export function signBody(rawBody: string, secret: string): string {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("base64");
}

export function signedWebhookHeaders(input: SignedWebhookInput): {
  headers: Record<string, string>;
  body: string;
} {
  const body = input.rawBody ?? JSON.stringify(input.body);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": input.topic,
      "x-shopify-shop-domain": input.shop,
      "x-shopify-hmac-sha256": signBody(body, input.secret),
      "x-shopify-webhook-id": input.webhookId ?? randomUUID(),
      "x-shopify-api-version": input.apiVersion ?? "2026-10",
      "x-shopify-event-id": randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
    },
  };
}

/** A Request ready for a route's action, as Shopify would send it. */
export function signedWebhookRequest(url: string, input: SignedWebhookInput): Request {
  const { headers, body } = signedWebhookHeaders(input);
  return new Request(url, { method: "POST", headers, body });
}

/** Delivers one webhook over HTTP and returns the app's status code. */
export async function deliverWebhook(url: string, input: SignedWebhookInput): Promise<number> {
  const { headers, body } = signedWebhookHeaders(input);
  const response = await fetch(url, { method: "POST", headers, body });
  await response.arrayBuffer();
  return response.status;
}
