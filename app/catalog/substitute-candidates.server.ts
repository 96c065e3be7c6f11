import type { BrilliantVariant } from "@prisma/client";

import prisma from "../db.server";
import { searchBrilliantVariants } from "./mapping-page.server";

/**
 * The catalog copy as the order page reads it: what the last sync saw of the
 * Brilliant variants an order's lines go as, and the variants a line could be
 * sent as instead (same product, or found by its SKU or title) that Brilliant
 * would take now, as far as that copy tells.
 */

export interface CatalogVariantFacts {
  brilliantVariantId: string;
  /** "Classic Logo Tee (L / Heather Gray)" */
  name: string;
  /** null when Brilliant does not track its stock (-1). */
  stock: number | null;
  /** Its product needs stock ≥ quantity, else Brilliant refuses the order (2503). */
  stockRequired: boolean;
  /** Orderable: its product is active and it is still in the catalog. */
  active: boolean;
  removed: boolean;
  syncedAt: string;
}

const MAX_CANDIDATES = 20;

export function catalogVariantFacts(row: BrilliantVariant): CatalogVariantFacts {
  const label = [row.size, row.color, row.flavor].filter(Boolean).join(" / ");
  return {
    brilliantVariantId: row.brilliantVariantId,
    name: `${row.productName}${label ? ` (${label})` : ""}`,
    stock: row.inventoryCount < 0 ? null : row.inventoryCount,
    stockRequired: row.inventoryRequired,
    active: !row.productInactive && row.removedAt === null,
    removed: row.removedAt !== null,
    syncedAt: row.syncedAt.toISOString(),
  };
}

/** Whether Brilliant would take `quantity` of it, by pre-flight's rules on the catalog copy. */
export function canShip(facts: CatalogVariantFacts, quantity: number): boolean {
  return facts.active && (!facts.stockRequired || facts.stock === null || facts.stock >= quantity);
}

/** The catalog copy of these variants of the shop, by Brilliant id; ids it never listed are absent. */
export async function catalogVariantsById(
  shop: string,
  brilliantVariantIds: string[],
): Promise<Map<string, CatalogVariantFacts>> {
  if (brilliantVariantIds.length === 0) return new Map();
  const rows = await prisma.brilliantVariant.findMany({
    where: { shop, brilliantVariantId: { in: [...new Set(brilliantVariantIds)] } },
  });
  return new Map(rows.map((row) => [row.brilliantVariantId, catalogVariantFacts(row)]));
}

/**
 * Variants one line could go as instead of `near` (its mapped variant): the
 * other variants of the same Brilliant product, and those the picker's search
 * finds for each of `searches` (the line's SKU, its title), that can ship
 * `quantity`; by name.
 */
export async function substituteCandidates(
  shop: string,
  options: { near: string | null; searches: string[]; quantity: number; exclude: string[] },
): Promise<CatalogVariantFacts[]> {
  const nearRow = options.near
    ? await prisma.brilliantVariant.findUnique({
        where: { shop_brilliantVariantId: { shop, brilliantVariantId: options.near } },
        select: { productId: true },
      })
    : null;
  const found = await Promise.all(
    options.searches
      .filter((search) => search.trim())
      .map((search) => searchBrilliantVariants(shop, { search, limit: MAX_CANDIDATES })),
  );
  const rows = await prisma.brilliantVariant.findMany({
    where: {
      shop,
      removedAt: null,
      productInactive: false,
      OR: [
        ...(nearRow ? [{ productId: nearRow.productId }] : []),
        { brilliantVariantId: { in: found.flat().map((variant) => variant.brilliantVariantId) } },
      ],
    },
    orderBy: [{ productName: "asc" }, { brilliantVariantId: "asc" }],
  });
  const exclude = new Set(options.exclude);
  return rows
    .map(catalogVariantFacts)
    .filter((facts) => !exclude.has(facts.brilliantVariantId) && canShip(facts, options.quantity))
    .slice(0, MAX_CANDIDATES);
}
