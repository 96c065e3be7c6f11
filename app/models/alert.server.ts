import { Prisma } from "@prisma/client";
import prisma from "../db.server";

export const ALERT_KINDS = [
  "stock", // 2503, or a mapped variant at or below the low-stock threshold
  "inactive_variant", // 2506, or inactive in the catalog
  "mapping", // 2502: unmapped, or mapped to a variant Brilliant does not have
  "address", // 2501
  "credentials", // missing or refused Brilliant key/secret
  "cancelled_after_forward", // cancelled in Shopify after Brilliant took it
  "brilliant_error", // answers the app cannot act on by itself
  "fulfillment_hold_after_forward", // put on hold in Shopify when Brilliant had (or may have had) it
  "fulfillment_write_back", // Brilliant shipped it, but marking it fulfilled in Shopify keeps failing
  "edited_after_forward", // edited in Shopify when Brilliant had (or may have had) it
  "shopify_connection", // Shopify refused to renew the app's offline token: the merchant must open the app
  "stuck", // retrying or being checked at Brilliant hours after the order came
  "refunded_after_forward", // refunded in Shopify when Brilliant had (or may have had) it
] as const;

export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertInput {
  shop: string;
  kind: AlertKind;
  /** Identifies the cause, e.g. `stock:variant:1042`; one open alert per key. */
  key: string;
  title: string;
  detail: string;
  orderIds?: string[];
}

/**
 * Opens the alert for a cause, or refreshes the open one and adds the orders
 * it affects. Concurrent workers raising the same alert meet on the unique
 * (shop, openKey) index; the loser updates instead.
 */
export async function raiseAlert(input: AlertInput, tx: Prisma.TransactionClient = prisma): Promise<string> {
  const { shop, key } = input;
  const existing = await tx.alert.findUnique({
    where: { shop_openKey: { shop, openKey: key } },
    select: { id: true },
  });
  let alertId = existing?.id;
  if (alertId) {
    await tx.alert.update({ where: { id: alertId }, data: { title: input.title, detail: input.detail } });
  } else {
    try {
      alertId = (
        await tx.alert.create({
          data: { shop, kind: input.kind, key, openKey: key, title: input.title, detail: input.detail },
          select: { id: true },
        })
      ).id;
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
      alertId = (await tx.alert.findUniqueOrThrow({ where: { shop_openKey: { shop, openKey: key } } })).id;
    }
  }
  for (const orderId of input.orderIds ?? []) {
    await tx.alertOrder.upsert({
      where: { alertId_orderId: { alertId, orderId } },
      create: { alertId, orderId },
      update: {},
    });
  }
  return alertId;
}

/** Closes the open alert for a cause once the cause is gone. */
export async function resolveAlert(
  shop: string,
  key: string,
  tx: Prisma.TransactionClient = prisma,
): Promise<boolean> {
  const result = await tx.alert.updateMany({
    where: { shop, openKey: key },
    data: { status: "resolved", openKey: null, resolvedAt: new Date() },
  });
  return result.count > 0;
}

/** Alerts about something only Brilliant can settle: nothing the app sees tells it when that is done. */
export const DISMISSIBLE_ALERT_KINDS: readonly AlertKind[] = ["refunded_after_forward"];

/**
 * The merchant closes an alert once they have settled its cause with
 * Brilliant. Only the kinds above, and only the shop's own: false when there
 * is no such open alert.
 */
export async function dismissAlert(shop: string, alertId: string): Promise<boolean> {
  const result = await prisma.alert.updateMany({
    where: { id: alertId, shop, status: "open", kind: { in: [...DISMISSIBLE_ALERT_KINDS] } },
    data: { status: "dismissed", openKey: null, resolvedAt: new Date() },
  });
  return result.count > 0;
}

export async function listOpenAlerts(shop: string) {
  return prisma.alert.findMany({
    where: { shop, status: "open" },
    orderBy: { openedAt: "asc" },
    include: { orders: { include: { order: { select: { id: true, name: true, state: true } } } } },
  });
}

/** Alerts whose orders are all out of `held` close themselves. */
export async function resolveAlertsWithoutHeldOrders(shop: string): Promise<number> {
  const open = await prisma.alert.findMany({
    where: {
      shop,
      status: "open",
      kind: { in: ["stock", "inactive_variant", "mapping", "address", "credentials"] },
    },
    select: { key: true, orders: { select: { order: { select: { state: true } } } } },
  });
  let resolved = 0;
  for (const alert of open) {
    if (alert.orders.length === 0) continue;
    if (alert.orders.every(({ order }) => order.state !== "held")) {
      if (await resolveAlert(shop, alert.key)) resolved += 1;
    }
  }
  return resolved;
}
