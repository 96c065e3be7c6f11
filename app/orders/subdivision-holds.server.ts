import prisma from "../db.server";
import { resubmitOrders } from "./actions.server";
import { parseShopifyOrder } from "./shopify-order";
import { subdivisionFallbackDecides } from "./state-rule";

/**
 * Once the shop sends the country code for an address without a 2-letter
 * state: its orders held for such an address go through the worker's checks
 * again (resubmitOrders) and go out unless something else still holds them.
 * Orders held for another address problem, or refused by Brilliant itself
 * (2501), stay as they are: the setting changes nothing of what they would
 * send. Returns how many went back to the worker.
 */
export async function releaseOrdersHeldForState(shop: string): Promise<number> {
  const held = await prisma.order.findMany({
    where: { shop, state: "held", holdKind: "address" },
    select: { id: true, payload: true },
  });
  const decided = held.filter((order) => subdivisionFallbackDecides(shippingAddressOf(order.payload)));
  if (decided.length === 0) return 0;
  const summary = await resubmitOrders(
    shop,
    decided.map((order) => order.id),
    {
      actor: "merchant",
      reason: "Settings now send the country code as the state; checked again before it goes to Brilliant.",
    },
  );
  return summary.changed.length;
}

function shippingAddressOf(payload: string) {
  try {
    const parsed = parseShopifyOrder(JSON.parse(payload));
    return parsed.success ? parsed.data.shipping_address : null;
  } catch {
    return null;
  }
}
