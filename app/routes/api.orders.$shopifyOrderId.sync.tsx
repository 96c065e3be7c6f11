import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";

import { getOrderSyncStatus, retryOrderSync } from "../orders/sync-status.server";
import { authenticate } from "../shopify.server";

/**
 * For the order page block (extensions/order-sync-block): the order's
 * Brilliant sync state (GET) and Retry (POST). The block's fetch carries a
 * session token (Authorization: Bearer); `cors` lets the admin's origin read
 * the answer. Ids of other shops' orders are not found.
 */
const notFound = { error: "This order has not reached Brilliant Sync." };

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session, cors } = await authenticate.admin(request);
  const status = await getOrderSyncStatus(session.shop, params.shopifyOrderId ?? "");
  if (!status) return cors(json(notFound, { status: 404 }));
  return cors(json({ status }));
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, cors } = await authenticate.admin(request);
  if (request.method !== "POST") return cors(json({ error: "Use POST to retry." }, { status: 405 }));
  const result = await retryOrderSync(session.shop, params.shopifyOrderId ?? "");
  if (!result.ok && result.reason === "not_found") return cors(json(notFound, { status: 404 }));
  if (!result.ok) return cors(json({ error: result.why, status: result.status }, { status: 409 }));
  return cors(json({ status: result.status }));
};
