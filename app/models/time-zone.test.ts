import { describe, expect, it } from "vitest";
import { dayInZone, daysInZone, formatShopTime } from "./time-zone";

describe("days in a time zone", () => {
  it("starts a day at the zone's midnight, 23 or 25 hours long across a change of offset", () => {
    expect(dayInZone("2026-11-24", "America/New_York")).toEqual({
      start: new Date("2026-11-24T05:00:00Z"),
      end: new Date("2026-11-25T05:00:00Z"),
    });
    // Clocks go forward on 2026-03-08 and back on 2026-11-01 in New York.
    const spring = dayInZone("2026-03-08", "America/New_York");
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3_600_000);
    const autumn = dayInZone("2026-11-01", "America/New_York");
    expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * 3_600_000);
    // Half-hour offsets, and the date line.
    expect(dayInZone("2026-11-24", "Asia/Kolkata").start).toEqual(new Date("2026-11-23T18:30:00Z"));
    expect(dayInZone("2026-11-24", "Pacific/Kiritimati").start).toEqual(new Date("2026-11-23T10:00:00Z"));
    expect(dayInZone("2026-11-24", "UTC").start).toEqual(new Date("2026-11-24T00:00:00Z"));
  });

  it("lists the last days up to the one now falls in, in the zone", () => {
    const now = new Date("2026-11-25T02:00:00Z"); // still the 24th in New York
    expect(daysInZone("America/New_York", now, 2).map((day) => day.day)).toEqual([
      "2026-11-23",
      "2026-11-24",
    ]);
    expect(daysInZone("UTC", now, 2).map((day) => day.day)).toEqual(["2026-11-24", "2026-11-25"]);
    expect(formatShopTime(now, "America/New_York")).toBe("Nov 24, 2026, 9:00 PM EST");
  });
});
