import { Prisma, type BrilliantVariant } from "@prisma/client";

import prisma from "../db.server";
import type { MatchProposal, MatchRule, ProposalStatus } from "./auto-match";
import type { MappingFilter, ReviewGroup } from "./mapping-page-options";
import {
  proposeAutoMatches,
  removeMappings,
  saveAcceptedMatches,
  saveMappingsReport,
} from "./mapping.server";
import { lastSync as lastShopifySync } from "./shopify-variant-sync.server";
import {
  containsPattern,
  escapeLike,
  listShopifyVariants,
  type VariantFields,
} from "./shopify-variants.server";
import { lastCatalogSync } from "./brilliant-catalog.server";
import { notShippedAmong, unmarkNotShipped } from "./unshipped-variants.server";
import { syncRunView, type SyncRunView } from "../models/brilliant-connection.server";

/**
 * The mapping page's reads and writes: Shopify variants with what each is
 * mapped to at Brilliant, the Brilliant variant picker, and the auto-match
 * review. Every query is filtered by the shop.
 */

export { MAPPING_FILTERS, REVIEW_GROUPS, type MappingFilter, type ReviewGroup } from "./mapping-page-options";

export interface BrilliantVariantView {
  brilliantVariantId: string;
  productName: string;
  /** "M / Black / Mint", empty when the variant has no options. */
  options: string;
  imageUrl: string | null;
  /** null when Brilliant does not track its stock (-1). */
  stock: number | null;
  inactive: boolean;
  /** None left of a product that requires stock: orders for it are held until Brilliant restocks. */
  outOfStock: boolean;
  /** No longer in the Brilliant catalog. */
  removed: boolean;
}

export interface MappingRow extends VariantFields {
  mapping: {
    brilliantVariantId: string;
    source: string;
    /** null when the catalog has never listed this id. */
    brilliant: BrilliantVariantView | null;
    lowStock: boolean;
  } | null;
  /** Marked "not shipped by Brilliant": its lines are left out of every order, and no order waits for it. */
  notShipped: boolean;
  /** Unmapped (and not marked): how many of the shop's orders are held waiting for it to be mapped. */
  heldOrders: number;
}

export interface MappingPage {
  rows: MappingRow[];
  /** The page after this one, for `cursor`; null on the last. */
  nextCursor: string | null;
  /** The page before this one, for `before`; null on the first. */
  previousCursor: string | null;
}

export function brilliantVariantView(variant: BrilliantVariant): BrilliantVariantView {
  return {
    brilliantVariantId: variant.brilliantVariantId,
    productName: variant.productName,
    options: [variant.size, variant.color, variant.flavor].filter(Boolean).join(" / "),
    imageUrl: variant.imageUrl,
    stock: variant.inventoryCount < 0 ? null : variant.inventoryCount,
    inactive: variant.productInactive,
    outOfStock: variant.inventoryRequired && variant.inventoryCount === 0,
    removed: variant.removedAt !== null,
  };
}

async function lowStockThreshold(shop: string): Promise<number> {
  const settings = await prisma.shopSettings.findUnique({
    where: { shop },
    select: { lowStockThreshold: true },
  });
  return settings?.lowStockThreshold ?? 5;
}

/** Low stock as the catalog alerts count it: tracked, required, at or below the threshold. */
function isLowStock(variant: BrilliantVariant, threshold: number): boolean {
  return (
    variant.inventoryRequired &&
    variant.inventoryCount >= 0 &&
    variant.inventoryCount <= threshold &&
    !variant.removedAt &&
    !variant.productInactive
  );
}

/**
 * One page of the shop's Shopify variants (not deleted) with their mappings,
 * by product title then variant id (keyset paging both ways: `cursor` for the
 * page after, `before` for the page before).
 */
export async function listMappingPage(
  shop: string,
  options: {
    cursor?: string | null;
    before?: string | null;
    search?: string | null;
    filter?: MappingFilter;
    limit?: number;
  } = {},
): Promise<MappingPage> {
  const filter = options.filter ?? "all";
  const threshold = await lowStockThreshold(shop);
  const page = await listShopifyVariants(shop, {
    cursor: options.cursor,
    before: options.before,
    search: options.search,
    limit: options.limit,
    ...(filter === "inactive"
      ? { mappedTo: { kind: "inactive" } }
      : filter === "low_stock"
        ? { mappedTo: { kind: "low_stock", threshold } }
        : { filter: filter === "all" ? "active" : filter }),
  });

  const targetIds = [
    ...new Set(page.variants.flatMap((row) => (row.mapping ? [row.mapping.brilliantVariantId] : []))),
  ];
  const targets = await prisma.brilliantVariant.findMany({
    where: { shop, brilliantVariantId: { in: targetIds } },
  });
  const byId = new Map(targets.map((variant) => [variant.brilliantVariantId, variant]));
  const waiting = await heldOrdersByUnmappedVariant(
    shop,
    page.variants.filter((row) => !row.mapping && !row.notShipped).map((row) => row.shopifyVariantId),
  );
  return {
    rows: page.variants.map((row) => {
      const target = row.mapping ? byId.get(row.mapping.brilliantVariantId) : undefined;
      return {
        shopifyVariantId: row.shopifyVariantId,
        shopifyProductId: row.shopifyProductId,
        productTitle: row.productTitle,
        variantTitle: row.variantTitle,
        sku: row.sku,
        barcode: row.barcode,
        imageUrl: row.imageUrl,
        mapping: row.mapping
          ? {
              brilliantVariantId: row.mapping.brilliantVariantId,
              source: row.mapping.source,
              brilliant: target ? brilliantVariantView(target) : null,
              lowStock: target ? isLowStock(target, threshold) : false,
            }
          : null,
        notShipped: row.notShipped,
        heldOrders: waiting.get(row.shopifyVariantId) ?? 0,
      };
    }),
    nextCursor: page.nextCursor,
    previousCursor: page.previousCursor,
  };
}

/** Orders held for a mapping, by the unmapped Shopify variant their open alert names. */
async function heldOrdersByUnmappedVariant(
  shop: string,
  shopifyVariantIds: string[],
): Promise<Map<string, number>> {
  if (shopifyVariantIds.length === 0) return new Map();
  const alerts = await prisma.alert.findMany({
    where: {
      shop,
      kind: "mapping",
      openKey: { in: shopifyVariantIds.map((id) => `mapping:variant:${id}`) },
    },
    select: { key: true, _count: { select: { orders: { where: { order: { state: "held" } } } } } },
  });
  return new Map(alerts.map((alert) => [alert.key.slice("mapping:variant:".length), alert._count.orders]));
}

export interface MappingSyncStatus {
  shopifyProducts: SyncRunView | null;
  brilliantCatalog: SyncRunView | null;
}

export async function mappingSyncStatus(shop: string): Promise<MappingSyncStatus> {
  const [shopifyProducts, brilliantCatalog] = await Promise.all([
    lastShopifySync(shop),
    lastCatalogSync(shop),
  ]);
  return { shopifyProducts: syncRunView(shopifyProducts), brilliantCatalog: syncRunView(brilliantCatalog) };
}

// ---------------------------------------------------------------------------
// Mapping one variant

/** The Shopify variant being mapped, or null when the shop has no such (live) variant. */
export async function getShopifyVariantForMapping(shop: string, shopifyVariantId: string) {
  const variant = await prisma.shopifyVariant.findUnique({
    where: { shop_shopifyVariantId: { shop, shopifyVariantId } },
  });
  if (!variant || variant.deletedAt) return null;
  const mapping = await prisma.variantMapping.findUnique({
    where: { shop_shopifyVariantId: { shop, shopifyVariantId } },
    select: { brilliantVariantId: true, source: true },
  });
  const notShipped = (await notShippedAmong(shop, [shopifyVariantId])).has(shopifyVariantId);
  return { variant, mapping, notShipped };
}

/**
 * The picker: Brilliant variants still in the catalog, by product name, each
 * of the search's words found in the name or an option (case-insensitive on
 * both databases) or equal to the id: "logo tee L" finds Classic Logo Tee, L.
 */
export async function searchBrilliantVariants(
  shop: string,
  options: { search?: string | null; limit?: number } = {},
): Promise<BrilliantVariantView[]> {
  const search = options.search?.trim() ?? "";
  const limit = Math.max(1, Math.min(100, options.limit ?? 50));
  const conditions: Prisma.Sql[] = [Prisma.sql`b."shop" = ${shop}`, Prisma.sql`b."removedAt" IS NULL`];
  // A few words at most: each adds a condition.
  for (const word of search.split(/\s+/).filter(Boolean).slice(0, 8)) conditions.push(wordCondition(word));
  const picked = await prisma.$queryRaw<Array<{ id: string }>>`
    SELECT b."id" AS "id" FROM "BrilliantVariant" b
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY b."productName", b."brilliantVariantId"
    LIMIT ${limit}
  `;
  const ids = picked.map((row) => row.id);
  const rows = await prisma.brilliantVariant.findMany({ where: { shop, id: { in: ids } } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [brilliantVariantView(row)] : [];
  });
}

/**
 * One search word: equal to the id, or found in the name or an option. A word
 * of one or two characters ("L", "XL") must be a whole option or a whole word
 * of the name, or it would match nearly every name.
 */
function wordCondition(word: string): Prisma.Sql {
  const lower = word.toLowerCase();
  if (lower.length <= 2) {
    return Prisma.sql`(
      b."brilliantVariantId" = ${word}
      OR LOWER(COALESCE(b."size", '')) = ${lower}
      OR LOWER(COALESCE(b."color", '')) = ${lower}
      OR LOWER(COALESCE(b."flavor", '')) = ${lower}
      OR LOWER(' ' || b."productName" || ' ') LIKE ${`% ${escapeLike(lower)} %`} ESCAPE '\\'
    )`;
  }
  const pattern = containsPattern(word);
  return Prisma.sql`(
    b."brilliantVariantId" = ${word}
    OR LOWER(b."productName") LIKE ${pattern} ESCAPE '\\'
    OR LOWER(COALESCE(b."size", '')) LIKE ${pattern} ESCAPE '\\'
    OR LOWER(COALESCE(b."color", '')) LIKE ${pattern} ESCAPE '\\'
    OR LOWER(COALESCE(b."flavor", '')) LIKE ${pattern} ESCAPE '\\'
  )`;
}

export type MapVariantResult =
  { ok: true; released: number } | { ok: false; reason: "no_shopify_variant" | "no_brilliant_variant" };

/** Maps one Shopify variant of the shop to one Brilliant variant of its catalog. */
export async function mapVariant(
  shop: string,
  shopifyVariantId: string,
  brilliantVariantId: string,
): Promise<MapVariantResult> {
  const found = await getShopifyVariantForMapping(shop, shopifyVariantId);
  if (!found) return { ok: false, reason: "no_shopify_variant" };
  const target = await prisma.brilliantVariant.findUnique({
    where: { shop_brilliantVariantId: { shop, brilliantVariantId } },
    select: { removedAt: true },
  });
  if (!target || target.removedAt) return { ok: false, reason: "no_brilliant_variant" };
  // Choosing the Brilliant variant it ships as says Brilliant ships it: the mark goes.
  if (found.notShipped) await unmarkNotShipped(shop, [shopifyVariantId]);
  const { released } = await saveMappingsReport(
    shop,
    [
      {
        shopifyVariantId,
        shopifyProductId: found.variant.shopifyProductId,
        sku: found.variant.sku,
        brilliantVariantId,
      },
    ],
    "manual",
  );
  return { ok: true, released };
}

export async function unmapVariants(shop: string, shopifyVariantIds: string[]): Promise<number> {
  return removeMappings(shop, shopifyVariantIds);
}

// ---------------------------------------------------------------------------
// Auto-match review

export interface ReviewProposal extends MatchProposal {
  productTitle: string | null;
  variantTitle: string | null;
  brilliant: BrilliantVariantView | null;
}

export interface AutoMatchReview {
  counts: Record<ReviewGroup | "unchanged", number>;
  /** The first `perGroup` proposals of each group, for the merchant to tick. */
  groups: Record<ReviewGroup, ReviewProposal[]>;
}

/** Proposals of a rule grouped for review; unchanged ones are only counted. */
export async function reviewAutoMatches(
  shop: string,
  rule: MatchRule,
  perGroup = 200,
): Promise<AutoMatchReview> {
  const proposals = await proposeAutoMatches(shop, rule);
  const counts: Record<ProposalStatus, number> = {
    new: 0,
    replaces_auto: 0,
    conflicts_manual: 0,
    unchanged: 0,
  };
  const shown: Record<ReviewGroup, MatchProposal[]> = { new: [], replaces_auto: [], conflicts_manual: [] };
  for (const proposal of proposals) {
    counts[proposal.status] += 1;
    if (proposal.status !== "unchanged" && shown[proposal.status].length < perGroup) {
      shown[proposal.status].push(proposal);
    }
  }
  const listed = Object.values(shown).flat();
  const [shopify, brilliant] = await Promise.all([
    prisma.shopifyVariant.findMany({
      where: { shop, shopifyVariantId: { in: listed.map((p) => p.shopifyVariantId) } },
      select: { shopifyVariantId: true, productTitle: true, variantTitle: true },
    }),
    prisma.brilliantVariant.findMany({
      where: { shop, brilliantVariantId: { in: [...new Set(listed.map((p) => p.brilliantVariantId))] } },
    }),
  ]);
  const shopifyById = new Map(shopify.map((row) => [row.shopifyVariantId, row]));
  const brilliantById = new Map(brilliant.map((row) => [row.brilliantVariantId, row]));
  const enrich = (proposal: MatchProposal): ReviewProposal => {
    const target = brilliantById.get(proposal.brilliantVariantId);
    return {
      ...proposal,
      productTitle: shopifyById.get(proposal.shopifyVariantId)?.productTitle ?? null,
      variantTitle: shopifyById.get(proposal.shopifyVariantId)?.variantTitle ?? null,
      brilliant: target ? brilliantVariantView(target) : null,
    };
  };
  return {
    counts,
    groups: {
      new: shown.new.map(enrich),
      replaces_auto: shown.replaces_auto.map(enrich),
      conflicts_manual: shown.conflicts_manual.map(enrich),
    },
  };
}

/**
 * Saves what the merchant ticked: single proposals by id, or whole groups
 * ("all N in this group"), in SQL from the proposals as the rule makes them
 * now (`saveAcceptedMatches`). A manual mapping is replaced only when the
 * merchant ticked a conflicting proposal or the whole conflicts group.
 */
export async function applyAutoMatchReview(
  shop: string,
  rule: MatchRule,
  accepted: { shopifyVariantIds: string[]; wholeGroups: ReviewGroup[] },
): Promise<{ saved: number; released: number }> {
  return saveAcceptedMatches(shop, rule, {
    groups: accepted.wholeGroups,
    shopifyVariantIds: accepted.shopifyVariantIds,
  });
}
