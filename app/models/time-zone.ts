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

/** The zone's calendar date and clock at an instant, as numbers. */
function wallClock(instant: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: part("year"),
    month: part("month"),
    day: part("day"),
    asUtc: Date.UTC(
      part("year"),
      part("month") - 1,
      part("day"),
      part("hour"),
      part("minute"),
      part("second"),
    ),
  };
}

/** The first instant of a calendar day in the zone (midnight, or the first hour after a skipped one). */
function startOfDay(year: number, month: number, day: number, timeZone: string): Date {
  const midnight = Date.UTC(year, month - 1, day);
  // The zone's offset near midnight, then again at the guess: right across a change of offset.
  let guess = midnight - (wallClock(midnight, timeZone).asUtc - midnight);
  guess = midnight - (wallClock(guess, timeZone).asUtc - guess);
  return new Date(guess);
}

/** The first instant of a YYYY-MM-DD day in the zone, and of the day after it. */
export function dayInZone(day: string, timeZone: string): { start: Date; end: Date } {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const next = new Date(Date.UTC(year, month - 1, date + 1));
  return {
    start: startOfDay(year, month, date, timeZone),
    end: startOfDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
  };
}

/**
 * The last `count` calendar days in the zone up to the one `now` falls in,
 * oldest first: each as YYYY-MM-DD and the instants it starts and ends at
 * (23 or 25 hours apart on a change of offset).
 */
export function daysInZone(
  timeZone: string,
  now: Date,
  count: number,
): { day: string; start: Date; end: Date }[] {
  const today = wallClock(now.getTime(), timeZone);
  return Array.from({ length: count }, (_, index) => {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day - (count - 1 - index)))
      .toISOString()
      .slice(0, 10);
    return { day, ...dayInZone(day, timeZone) };
  });
}
