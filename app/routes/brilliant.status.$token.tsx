import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { recordStatusCallback } from "../orders/brilliant-status.server";
import { shopForStatusWebhookToken } from "../models/shop.server";
import { BRILLIANT_STATUS_BODY_LIMIT_BYTES, readBodyUpTo } from "../body-limits";

const methodNotAllowed = () =>
  new Response("Method not allowed", { status: 405, headers: { allow: "POST" } });

/**
 * Brilliant calls the order's webhook_url on every status change. The call is
 * not signed; the per-shop secret token in the URL is the authentication, so
 * the token is looked up before a byte of the body is read: a caller without
 * one gets 404 and never makes the app hold its body. The body is
 * undocumented: it is stored whatever it is, up to
 * BRILLIANT_STATUS_BODY_LIMIT_BYTES (413 past that, nothing stored).
 */
export const action = async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed();
  const shop = await shopForStatusWebhookToken(params.token ?? "");
  if (!shop) return new Response("Unknown status endpoint", { status: 404 });
  const rawBody = await readBodyUpTo(request, BRILLIANT_STATUS_BODY_LIMIT_BYTES);
  if (rawBody === null) return new Response("Payload too large", { status: 413 });
  const result = await recordStatusCallback(shop, rawBody);
  switch (result.kind) {
    case "not_json":
      return new Response("The body is not JSON; it was stored", { status: 400 });
    case "stored":
      logger.info(
        { eventId: result.eventId, outcome: result.outcome, orderId: result.orderId },
        "Brilliant status callback",
      );
      return new Response(null, { status: 200 });
  }
};

export const loader = methodNotAllowed;
