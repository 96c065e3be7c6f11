import { createHmac, timingSafeEqual } from "node:crypto";

import type { LoaderFunctionArgs } from "@remix-run/node";
import { InvalidShopError } from "@shopify/shopify-api";

import { authenticate } from "../shopify.server";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { flushReceivedOrders } from "../orders/ingest.server";
import { rawBodyOf } from "./webhook-raw-body";

type WebhookContext = Awaited<ReturnType<typeof authenticate.webhook>>;

/**
 * How long a webhook may spend reading the Admin API before it answers
 * (orders/edited, fulfillment holds): with the library's throttle waits on
 * top, the answer still comes well inside Shopify's 5 seconds. A read cut
 * short is left to the worker.
 */
export const WEBHOOK_ADMIN_READ_MS = 2_000;

export type VerifiedWebhook =
  | { ok: true; context: WebhookContext; /** The body exactly as it came. */ rawBody: string }
  | { ok: false; response: Response };

/**
 * `authenticate.webhook` with the edges made explicit, so no webhook route can
 * answer 500 to bad input, and a bad signature is always a 401:
 * - a missing, garbled or wrong HMAC is unauthenticated (401), whatever else
 *   is wrong: the library checks the signature of a body before anything
 *   else; an empty body it refuses (400) before it looks at the signature, so
 *   that one's signature is checked here;
 * - other missing Shopify headers are a malformed request (400);
 * - a correctly signed body that is not JSON makes the library's JSON.parse
 *   throw: that is a malformed body (400), not a server error;
 * - every subscription's URL is /webhooks/<topic> (shopify.app.toml), so a
 *   signed webhook whose X-Shopify-Topic names another topic is refused (400)
 *   before a route reads its body as something it is not;
 * - a shop header that is no shop domain is refused (400): routes key every
 *   row by it (the library throws on it, which is a 400 too).
 */
/** Webhooks are POSTs: any other method gets 405 naming the one allowed. */
function webhookMethodNotAllowed(): Response {
  return new Response("Method not allowed: webhooks are POSTs", { status: 405, headers: { allow: "POST" } });
}

/**
 * The loader of every webhook route: a GET, HEAD or OPTIONS on a webhook URL
 * (a browser, a probe) is answered 405 with `Allow: POST`, logged at debug
 * level since it is the caller's mistake, not the app's. The production
 * server's webhook lane calls it for every method but POST.
 */
export function webhookLoader({ request }: LoaderFunctionArgs): Response {
  logger.debug(
    { method: request.method, path: new URL(request.url).pathname },
    "webhook URL called without POST",
  );
  return webhookMethodNotAllowed();
}

export async function verifyWebhook(request: Request): Promise<VerifiedWebhook> {
  if (request.method !== "POST") return { ok: false, response: webhookMethodNotAllowed() };
  const hmac = request.headers.get("x-shopify-hmac-sha256");
  if (!hmac) return { ok: false, response: new Response("Missing HMAC", { status: 401 }) };
  const given = rawBodyOf(request);
  const rawBody = given ?? (await request.text());
  if (rawBody.length === 0 && !signatureMatches(rawBody, hmac, env().SHOPIFY_API_SECRET)) {
    return { ok: false, response: new Response("Invalid HMAC", { status: 401 }) };
  }
  const malformed = (why: string) => ({ ok: false as const, response: new Response(why, { status: 400 }) });
  let context: WebhookContext;
  try {
    // The library reads the body itself: the lane's request is still unread;
    // any other was read above, so the library gets a copy holding its body.
    context = await authenticate.webhook(
      given !== undefined
        ? request
        : new Request(request.url, { method: "POST", headers: request.headers, body: rawBody }),
    );
  } catch (thrown) {
    if (thrown instanceof Response) {
      return {
        ok: false,
        response: thrown.status === 401 ? new Response("Invalid HMAC", { status: 401 }) : thrown,
      };
    }
    if (thrown instanceof SyntaxError) return malformed("Body is not JSON");
    if (thrown instanceof InvalidShopError) return malformed("Not a shop domain");
    logger.error({ err: thrown }, "webhook authentication failed unexpectedly");
    throw thrown;
  }
  const expectedTopic = topicOfWebhookUrl(request.url);
  const sentTopic = request.headers.get("x-shopify-topic")?.trim().toLowerCase();
  if (expectedTopic !== null && sentTopic && sentTopic !== expectedTopic) {
    return malformed("Webhook topic does not match this endpoint");
  }
  if (!isShopDomain(context.shop)) return malformed("Not a shop domain");
  // Every other webhook may read the shop's orders: those acknowledged before it are made readable first.
  if ((expectedTopic ?? sentTopic) !== "orders/paid") await flushReceivedOrders(context.shop);
  return { ok: true, context, rawBody };
}

/** HMAC-SHA256 of the raw body with the app's secret, base64, compared in constant time. */
function signatureMatches(rawBody: string, hmac: string, secret: string): boolean {
  const expected = createHmac("sha256", secret).update(rawBody, "utf8").digest();
  const given = Buffer.from(hmac, "base64");
  // Buffer.from drops characters that are not base64: the text must round-trip too.
  return (
    given.length === expected.length &&
    given.toString("base64") === hmac.trim() &&
    timingSafeEqual(given, expected)
  );
}

/** "orders/paid" for https://app.example/webhooks/orders/paid; null for a URL outside /webhooks/. */
export function topicOfWebhookUrl(url: string): string | null {
  const match = /^\/webhooks\/([^/]+\/[^/]+)\/?$/.exec(new URL(url).pathname);
  return match?.[1]?.toLowerCase() ?? null;
}

const MYSHOPIFY_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;

/** A myshopify.com domain, or a shop on the custom domain the app is configured for. */
export function isShopDomain(shop: string): boolean {
  if (MYSHOPIFY_DOMAIN.test(shop)) return true;
  const custom = env().SHOP_CUSTOM_DOMAIN?.trim().toLowerCase();
  if (!custom) return false;
  const suffix = `.${custom.replace(/^\*?\./, "")}`;
  return (
    /^[a-z0-9][a-z0-9-]*$/i.test(shop.toLowerCase().slice(0, -suffix.length)) &&
    shop.toLowerCase().endsWith(suffix)
  );
}
