import prisma from "../db.server";
import { raiseAlert, resolveAlert } from "../models/alert.server";

/** How long after it came an order may still be retrying or being checked before the merchant is told. */
export const STUCK_AFTER_HOURS = 2;
const STUCK_STATES = ["retrying", "unknown"];
export const STUCK_ALERT_KEY = "stuck";

/**
 * One alert per shop naming its orders that are still retrying or being
 * checked at Brilliant STUCK_AFTER_HOURS after they came: the app keeps at
 * them, but the merchant should know and can look at Brilliant's last
 * answer. The alert follows the orders: those that got through leave it, and
 * it closes when none is left. Returns how many shops have one open.
 */
export async function refreshStuckOrderAlerts(now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - STUCK_AFTER_HOURS * 60 * 60_000);
  const stuck = await prisma.order.findMany({
    where: { state: { in: STUCK_STATES }, createdAt: { lt: cutoff } },
    select: { id: true, shop: true },
  });
  const byShop = new Map<string, string[]>();
  for (const order of stuck) byShop.set(order.shop, [...(byShop.get(order.shop) ?? []), order.id]);

  const open = await prisma.alert.findMany({
    where: { kind: "stuck", openKey: STUCK_ALERT_KEY },
    select: { id: true, shop: true },
  });
  for (const alert of open) {
    const orderIds = byShop.get(alert.shop);
    if (!orderIds) await resolveAlert(alert.shop, STUCK_ALERT_KEY);
    else await prisma.alertOrder.deleteMany({ where: { alertId: alert.id, orderId: { notIn: orderIds } } });
  }
  for (const [shop, orderIds] of byShop) {
    const title =
      orderIds.length === 1
        ? `1 order is still not through, ${STUCK_AFTER_HOURS} hours after it came`
        : `${orderIds.length} orders are still not through, ${STUCK_AFTER_HOURS} hours after they came`;
    await raiseAlert({
      shop,
      kind: "stuck",
      key: STUCK_ALERT_KEY,
      title,
      detail:
        "Brilliant Sync keeps retrying them, or checking whether Brilliant has them, and will go on. " +
        "Open each to see Brilliant's last answer; contact Brilliant if it keeps failing.",
      orderIds,
    });
  }
  return byShop.size;
}
