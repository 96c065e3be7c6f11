import { authenticate } from "../shopify.server";
import { logger } from "../logger.server";

type WebhookContext = Awaited<ReturnType<typeof authenticate.webhook>>;

export type VerifiedWebhook = { ok: true; context: WebhookContext } | { ok: false; response: Response };

/**
 * `authenticate.webhook` with the edges made explicit, so no webhook route can
 * answer 500 to bad input:
 * - no HMAC header at all is unauthenticated (401), like a wrong one;
 * - other missing Shopify headers are a malformed request (400);
 * - a correctly signed body that is not JSON makes the library's JSON.parse
 *   throw: that is a malformed body (400), not a server error.
 */
export async function verifyWebhook(request: Request): Promise<VerifiedWebhook> {
  if (request.method !== "POST") {
    return { ok: false, response: new Response("Method not allowed", { status: 405 }) };
  }
  if (!request.headers.get("x-shopify-hmac-sha256")) {
    return { ok: false, response: new Response("Missing HMAC", { status: 401 }) };
  }
  try {
    return { ok: true, context: await authenticate.webhook(request) };
  } catch (thrown) {
    if (thrown instanceof Response) return { ok: false, response: thrown };
    if (thrown instanceof SyntaxError) {
      return { ok: false, response: new Response("Body is not JSON", { status: 400 }) };
    }
    logger.error({ err: thrown }, "webhook authentication failed unexpectedly");
    throw thrown;
  }
}
