import prisma from "../db.server";
import { variantInAlertKey } from "./alert-keys";
import { nextStepForHold, type NextStep } from "./next-step";

/** The mapping page of one Shopify variant, where it is mapped with the picker. */
export function mappingPickerPath(shopifyVariantId: string): string {
  return `/app/mappings/${encodeURIComponent(shopifyVariantId)}`;
}

/** Alerts whose fix is a mapping: they name the variant to map again. */
const MAPPING_FIXES = ["mapping", "stock", "inactive_variant"];

/**
 * The mapping page of the one Shopify variant each alert key names: the one
 * in a `mapping:variant:<Shopify id>` key, or the only Shopify variant mapped
 * to the Brilliant variant a stock or inactive key names. Keys that name none,
 * or a Brilliant variant mapped from several, have no entry (the fix is then
 * the mappings list).
 */
export async function mappingPickersByAlertKey(shop: string, keys: string[]): Promise<Map<string, string>> {
  const pickers = new Map<string, string>();
  const byBrilliant = new Map<string, string[]>();
  for (const key of keys) {
    const ref = variantInAlertKey(key);
    if (ref?.source === "shopify") pickers.set(key, mappingPickerPath(ref.id));
    else if (ref?.source === "brilliant") byBrilliant.set(ref.id, [...(byBrilliant.get(ref.id) ?? []), key]);
  }
  if (byBrilliant.size === 0) return pickers;
  const mappings = await prisma.variantMapping.findMany({
    where: { shop, brilliantVariantId: { in: [...byBrilliant.keys()] } },
    select: { brilliantVariantId: true, shopifyVariantId: true },
  });
  for (const [brilliantVariantId, brilliantKeys] of byBrilliant) {
    const mapped = mappings.filter((mapping) => mapping.brilliantVariantId === brilliantVariantId);
    if (mapped.length !== 1) continue;
    for (const key of brilliantKeys) pickers.set(key, mappingPickerPath(mapped[0]!.shopifyVariantId));
  }
  return pickers;
}

/** For held orders: the mapping page of the variant their open mapping, stock or inactive alert names. */
export async function mappingPickersByOrder(shop: string, orderIds: string[]): Promise<Map<string, string>> {
  if (orderIds.length === 0) return new Map();
  const links = await prisma.alertOrder.findMany({
    where: { orderId: { in: orderIds }, alert: { shop, status: "open", kind: { in: MAPPING_FIXES } } },
    select: { orderId: true, alert: { select: { key: true } } },
  });
  const pickers = await mappingPickersByAlertKey(
    shop,
    links.map((link) => link.alert.key),
  );
  const byOrder = new Map<string, string>();
  for (const link of links) {
    const picker = pickers.get(link.alert.key);
    if (picker && !byOrder.has(link.orderId)) byOrder.set(link.orderId, picker);
  }
  return byOrder;
}

/** Each held order's next step, leading to the mapping page of its variant where one holds it. */
export async function nextStepsForHeld(
  shop: string,
  orders: { id: string; state: string; holdKind: string | null }[],
): Promise<Map<string, NextStep>> {
  const held = orders.filter((order) => order.state === "held");
  const pickers = await mappingPickersByOrder(
    shop,
    held.map((order) => order.id),
  );
  return new Map(
    held.map((order) => [order.id, nextStepForHold(order.holdKind, order.id, pickers.get(order.id) ?? null)]),
  );
}
