/**
 * Auto-match: proposes Brilliant variants for Shopify variants by a rule the
 * merchant picks. Pure and linear (one hash lookup per Shopify variant), so
 * 50k Shopify variants against 10k Brilliant ones takes milliseconds. It only
 * proposes: saving is the merchant's decision, and an existing manual mapping
 * is never replaced without the merchant saying so.
 */
export type MatchRule =
  | { kind: "sku_equals_id" }
  | { kind: "sku_prefix"; prefix: string }
  | { kind: "sku_suffix"; suffix: string }
  | { kind: "barcode_equals_id" };

export interface MatchableShopifyVariant {
  shopifyVariantId: string;
  shopifyProductId: string | null;
  sku: string | null;
  barcode: string | null;
}

export interface ExistingMapping {
  brilliantVariantId: string;
  source: string;
}

export type ProposalStatus =
  | "new" // unmapped today
  | "unchanged" // already mapped to this variant
  | "replaces_auto" // mapped by an earlier auto-match or CSV to another variant
  | "conflicts_manual"; // mapped by hand to another variant: never replaced silently

export interface MatchProposal {
  shopifyVariantId: string;
  shopifyProductId: string | null;
  sku: string | null;
  brilliantVariantId: string;
  status: ProposalStatus;
  currentBrilliantVariantId: string | null;
}

export function candidateKey(variant: MatchableShopifyVariant, rule: MatchRule): string | null {
  const sku = variant.sku?.trim() ?? "";
  switch (rule.kind) {
    case "sku_equals_id":
      return sku || null;
    case "sku_prefix":
      return rule.prefix && sku.startsWith(rule.prefix) ? sku.slice(rule.prefix.length).trim() || null : null;
    case "sku_suffix":
      return rule.suffix && sku.endsWith(rule.suffix)
        ? sku.slice(0, -rule.suffix.length).trim() || null
        : null;
    case "barcode_equals_id":
      return variant.barcode?.trim() || null;
  }
}

export function proposeMatches(
  shopifyVariants: readonly MatchableShopifyVariant[],
  brilliantVariantIds: ReadonlySet<string>,
  existing: ReadonlyMap<string, ExistingMapping>,
  rule: MatchRule,
): MatchProposal[] {
  const proposals: MatchProposal[] = [];
  for (const variant of shopifyVariants) {
    const key = candidateKey(variant, rule);
    if (!key || !brilliantVariantIds.has(key)) continue;
    const current = existing.get(variant.shopifyVariantId);
    let status: ProposalStatus = "new";
    if (current) {
      if (current.brilliantVariantId === key) status = "unchanged";
      else status = current.source === "manual" ? "conflicts_manual" : "replaces_auto";
    }
    proposals.push({
      shopifyVariantId: variant.shopifyVariantId,
      shopifyProductId: variant.shopifyProductId,
      sku: variant.sku,
      brilliantVariantId: key,
      status,
      currentBrilliantVariantId: current?.brilliantVariantId ?? null,
    });
  }
  return proposals;
}
