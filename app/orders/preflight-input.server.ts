import { placeholders, sqlFor } from "../db/sql.server";
import type { LineChange } from "./line-changes";
import { preflight, type CatalogVariant, type PreflightInput, type PreflightResult } from "./preflight";
import { subdivisionFallbackDecides } from "./state-rule";
import { subdivisionFallbackOf, type SubdivisionFallback } from "./subdivision-fallback";

// These reads run for every order the worker sends: direct SQL (see app/db/sql.server.ts).

/** Shopify variant id → Brilliant variant id, for the variants named. */
export async function loadMappings(shop: string, shopifyVariantIds: string[]): Promise<Map<string, string>> {
  if (shopifyVariantIds.length === 0) return new Map();
  const rows = await sqlFor().all<{ shopifyVariantId: string; brilliantVariantId: string }>(
    `SELECT "shopifyVariantId", "brilliantVariantId" FROM "VariantMapping"
     WHERE "shop" = ? AND "shopifyVariantId" IN (${placeholders(shopifyVariantIds.length)})`,
    [shop, ...shopifyVariantIds],
  );
  return new Map(rows.map((row) => [row.shopifyVariantId, row.brilliantVariantId]));
}

/** Those of the variants named that the merchant marked "not shipped by Brilliant" in Mappings. */
export async function loadNotShipped(shop: string, shopifyVariantIds: string[]): Promise<Set<string>> {
  if (shopifyVariantIds.length === 0) return new Set();
  const rows = await sqlFor().all<{ shopifyVariantId: string }>(
    `SELECT "shopifyVariantId" FROM "UnshippedVariant"
     WHERE "shop" = ? AND "shopifyVariantId" IN (${placeholders(shopifyVariantIds.length)})`,
    [shop, ...shopifyVariantIds],
  );
  return new Set(rows.map((row) => row.shopifyVariantId));
}

/** What the last catalog sync saw of these Brilliant variants. */
export async function loadCatalog(
  shop: string,
  brilliantVariantIds: string[],
): Promise<Map<string, CatalogVariant>> {
  if (brilliantVariantIds.length === 0) return new Map();
  const rows = await sqlFor().all<{
    brilliantVariantId: string;
    productName: string;
    size: string | null;
    color: string | null;
    flavor: string | null;
    inventoryCount: number;
    inventoryRequired: boolean | number;
    productInactive: boolean | number;
    removedAt: unknown;
  }>(
    `SELECT "brilliantVariantId", "productName", "size", "color", "flavor", "inventoryCount",
            "inventoryRequired", "productInactive", "removedAt"
     FROM "BrilliantVariant"
     WHERE "shop" = ? AND "brilliantVariantId" IN (${placeholders(brilliantVariantIds.length)})`,
    [shop, ...brilliantVariantIds],
  );
  return new Map(
    rows.map((row) => [
      row.brilliantVariantId,
      {
        brilliantVariantId: row.brilliantVariantId,
        productName: row.productName,
        label: [row.size, row.color, row.flavor].filter(Boolean).join(" / "),
        inventoryCount: Number(row.inventoryCount),
        inventoryRequired: Boolean(row.inventoryRequired),
        productInactive: Boolean(row.productInactive),
        removed: row.removedAt !== null,
      },
    ]),
  );
}

/** The shop's setting for an address without a 2-letter state (state-rule.ts). */
export async function loadSubdivisionFallback(shop: string): Promise<SubdivisionFallback> {
  const [row] = await sqlFor().all<{ subdivisionFallback: string }>(
    `SELECT "subdivisionFallback" FROM "ShopSettings" WHERE "shop" = ?`,
    [shop],
  );
  return subdivisionFallbackOf(row?.subdivisionFallback);
}

/**
 * Pre-flight on a stored order with the merchant's line changes: its mappings,
 * the variants marked "not shipped by Brilliant", and the catalog of every
 * Brilliant variant it may go as (mapped or chosen instead) read first, and
 * the shop's setting for its state when the address leaves it to the setting.
 * Returns the mappings too, to name refused variants by.
 */
export async function preflightOrder(
  input: Omit<PreflightInput, "mappings" | "catalog" | "notShipped"> & { lineChanges: readonly LineChange[] },
): Promise<{ check: PreflightResult; mappings: Map<string, string> }> {
  const variantIds = input.order.line_items
    .map((line) => line.variant_id)
    .filter((id): id is string => Boolean(id));
  const mappings = await loadMappings(input.shop, variantIds);
  const notShipped = await loadNotShipped(input.shop, variantIds);
  const substitutes = input.lineChanges.flatMap((change) =>
    change.action === "substitute" ? [change.brilliantVariantId] : [],
  );
  const catalog = await loadCatalog(input.shop, [...new Set([...mappings.values(), ...substitutes])]);
  // Read only for the addresses it decides: most orders never need it.
  const subdivisionFallback =
    input.subdivisionFallback ??
    (subdivisionFallbackDecides(input.order.shipping_address)
      ? await loadSubdivisionFallback(input.shop)
      : undefined);
  return {
    check: preflight({ ...input, mappings, catalog, notShipped, subdivisionFallback }),
    mappings,
  };
}
