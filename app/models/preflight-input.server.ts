import prisma from "../db.server";
import type { CatalogVariant } from "./preflight";

/** Shopify variant id → Brilliant variant id, for the variants named. */
export async function loadMappings(shop: string, shopifyVariantIds: string[]): Promise<Map<string, string>> {
  if (shopifyVariantIds.length === 0) return new Map();
  const rows = await prisma.variantMapping.findMany({
    where: { shop, shopifyVariantId: { in: shopifyVariantIds } },
    select: { shopifyVariantId: true, brilliantVariantId: true },
  });
  return new Map(rows.map((row) => [row.shopifyVariantId, row.brilliantVariantId]));
}

/** What the last catalog sync saw of these Brilliant variants. */
export async function loadCatalog(
  shop: string,
  brilliantVariantIds: string[],
): Promise<Map<string, CatalogVariant>> {
  if (brilliantVariantIds.length === 0) return new Map();
  const rows = await prisma.brilliantVariant.findMany({
    where: { shop, brilliantVariantId: { in: brilliantVariantIds } },
  });
  return new Map(
    rows.map((row) => [
      row.brilliantVariantId,
      {
        brilliantVariantId: row.brilliantVariantId,
        productName: row.productName,
        label: [row.size, row.color, row.flavor].filter(Boolean).join(" / "),
        inventoryCount: row.inventoryCount,
        inventoryRequired: row.inventoryRequired,
        productInactive: row.productInactive,
        removed: row.removedAt !== null,
      },
    ]),
  );
}
