import { adminFailureSummary, withDeadline, type AdminGraphql } from "../integrations/shopify-admin.server";
import { logger } from "../logger.server";
import { adminThrottling, WEBHOOK_LIMITS } from "../orders/admin-reads.server";
import { readShopLocations, type ShopLocation } from "./shopify-inventory.server";
import { lastStockSync, stockSyncLocation, type StockSyncRunView } from "./stock-to-shopify.server";

/** Settings → Stock in Shopify: the shop's locations to choose from, the saved choice and the last run. */

export interface StockSyncSettingsView {
  /** The saved location, null when off. */
  saved: { id: string; name: string } | null;
  /** The shop's active locations; null when Shopify could not be read. */
  locations: ShopLocation[] | null;
  /** Why the locations could not be read, in the merchant's words. */
  unreadable: string | null;
  last: StockSyncRunView | null;
}

// A page waits on the read: a slow Shopify costs it at most this long.
const READ_DEADLINE_MS = 3_000;

export async function stockSyncSettingsView(
  shop: string,
  graphql: AdminGraphql,
): Promise<StockSyncSettingsView> {
  const [saved, last, read] = await Promise.all([
    stockSyncLocation(shop),
    lastStockSync(shop),
    readShopLocations(
      withDeadline(graphql, READ_DEADLINE_MS),
      adminThrottling(logger.child({ shop }), WEBHOOK_LIMITS),
    ).then(
      (locations) => ({ locations, unreadable: null }),
      (error: unknown) => {
        // The page still loads (and saves) without them; the saved choice stays as it is.
        logger.warn({ shop, err: error }, "the shop's locations could not be read");
        return { locations: null, unreadable: unreadableReason(error) };
      },
    ),
  ]);
  return { saved, last, ...read };
}

function unreadableReason(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return "Shopify did not answer in time.";
  }
  return adminFailureSummary(error);
}
