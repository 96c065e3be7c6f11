import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { orderInState } from "../../tests/helpers/admin-orders";
import { outcomesPerDay, variantInAlertKey } from "./dashboard.server";

const SHOP = "chart-a.myshopify.com";
const OTHER = "chart-b.myshopify.com";
const NOW = new Date("2026-11-25T15:00:00Z");

async function attempt(
  shop: string,
  orderId: string,
  number: number,
  at: string,
  code: number | null,
  kind = "create",
) {
  await prisma.forwardAttempt.create({
    data: { shop, orderId, number, kind, startedAt: new Date(at), durationMs: 5, outcome: "test", code },
  });
}

describe("outcomesPerDay", () => {
  beforeEach(() => resetDatabase(prisma));

  it("counts Brilliant's answers to new orders per UTC day and code, for this shop and these days only", async () => {
    const order = await orderInState(SHOP, "forwarded");
    const other = await orderInState(OTHER, "forwarded");
    await attempt(SHOP, order, 1, "2026-11-24T23:59:00Z", 3501);
    await attempt(SHOP, order, 2, "2026-11-25T00:01:00Z", 1200);
    await attempt(SHOP, order, 3, "2026-11-25T10:00:00Z", null);
    await attempt(SHOP, order, 4, "2026-11-25T10:00:00Z", 1200, "lookup");
    await attempt(SHOP, order, 5, "2026-11-10T10:00:00Z", 2503);
    await attempt(OTHER, other, 1, "2026-11-25T10:00:00Z", 2502);

    const { days, codes } = await outcomesPerDay(SHOP, 14, NOW);
    expect(days).toHaveLength(14);
    expect(days[0]!.day).toBe("2026-11-12");
    expect(days.at(-1)).toEqual({ day: "2026-11-25", codes: { "1200": 1, none: 1 }, total: 2 });
    expect(days.at(-2)).toEqual({ day: "2026-11-24", codes: { "3501": 1 }, total: 1 });
    expect(codes).toEqual(["1200", "3501", "none"]);
    expect((await outcomesPerDay(SHOP, 30, NOW)).codes).toEqual(["1200", "2503", "3501", "none"]);
  });

  it("counts per day in the shop's time zone: late evening in New York is the next day in UTC", async () => {
    const order = await orderInState(SHOP, "forwarded");
    // 2026-11-25 02:00 UTC is 21:00 on the 24th in New York.
    await attempt(SHOP, order, 1, "2026-11-25T02:00:00Z", 1200);
    await attempt(SHOP, order, 2, "2026-11-25T06:00:00Z", 3501);

    const utc = await outcomesPerDay(SHOP, 14, NOW);
    expect(utc.days.at(-1)).toEqual({ day: "2026-11-25", codes: { "1200": 1, "3501": 1 }, total: 2 });
    const newYork = await outcomesPerDay(SHOP, 14, NOW, "America/New_York");
    expect(newYork.days.at(-1)).toEqual({ day: "2026-11-25", codes: { "3501": 1 }, total: 1 });
    expect(newYork.days.at(-2)).toEqual({ day: "2026-11-24", codes: { "1200": 1 }, total: 1 });
  });
});

describe("variantInAlertKey", () => {
  it("reads the variant an alert is about from its key", () => {
    expect(variantInAlertKey("stock:variant:73003")).toEqual({ source: "brilliant", id: "73003" });
    expect(variantInAlertKey("lowstock:variant:73003")).toEqual({ source: "brilliant", id: "73003" });
    expect(variantInAlertKey("inactive:variant:73051")).toEqual({ source: "brilliant", id: "73051" });
    expect(variantInAlertKey("mapping:brilliant:73021")).toEqual({ source: "brilliant", id: "73021" });
    expect(variantInAlertKey("mapping:variant:4500")).toEqual({ source: "shopify", id: "4500" });
    expect(variantInAlertKey("address:order:abc")).toBeNull();
    expect(variantInAlertKey("credentials")).toBeNull();
  });
});
