import { randomUUID } from "node:crypto";

import { Prisma } from "@prisma/client";

import prisma from "../db.server";
import { resolveAlertsWithoutHeldOrders } from "../models/alert.server";
import { recheckHeldOrders } from "../orders/actions.server";
import { refreshCatalogAlerts } from "./brilliant-catalog.server";

/**
 * Shopify variants the merchant ships some other way (from their own stock, a
 * print-on-demand app, …): marked "not shipped by Brilliant" in Mappings.
 * Pre-flight leaves their lines out of every order (preflight-input.server.ts
 * reads the marks); an order of nothing else is skipped. A mark is neither a
 * mapping nor its absence: such a variant is never "unmapped" and no order
 * waits for it. Its mapping, if any, is kept for when the mark is taken off.
 */

/** Marks per statement: well within both databases' limits on bound values. */
const WRITE_CHUNK = 1_000;

export interface MarkResult {
  /** The shop's live variants among those named. */
  found: number;
  /** Variants newly marked (already marked ones and unknown ids are not counted). */
  marked: number;
  /** Held orders that went out again (or were skipped) once their marked lines were left out. */
  released: number;
}

/** Marks the shop's live variants among `shopifyVariantIds` as not shipped by Brilliant. */
export async function markNotShipped(shop: string, shopifyVariantIds: string[]): Promise<MarkResult> {
  const live = await prisma.shopifyVariant.findMany({
    where: { shop, shopifyVariantId: { in: [...new Set(shopifyVariantIds)] }, deletedAt: null },
    select: { shopifyVariantId: true },
  });
  if (live.length === 0) return { found: 0, marked: 0, released: 0 };
  const now = new Date();
  let marked = 0;
  for (let start = 0; start < live.length; start += WRITE_CHUNK) {
    const values = live
      .slice(start, start + WRITE_CHUNK)
      .map((row) => Prisma.sql`(${randomUUID()}, ${shop}, ${row.shopifyVariantId}, ${now})`);
    marked += await prisma.$executeRaw`
      INSERT INTO "UnshippedVariant" ("id", "shop", "shopifyVariantId", "createdAt")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("shop", "shopifyVariantId") DO NOTHING
    `;
  }
  if (marked === 0) return { found: live.length, marked, released: 0 };
  // Orders held waiting for these variants (a mapping, stock) now go without their lines.
  const released = await recheckHeldOrders(
    shop,
    "A variant was marked not shipped by Brilliant; checked again before sending.",
  );
  await resolveAlertsWithoutHeldOrders(shop);
  await refreshCatalogAlerts(shop);
  return { found: live.length, marked, released };
}

const variants = (count: number) => `${count} variant${count === 1 ? "" : "s"}`;

/** What the merchant is told after marking. */
export function markedMessage({ found, marked, released }: MarkResult): string {
  if (marked === 0) return `Already not shipped by Brilliant: ${variants(found)}.`;
  const waiting =
    released > 0
      ? ` ${released} held order${released === 1 ? "" : "s"} went on without ${marked === 1 ? "it" : "them"}.`
      : "";
  return `${variants(marked)} marked not shipped by Brilliant: left out of every order sent to Brilliant.${waiting}`;
}

/** What the merchant is told after taking marks off. */
export function unmarkedMessage(removed: number): string {
  return `${variants(removed)} shipped by Brilliant again: next orders go as mapped, or wait for a mapping.`;
}

/** Takes the mark off: the variants' next orders go to Brilliant as mapped (or wait for a mapping). */
export async function unmarkNotShipped(shop: string, shopifyVariantIds: string[]): Promise<number> {
  const removed = await prisma.unshippedVariant.deleteMany({
    where: { shop, shopifyVariantId: { in: [...new Set(shopifyVariantIds)] } },
  });
  // Their mappings are watched again: stock and activity alerts as for any mapped variant.
  if (removed.count > 0) await refreshCatalogAlerts(shop);
  return removed.count;
}

/**
 * One variant marked or not, from its mapping page: what to tell the merchant,
 * or null when the shop has no such live variant.
 */
export async function setVariantNotShipped(
  shop: string,
  shopifyVariantId: string,
  notShipped: boolean,
): Promise<string | null> {
  if (notShipped) {
    const result = await markNotShipped(shop, [shopifyVariantId]);
    return result.found === 0 ? null : markedMessage(result);
  }
  const live = await prisma.shopifyVariant.count({ where: { shop, shopifyVariantId, deletedAt: null } });
  if (live === 0) return null;
  const removed = await unmarkNotShipped(shop, [shopifyVariantId]);
  return removed === 0 ? "It is shipped by Brilliant already." : unmarkedMessage(removed);
}

/** Those of `shopifyVariantIds` that are marked. */
export async function notShippedAmong(shop: string, shopifyVariantIds: string[]): Promise<Set<string>> {
  if (shopifyVariantIds.length === 0) return new Set();
  const rows = await prisma.unshippedVariant.findMany({
    where: { shop, shopifyVariantId: { in: shopifyVariantIds } },
    select: { shopifyVariantId: true },
  });
  return new Set(rows.map((row) => row.shopifyVariantId));
}

/** Marks the shop's live variants with these SKUs (exact, trimmed); says which SKUs named none. */
export async function markNotShippedBySku(
  shop: string,
  skus: string[],
): Promise<MarkResult & { variants: number; unknownSkus: string[] }> {
  const wanted = [...new Set(skus.map((sku) => sku.trim()).filter(Boolean))];
  const variants = await prisma.shopifyVariant.findMany({
    where: { shop, sku: { in: wanted }, deletedAt: null },
    select: { shopifyVariantId: true, sku: true },
  });
  const found = new Set(variants.map((variant) => variant.sku));
  const result = await markNotShipped(
    shop,
    variants.map((variant) => variant.shopifyVariantId),
  );
  return { ...result, variants: variants.length, unknownSkus: wanted.filter((sku) => !found.has(sku)) };
}
