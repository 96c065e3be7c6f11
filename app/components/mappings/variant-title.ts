/** Shopify's title for the variant of a product without options. */
const DEFAULT_TITLE = "Default Title";

function ownTitle(variantTitle: string | null): string | null {
  return variantTitle && variantTitle !== DEFAULT_TITLE ? variantTitle : null;
}

/** The variant's title, or "Default variant" for a product's only variant. */
export function variantName(variantTitle: string | null): string {
  return ownTitle(variantTitle) ?? "Default variant";
}

/** "Tee - M / Black": a product's name with the variant's title, when it has its own. */
export function withVariantTitle(name: string, variantTitle: string | null): string {
  const own = ownTitle(variantTitle);
  return own ? `${name} - ${own}` : name;
}
