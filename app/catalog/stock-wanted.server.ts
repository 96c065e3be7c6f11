import prisma from "../db.server";
import { leftOutOfBrilliant, lineChangesByLine, parseLineChanges } from "../orders/line-changes";
import { deliveryWithoutShipping } from "../orders/no-shipping";
import { parseShopifyOrder } from "../orders/shopify-order";

/**
 * What Shopify's `available` should be for each mapped variant: Brilliant's
 * count, less what this shop's orders will still take from it. Brilliant's
 * count drops when it accepts an order (the contract's reading of
 * inventory_count), so an order not at Brilliant yet is owed from it: its
 * sale already came off Shopify's `available`, and setting Brilliant's bare
 * count would put it back.
 *
 * Owed:
 * - orders received, waiting, ready, retrying or held (held ones go once
 *   fixed; a refund's hold may never go, counted until the merchant skips it);
 * - sending and unknown ones: Brilliant may have them; counting them shows
 *   less for a moment rather than more;
 * - forwarded ones Brilliant accepted after its count was read (the catalog
 *   sync's `syncedAt`), which that count does not show yet.
 * Each order's lines count as pre-flight sends them: the merchant's left-out
 * lines and substitutes, lines not for Brilliant and lines of variants not
 * shipped by Brilliant left out; an unmapped line owes nothing.
 */

const OWED_STATES = ["received", "waiting", "ready", "retrying", "held", "sending", "unknown"];
const ORDERS_PER_READ = 500;
const VARIANTS_PER_READ = 500;

export interface StockTarget {
  shopifyVariantId: string;
  inventoryItemId: string;
  brilliantVariantId: string;
  /** max(0, Brilliant's count − owed). */
  wanted: number;
}

/** Mapped variants whose quantity is left alone, by why. */
export interface LeftAlone {
  /** Brilliant does not track its stock (-1), or Shopify does not track the variant's. */
  untracked: number;
  /** Marked "not shipped by Brilliant" in Mappings. */
  notShipped: number;
  /** Its Brilliant variant is gone, inactive or not in the catalog read: nothing to follow. */
  notOrderable: number;
  /** Its inventory item is not known yet (the next Shopify products sync reads it), or gone. */
  noInventoryItem: number;
  /** Not stocked at the chosen location in Shopify. */
  notStocked: number;
}

export interface StockPlan {
  targets: StockTarget[];
  leftAlone: LeftAlone;
}

export function noneLeftAlone(): LeftAlone {
  return { untracked: 0, notShipped: 0, notOrderable: 0, noInventoryItem: 0, notStocked: 0 };
}

/** Every mapped variant of the shop: its target, or why it is left alone. */
export async function planStock(shop: string): Promise<StockPlan> {
  const leftAlone = noneLeftAlone();
  const mappings = await prisma.variantMapping.findMany({
    where: { shop },
    select: { shopifyVariantId: true, brilliantVariantId: true },
    orderBy: { shopifyVariantId: "asc" },
  });
  if (mappings.length === 0) return { targets: [], leftAlone };

  const [notShipped, catalog, items] = await Promise.all([
    prisma.unshippedVariant
      .findMany({ where: { shop }, select: { shopifyVariantId: true } })
      .then((rows) => new Set(rows.map((row) => row.shopifyVariantId))),
    prisma.brilliantVariant
      .findMany({
        where: { shop },
        select: {
          brilliantVariantId: true,
          inventoryCount: true,
          productInactive: true,
          removedAt: true,
          syncedAt: true,
        },
      })
      .then((rows) => new Map(rows.map((row) => [row.brilliantVariantId, row]))),
    inventoryItemsOf(
      shop,
      mappings.map((mapping) => mapping.shopifyVariantId),
    ),
  ]);
  const mapped = new Map(mappings.map((mapping) => [mapping.shopifyVariantId, mapping.brilliantVariantId]));
  const owed = await owedToBrilliant(shop, mapped, notShipped, catalog);

  const targets: StockTarget[] = [];
  for (const { shopifyVariantId, brilliantVariantId } of mappings) {
    const item = items.get(shopifyVariantId);
    const brilliant = catalog.get(brilliantVariantId);
    if (notShipped.has(shopifyVariantId)) leftAlone.notShipped += 1;
    else if (!item?.inventoryItemId) leftAlone.noInventoryItem += 1;
    else if (item.inventoryTracked === false) leftAlone.untracked += 1;
    else if (!brilliant || brilliant.removedAt || brilliant.productInactive) leftAlone.notOrderable += 1;
    else if (brilliant.inventoryCount < 0) leftAlone.untracked += 1;
    else {
      targets.push({
        shopifyVariantId,
        inventoryItemId: item.inventoryItemId,
        brilliantVariantId,
        wanted: Math.max(0, brilliant.inventoryCount - (owed.get(brilliantVariantId) ?? 0)),
      });
    }
  }
  return { targets, leftAlone };
}

async function inventoryItemsOf(shop: string, shopifyVariantIds: string[]) {
  const items = new Map<string, { inventoryItemId: string | null; inventoryTracked: boolean | null }>();
  for (let from = 0; from < shopifyVariantIds.length; from += VARIANTS_PER_READ) {
    const rows = await prisma.shopifyVariant.findMany({
      where: {
        shop,
        deletedAt: null,
        shopifyVariantId: { in: shopifyVariantIds.slice(from, from + VARIANTS_PER_READ) },
      },
      select: { shopifyVariantId: true, inventoryItemId: true, inventoryTracked: true },
    });
    for (const { shopifyVariantId, ...item } of rows) items.set(shopifyVariantId, item);
  }
  return items;
}

/** Brilliant variant id → the quantity this shop's orders will still take from Brilliant's count. */
async function owedToBrilliant(
  shop: string,
  mappings: ReadonlyMap<string, string>,
  notShipped: ReadonlySet<string>,
  catalog: ReadonlyMap<string, { syncedAt: Date }>,
): Promise<Map<string, number>> {
  const owed = new Map<string, number>();
  const readAt = [...catalog.values()].map((variant) => variant.syncedAt.getTime());
  const oldestRead = new Date(readAt.length > 0 ? Math.min(...readAt) : Date.now());
  let cursor: string | undefined;
  for (;;) {
    const orders = await prisma.order.findMany({
      where: {
        shop,
        OR: [{ state: { in: OWED_STATES } }, { state: "forwarded", forwardedAt: { gt: oldestRead } }],
      },
      select: { id: true, payload: true, lineChanges: true, forwardedAt: true },
      orderBy: { id: "asc" },
      take: ORDERS_PER_READ,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const order of orders) {
      for (const [brilliantVariantId, quantity] of brilliantQuantities(order, mappings, notShipped)) {
        const countRead = catalog.get(brilliantVariantId)?.syncedAt;
        // A forwarded order is in the count when Brilliant's count was read after it went.
        if (order.forwardedAt && (!countRead || countRead >= order.forwardedAt)) continue;
        owed.set(brilliantVariantId, (owed.get(brilliantVariantId) ?? 0) + quantity);
      }
    }
    if (orders.length < ORDERS_PER_READ) return owed;
    cursor = orders.at(-1)!.id;
  }
}

/** Brilliant variant id → quantity, as pre-flight would put the order's lines in its request. */
function brilliantQuantities(
  order: { payload: string; lineChanges: string | null },
  mappings: ReadonlyMap<string, string>,
  notShipped: ReadonlySet<string>,
): Map<string, number> {
  const quantities = new Map<string, number>();
  let payload: unknown;
  try {
    payload = JSON.parse(order.payload);
  } catch {
    return quantities;
  }
  const parsed = parseShopifyOrder(payload);
  if (!parsed.success) return quantities;
  // Unreadable changes count every line as mapped: more owed, never less.
  const changes = parseLineChanges(order.lineChanges);
  const byLine = lineChangesByLine(changes.success ? changes.data : []);
  const context = { noShipping: deliveryWithoutShipping(parsed.data), notShipped };
  for (const line of parsed.data.line_items) {
    const change = byLine.get(line.id);
    if (leftOutOfBrilliant(line, context) || change?.action === "omit") continue;
    const brilliantVariantId =
      change?.action === "substitute" ? change.brilliantVariantId : mappings.get(line.variant_id!);
    if (!brilliantVariantId) continue;
    const quantity = line.current_quantity ?? line.quantity;
    quantities.set(brilliantVariantId, (quantities.get(brilliantVariantId) ?? 0) + quantity);
  }
  return quantities;
}
