/** Shown until the shop's own zone is known. */
export const UTC = "UTC";

/** Whether this runtime's Intl knows the zone (Shopify's names are IANA's). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A time as the merchant reads it: in the shop's zone, with the zone's short
 * name. The same text on the server and in any browser, whatever its own
 * zone, so hydration never differs.
 */
export function formatShopTime(iso: string | Date, timeZone: string): string {
  return new Date(iso).toLocaleString("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  });
}
