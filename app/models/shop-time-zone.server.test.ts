import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { adminGraphqlFor, withShopifyAndBrilliant } from "../../tests/helpers/admin-graphql";
import { adminRequest, callRoute } from "../../tests/helpers/admin-session";
import { loader as appLayout } from "../routes/app";
import { shopTimeZone } from "./shop-time-zone.server";
import { formatShopTime } from "./time-zone";

const SHOP = "time-zone.myshopify.com";
const world = withShopifyAndBrilliant([SHOP]);
const asked = () => world.standIn.requests.filter((request) => request.operation === "ShopTimeZone").length;

describe("the shop's time zone", () => {
  it("GIVEN a shop in Toronto WHEN the admin loads THEN its zone is read from Shopify once, kept, and handed to every page", async () => {
    world.standIn.setTimeZone(SHOP, "America/Toronto");
    const first = await callRoute(appLayout, await adminRequest("/app", { shop: SHOP }));
    expect(((await first.json()) as { timeZone: string }).timeZone).toBe("America/Toronto");
    const again = await callRoute(appLayout, await adminRequest("/app", { shop: SHOP }));
    expect(((await again.json()) as { timeZone: string }).timeZone).toBe("America/Toronto");
    expect(asked()).toBe(1);
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      ianaTimezone: "America/Toronto",
    });
  });

  it("GIVEN Shopify down WHEN the zone is asked for THEN UTC for now, nothing kept, and asked again next time", async () => {
    world.standIn.setTimeZone(SHOP, "America/Vancouver");
    world.standIn.failNext("ShopTimeZone", { status: 503 });
    expect(await shopTimeZone(SHOP, await adminGraphqlFor(SHOP))).toBe("UTC");
    expect((await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).ianaTimezone).toBeNull();
    expect(await shopTimeZone(SHOP, await adminGraphqlFor(SHOP))).toBe("America/Vancouver");
  });

  it("formats a moment in the shop's zone with its name, whatever this process's own zone", () => {
    const moment = "2026-12-07T03:30:00.000Z";
    expect(formatShopTime(moment, "America/Toronto")).toBe("Dec 6, 2026, 10:30 PM EST");
    expect(formatShopTime(moment, "UTC")).toBe("Dec 7, 2026, 3:30 AM UTC");
  });
});
