import prisma from "../db.server";
import { resolveAlertsWithoutHeldOrders } from "./alert.server";
import { recheckHeldOrders } from "./order-actions.server";
import { proposeMatches, type MatchRule } from "./auto-match";

export type MappingSource = "manual" | "auto" | "csv";

export interface MappingInput {
  shopifyVariantId: string;
  shopifyProductId?: string | null;
  sku?: string | null;
  brilliantVariantId: string;
}

/** Saves mappings for a shop, replacing the Brilliant variant of any already mapped. */
export async function saveMappings(
  shop: string,
  mappings: MappingInput[],
  source: MappingSource,
): Promise<number> {
  return (await saveMappingsReport(shop, mappings, source)).saved;
}

export interface SaveMappingsReport {
  saved: number;
  /** Held orders that went out again because of these mappings. */
  released: number;
}

/** saveMappings, also telling how many held orders the change released. */
export async function saveMappingsReport(
  shop: string,
  mappings: MappingInput[],
  source: MappingSource,
): Promise<SaveMappingsReport> {
  let saved = 0;
  for (const mapping of mappings) {
    const data = {
      shopifyProductId: mapping.shopifyProductId ?? null,
      sku: mapping.sku ?? null,
      brilliantVariantId: mapping.brilliantVariantId,
      source,
    };
    await prisma.variantMapping.upsert({
      where: { shop_shopifyVariantId: { shop, shopifyVariantId: mapping.shopifyVariantId } },
      create: { shop, shopifyVariantId: mapping.shopifyVariantId, ...data },
      update: data,
    });
    saved += 1;
  }
  const released = saved > 0 ? await afterMappingChange(shop) : 0;
  return { saved, released };
}

/** Unmaps Shopify variants; their next orders are held until mapped again. */
export async function removeMappings(shop: string, shopifyVariantIds: string[]): Promise<number> {
  const result = await prisma.variantMapping.deleteMany({
    where: { shop, shopifyVariantId: { in: shopifyVariantIds } },
  });
  return result.count;
}

/** Orders held for a mapping (or a variant it pointed at) go out once the mapping fixes them. */
async function afterMappingChange(shop: string): Promise<number> {
  const released = await recheckHeldOrders(shop, "A mapping changed; checked again before sending.");
  await resolveAlertsWithoutHeldOrders(shop);
  return released;
}

export interface VariantWithSku {
  shopifyVariantId: string;
  shopifyProductId?: string | null;
  sku: string | null;
}

/**
 * The simplest auto-match rule: a Shopify SKU that equals a Brilliant variant
 * id. Returns the proposed mappings; saving them is the caller's decision.
 */
export function matchBySkuEqualsVariantId(
  variants: readonly VariantWithSku[],
  brilliantVariantIds: ReadonlySet<string>,
): MappingInput[] {
  const seen = new Set<string>();
  const proposals: MappingInput[] = [];
  for (const variant of variants) {
    const sku = variant.sku?.trim();
    if (!sku || !brilliantVariantIds.has(sku) || seen.has(variant.shopifyVariantId)) continue;
    seen.add(variant.shopifyVariantId);
    proposals.push({
      shopifyVariantId: variant.shopifyVariantId,
      shopifyProductId: variant.shopifyProductId ?? null,
      sku,
      brilliantVariantId: sku,
    });
  }
  return proposals;
}

export async function listMappings(shop: string) {
  return prisma.variantMapping.findMany({ where: { shop }, orderBy: { createdAt: "asc" } });
}

/** Proposals for one rule, for the merchant to review before anything is saved. */
export async function proposeAutoMatches(shop: string, rule: MatchRule) {
  const [shopifyVariants, brilliant, existing] = await Promise.all([
    prisma.shopifyVariant.findMany({
      where: { shop, deletedAt: null },
      select: { shopifyVariantId: true, shopifyProductId: true, sku: true, barcode: true },
    }),
    prisma.brilliantVariant.findMany({
      where: { shop, removedAt: null },
      select: { brilliantVariantId: true },
    }),
    prisma.variantMapping.findMany({
      where: { shop },
      select: { shopifyVariantId: true, brilliantVariantId: true, source: true },
    }),
  ]);
  return proposeMatches(
    shopifyVariants,
    new Set(brilliant.map((row) => row.brilliantVariantId)),
    new Map(existing.map((row) => [row.shopifyVariantId, row])),
    rule,
  );
}

/**
 * Saves the proposals the merchant accepted. A manual mapping is replaced only
 * when `replaceManual` is set (the merchant ticked it in the review).
 */
export async function applyAutoMatches(
  shop: string,
  rule: MatchRule,
  accept: { shopifyVariantIds?: string[]; replaceManual?: boolean } = {},
): Promise<{ saved: number; keptManual: number }> {
  const proposals = await proposeAutoMatches(shop, rule);
  const wanted = accept.shopifyVariantIds ? new Set(accept.shopifyVariantIds) : null;
  const chosen = proposals.filter(
    (proposal) =>
      (!wanted || wanted.has(proposal.shopifyVariantId)) &&
      proposal.status !== "unchanged" &&
      (proposal.status !== "conflicts_manual" || accept.replaceManual),
  );
  const keptManual = proposals.filter(
    (p) =>
      p.status === "conflicts_manual" && !accept.replaceManual && (!wanted || wanted.has(p.shopifyVariantId)),
  ).length;
  const saved = await saveMappings(
    shop,
    chosen.map((proposal) => ({
      shopifyVariantId: proposal.shopifyVariantId,
      shopifyProductId: proposal.shopifyProductId,
      sku: proposal.sku,
      brilliantVariantId: proposal.brilliantVariantId,
    })),
    "auto",
  );
  return { saved, keptManual };
}
