import { raiseAlert, type AlertKind } from "../models/alert.server";

/**
 * What the handlers of Shopify's changes to an order (order edits,
 * fulfillment holds) share: the alert when Brilliant already has the order,
 * and the worker's second go at changes Shopify could not be read for.
 */

/** How many of a shop's pending changes the worker reads again per pass. */
export const PENDING_BATCH = 50;

export function afterForwardAlertKey(kind: AlertKind, orderId: string): string {
  return `${kind}:${orderId}`;
}

/**
 * Tells the merchant that Shopify changed an order Brilliant has (forwarded) or
 * may have (sending, unknown): Brilliant's API cannot change orders, so they
 * must contact Brilliant. `detail` gets how to name the order to Brilliant;
 * `ifNotThere` says what the app does if Brilliant turns out not to have it.
 */
export async function alertChangedAfterForward(
  shop: string,
  kind: AlertKind,
  order: { id: string; name: string; state: string; brilliantOrderId: string | null },
  change: string,
  detail: (brilliantOrder: string) => string,
  ifNotThere: string,
): Promise<void> {
  const atBrilliant = order.state === "forwarded";
  const brilliantOrder = order.brilliantOrderId ? `order ${order.brilliantOrderId}` : "it";
  await raiseAlert({
    shop,
    kind,
    key: afterForwardAlertKey(kind, order.id),
    title: `Order ${order.name} ${change} ${atBrilliant ? "after Brilliant took it" : "while it was being sent to Brilliant"}`,
    detail:
      detail(brilliantOrder) + (atBrilliant ? "" : ` If Brilliant turns out not to have it, ${ifNotThere}`),
    orderIds: [order.id],
  });
}

/**
 * Reads again, in turn, changes that Shopify could not be read for when their
 * webhook came; stops at the first it still cannot read (Shopify is likely
 * still unavailable). Returns how many were settled.
 */
export async function retryPendingChanges<T>(
  pending: T[],
  retry: (change: T) => Promise<"settled" | "skipped" | "still_pending">,
): Promise<number> {
  let settled = 0;
  for (const change of pending) {
    const outcome = await retry(change);
    if (outcome === "still_pending") break;
    if (outcome === "settled") settled += 1;
  }
  return settled;
}
