/**
 * The demo's `--not-shipped-skus SKU[,SKU…]`: the shop's variants with these
 * SKUs are marked "not shipped by Brilliant" (as a merchant would in
 * Mappings) before any order is sent. Import only after DATABASE_URL and the
 * app's environment are set, since the app modules read them on import.
 */

/** "A, B,,C" → ["A", "B", "C"]. */
export function parseSkuList(value: string | undefined): string[] {
  return [
    ...new Set(
      (value ?? "")
        .split(",")
        .map((sku) => sku.trim())
        .filter(Boolean),
    ),
  ];
}

/** Marks the variants; returns the line the demo prints about it. */
export async function markNotShippedSkus(shop: string, skus: string[]): Promise<string> {
  const { markNotShippedBySku } = await import("../../app/catalog/unshipped-variants.server");
  const result = await markNotShippedBySku(shop, skus);
  const unknown =
    result.unknownSkus.length > 0 ? ` No variant has SKU ${result.unknownSkus.join(", ")}.` : "";
  return `Marked ${result.variants} variant(s) with SKU ${skus.join(", ")} not shipped by Brilliant: their lines are left out of what Brilliant gets.${unknown}`;
}
