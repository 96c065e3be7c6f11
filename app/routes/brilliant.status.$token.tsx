import type { ActionFunctionArgs } from "@remix-run/node";
import { logger } from "../logger.server";
import { recordStatusCallback } from "../models/brilliant-status.server";

/**
 * Brilliant calls the order's webhook_url on every status change. The call is
 * not signed; the per-shop secret token in the URL is the authentication. The
 * body is undocumented: it is stored whatever it is.
 */
export const action = async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return new Response("Method not allowed", { status: 405 });
  const token = params.token ?? "";
  const rawBody = await request.text();
  const result = await recordStatusCallback(token, rawBody);
  switch (result.kind) {
    case "unknown_token":
      return new Response("Unknown status endpoint", { status: 404 });
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

export const loader = () => new Response("Method not allowed", { status: 405 });
