import { z } from "zod";
import prisma from "../db.server";
import { logger } from "../logger.server";
import { withDeadline, type AdminGraphql } from "../integrations/shopify-admin.server";
import { isTimeZone, UTC } from "./time-zone";

const SHOP_TIME_ZONE = `#graphql
  query ShopTimeZone {
    shop {
      ianaTimezone
    }
  }`;

const ShopTimeZoneAnswer = z.object({ data: z.object({ shop: z.object({ ianaTimezone: z.string() }) }) });

/** The shop's time zone as kept (UTC until the admin has read it from Shopify), for work with no Admin client. */
export async function keptShopTimeZone(shop: string): Promise<string> {
  const kept = await prisma.shopSettings.findUnique({ where: { shop }, select: { ianaTimezone: true } });
  return kept?.ianaTimezone && isTimeZone(kept.ianaTimezone) ? kept.ianaTimezone : UTC;
}

/**
 * The shop's time zone, as Shopify names it: read from Shopify the first time
 * and kept. Shopify unreachable or an unknown zone: UTC for this request, and
 * asked again on the next.
 */
export async function shopTimeZone(shop: string, graphql: AdminGraphql): Promise<string> {
  const kept = await prisma.shopSettings.findUnique({ where: { shop }, select: { ianaTimezone: true } });
  if (kept?.ianaTimezone && isTimeZone(kept.ianaTimezone)) return kept.ianaTimezone;
  try {
    // A page waits on it: a slow Shopify costs at most this long, once.
    const response = await withDeadline(graphql, 2_000)(SHOP_TIME_ZONE);
    const answer = ShopTimeZoneAnswer.safeParse(await response.json());
    const zone = answer.success ? answer.data.data.shop.ianaTimezone : null;
    if (!zone || !isTimeZone(zone)) {
      logger.warn({ shop }, "Shopify named no time zone the app knows; showing UTC");
      return UTC;
    }
    await prisma.shopSettings.updateMany({ where: { shop }, data: { ianaTimezone: zone } });
    return zone;
  } catch (error) {
    logger.warn({ shop, err: error }, "the shop's time zone could not be read; showing UTC");
    return UTC;
  }
}
