import type { PrismaClient } from "@prisma/client";

import { logger } from "../logger.server";
import { raiseAlert, resolveAlert } from "./alert.server";

const ALERT_KEY = "shopify_connection";

/**
 * Shopify refused to renew the shop's offline token (app uninstalled, access
 * revoked, or a refresh token unused for 90 days). Orders still arrive by
 * webhook and still go to Brilliant; what needs the Admin API waits until the
 * merchant opens the app, whose token exchange gets a new token.
 */
export async function shopifyConnectionLost(shop: string, client: PrismaClient): Promise<void> {
  logger.warn({ shop }, "Shopify refused to renew the shop's offline token; the merchant must open the app");
  await raiseAlert(
    {
      shop,
      kind: "shopify_connection",
      key: ALERT_KEY,
      title: "Reconnect Brilliant Sync to your store",
      detail:
        "Shopify stopped accepting the app's access to your store. Orders are still received and sent to " +
        "Brilliant, but products, order lookups and marking orders fulfilled wait until you open Brilliant " +
        "Sync from your Shopify admin, which reconnects it.",
    },
    client,
  );
}

/** The shop has a working offline token again: the reconnect alert closes. */
export async function shopifyConnectionRestored(shop: string, client: PrismaClient): Promise<void> {
  await resolveAlert(shop, ALERT_KEY, client);
}
