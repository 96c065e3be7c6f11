import prisma from "../db.server";
import { countOrdersByState, type OrderStateCounts } from "./order.server";
import { fixForAlert, orderPath, type NextStep } from "./next-step";
import { variantInAlertKey, type VariantRef } from "./alert-keys";
import { mappingPickersByAlertKey, nextStepsForHeld } from "./fix-links.server";
import { daysInZone, UTC } from "../models/time-zone";
import { DISMISSIBLE_ALERT_KINDS } from "../models/alert.server";

export { variantInAlertKey };

/**
 * What the home page shows a merchant: how many orders stand where, what
 * Brilliant answered day by day, every open alert with the variants and
 * orders it affects, and every held order with its reason and next step.
 * Every query is filtered by shop.
 */

/** Orders named per alert and held orders listed on the home page; the rest are counted. */
export const ORDERS_PER_ALERT = 10;
export const HELD_ORDERS_LISTED = 25;

export interface DailyOutcomes {
  /** The day in the shop's time zone, YYYY-MM-DD. */
  day: string;
  /** Brilliant's code (as a string) or "none" when no answer came, to how many answers. */
  codes: Record<string, number>;
  total: number;
}

export interface AlertVariant {
  /** In the merchant's words, e.g. "Classic Logo Tee - L (Brilliant 73003)". */
  label: string;
  /** Shopify SKUs mapped to it, when known. */
  skus: string[];
}

export interface DashboardAlert {
  id: string;
  kind: string;
  title: string;
  detail: string;
  openedAt: string;
  variants: AlertVariant[];
  orders: { id: string; name: string; state: string; url: string }[];
  orderCount: number;
  fix: NextStep | null;
  /** The merchant closes it once its cause is settled outside the app (see DISMISSIBLE_ALERT_KINDS). */
  dismissible: boolean;
}

export interface HeldOrderSummary {
  id: string;
  name: string;
  holdKind: string | null;
  reason: string;
  code: number | null;
  nextStep: NextStep;
  url: string;
}

export interface Dashboard {
  counts: OrderStateCounts;
  hasCredentials: boolean;
  outcomes: { days: DailyOutcomes[]; codes: string[] };
  alerts: DashboardAlert[];
  held: { orders: HeldOrderSummary[]; total: number };
}

export async function getDashboard(
  shop: string,
  options: { days: number; now?: Date; timeZone?: string },
): Promise<Dashboard> {
  const [counts, settings, outcomes, alerts, heldOrders] = await Promise.all([
    countOrdersByState(shop),
    prisma.shopSettings.findUnique({
      where: { shop },
      select: { brilliantApiKeyEnc: true, brilliantApiSecretEnc: true },
    }),
    outcomesPerDay(shop, options.days, options.now ?? new Date(), options.timeZone),
    openAlerts(shop),
    listHeldOrders(shop, HELD_ORDERS_LISTED),
  ]);
  return {
    counts,
    hasCredentials: Boolean(settings?.brilliantApiKeyEnc && settings.brilliantApiSecretEnc),
    outcomes,
    alerts,
    held: { orders: heldOrders, total: counts.held },
  };
}

/**
 * Brilliant's answers to new orders (POST /store/order), per day in the
 * shop's time zone and code, for the last `days` days including today. One
 * grouped query per day over the (shop, startedAt) index, so the cost follows
 * the days shown, not the shop's history.
 */
export async function outcomesPerDay(
  shop: string,
  days: number,
  now: Date = new Date(),
  timeZone: string = UTC,
): Promise<{ days: DailyOutcomes[]; codes: string[] }> {
  const calendar = daysInZone(timeZone, now, days);
  const perDay = await Promise.all(
    calendar.map(({ start, end }) =>
      prisma.forwardAttempt.groupBy({
        by: ["code"],
        where: { shop, kind: "create", startedAt: { gte: start, lt: end } },
        _count: { _all: true },
      }),
    ),
  );
  const seen = new Set<string>();
  const result = calendar.map(({ day }, index) => {
    const codes: Record<string, number> = {};
    let total = 0;
    for (const group of perDay[index] ?? []) {
      const code = group.code === null ? "none" : String(group.code);
      codes[code] = (codes[code] ?? 0) + group._count._all;
      total += group._count._all;
      seen.add(code);
    }
    return { day, codes, total };
  });
  const codes = [...seen].sort((a, b) => (a === "none" ? 1 : b === "none" ? -1 : Number(a) - Number(b)));
  return { days: result, codes };
}

/** Every open alert, naming the variants (from its key) and the first orders it affects. */
export async function openAlerts(shop: string): Promise<DashboardAlert[]> {
  const alerts = await prisma.alert.findMany({
    where: { shop, status: "open" },
    orderBy: { openedAt: "asc" },
    select: {
      id: true,
      kind: true,
      key: true,
      title: true,
      detail: true,
      openedAt: true,
      _count: { select: { orders: true } },
      orders: {
        take: ORDERS_PER_ALERT,
        orderBy: { orderId: "asc" },
        select: { order: { select: { id: true, name: true, state: true, shop: true } } },
      },
    },
  });
  const keys = alerts.map((alert) => alert.key);
  const [variants, pickers] = await Promise.all([
    variantsNamedByKeys(shop, keys),
    mappingPickersByAlertKey(shop, keys),
  ]);
  return alerts.map((alert) => {
    const orders = alert.orders
      .map(({ order }) => order)
      // An alert only ever links orders of its shop; this keeps it so.
      .filter((order) => order.shop === shop)
      .map((order) => ({ id: order.id, name: order.name, state: order.state, url: orderPath(order.id) }));
    return {
      id: alert.id,
      kind: alert.kind,
      title: alert.title,
      detail: alert.detail,
      openedAt: alert.openedAt.toISOString(),
      variants: variants.get(alert.key) ?? [],
      orders,
      orderCount: alert._count.orders,
      fix: fixForAlert(alert.kind, pickers.get(alert.key) ?? null),
      dismissible: (DISMISSIBLE_ALERT_KINDS as readonly string[]).includes(alert.kind),
    };
  });
}

async function variantsNamedByKeys(shop: string, keys: string[]): Promise<Map<string, AlertVariant[]>> {
  const refs = new Map<string, VariantRef>();
  for (const key of keys) {
    const ref = variantInAlertKey(key);
    if (ref) refs.set(key, ref);
  }
  const brilliantIds = [...refs.values()].filter((ref) => ref.source === "brilliant").map((ref) => ref.id);
  const shopifyIds = [...refs.values()].filter((ref) => ref.source === "shopify").map((ref) => ref.id);
  const [catalog, mappedFrom, shopifyVariants, mappingsOfShopify] = await Promise.all([
    prisma.brilliantVariant.findMany({
      where: { shop, brilliantVariantId: { in: brilliantIds } },
      select: { brilliantVariantId: true, productName: true, size: true, color: true, flavor: true },
    }),
    prisma.variantMapping.findMany({
      where: { shop, brilliantVariantId: { in: brilliantIds } },
      select: { brilliantVariantId: true, sku: true, shopifyVariantId: true },
    }),
    prisma.shopifyVariant.findMany({
      where: { shop, shopifyVariantId: { in: shopifyIds } },
      select: { shopifyVariantId: true, productTitle: true, variantTitle: true, sku: true },
    }),
    prisma.variantMapping.findMany({
      where: { shop, shopifyVariantId: { in: shopifyIds } },
      select: { shopifyVariantId: true, sku: true },
    }),
  ]);
  const result = new Map<string, AlertVariant[]>();
  for (const [key, ref] of refs) {
    if (ref.source === "brilliant") {
      const known = catalog.find((variant) => variant.brilliantVariantId === ref.id);
      const options = known ? [known.size, known.color, known.flavor].filter(Boolean).join(" / ") : "";
      const label = known
        ? `${known.productName}${options ? ` - ${options}` : ""} (Brilliant ${ref.id})`
        : `Brilliant variant ${ref.id}`;
      const skus = mappedFrom
        .filter((mapping) => mapping.brilliantVariantId === ref.id)
        .map((mapping) => mapping.sku ?? `variant ${mapping.shopifyVariantId}`);
      result.set(key, [{ label, skus }]);
    } else {
      const known = shopifyVariants.find((variant) => variant.shopifyVariantId === ref.id);
      const sku = known?.sku ?? mappingsOfShopify.find((m) => m.shopifyVariantId === ref.id)?.sku ?? null;
      const label = known
        ? `${known.productTitle}${known.variantTitle && known.variantTitle !== "Default Title" ? ` - ${known.variantTitle}` : ""}`
        : `Shopify variant ${ref.id}`;
      result.set(key, [{ label, skus: sku ? [sku] : [] }]);
    }
  }
  return result;
}

/** Held orders, newest first, each with why and what to do next. */
export async function listHeldOrders(shop: string, take: number): Promise<HeldOrderSummary[]> {
  const held = await prisma.order.findMany({
    where: { shop, state: "held" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: { id: true, name: true, holdKind: true, stateReason: true, lastCode: true },
  });
  const nextSteps = await nextStepsForHeld(
    shop,
    held.map((order) => ({ ...order, state: "held" })),
  );
  return held.map((order) => ({
    id: order.id,
    name: order.name,
    holdKind: order.holdKind,
    reason: order.stateReason ?? "Held: see the order for why.",
    code: order.lastCode,
    nextStep: nextSteps.get(order.id)!,
    url: orderPath(order.id),
  }));
}
