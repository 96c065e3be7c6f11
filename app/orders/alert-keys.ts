export type VariantRef = { source: "brilliant" | "shopify"; id: string };

/**
 * Alert keys name the variant they are about: `stock:variant:<brilliant id>`,
 * `lowstock:variant:…`, `inactive:variant:…`, `mapping:brilliant:…` (Brilliant
 * ids) and `mapping:variant:<Shopify variant id>`.
 */
export function variantInAlertKey(key: string): VariantRef | null {
  const brilliant = /^(?:stock|lowstock|inactive):variant:(.+)$|^mapping:brilliant:(.+)$/.exec(key);
  if (brilliant) return { source: "brilliant", id: (brilliant[1] ?? brilliant[2])! };
  const shopify = /^mapping:variant:(.+)$/.exec(key);
  if (shopify) return { source: "shopify", id: shopify[1]! };
  return null;
}
