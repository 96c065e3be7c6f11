import { randomUUID } from "node:crypto";

import { Prisma } from "@prisma/client";

import prisma from "../db.server";
import { resolveAlertsWithoutHeldOrders } from "./alert.server";
import { recheckHeldOrders } from "./order-actions.server";
import { proposeMatches, type ExistingMapping, type MatchProposal, type MatchRule } from "./auto-match";

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
  // The last mapping given for a variant is the one that counts.
  const wanted = [...new Map(mappings.map((mapping) => [mapping.shopifyVariantId, mapping])).values()];
  if (wanted.length === 0) return { saved: 0, released: 0 };
  const now = new Date();
  const statements = [];
  for (let start = 0; start < wanted.length; start += WRITE_CHUNK) {
    statements.push(upsertMappings(shop, wanted.slice(start, start + WRITE_CHUNK), source, now));
  }
  await prisma.$transaction(statements);
  const released = await afterMappingChange(shop);
  return { saved: wanted.length, released };
}

/** Mappings per statement (9 values each, well within both databases' limits on bound values). */
const WRITE_CHUNK = 1_000;

/**
 * One multi-row INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL alike):
 * an auto-match can save 50k mappings, which took a minute as one upsert each.
 * A variant already mapped keeps its row (id, createdAt); its row changes
 * only when something in it does.
 */
function upsertMappings(shop: string, chunk: MappingInput[], source: MappingSource, now: Date) {
  const values = chunk.map(
    (mapping) =>
      Prisma.sql`(${randomUUID()}, ${shop}, ${mapping.shopifyVariantId}, ${mapping.shopifyProductId ?? null},
        ${mapping.sku ?? null}, ${mapping.brilliantVariantId}, ${source}, ${now}, ${now})`,
  );
  return prisma.$executeRaw`
    INSERT INTO "VariantMapping" ("id", "shop", "shopifyVariantId", "shopifyProductId", "sku",
      "brilliantVariantId", "source", "createdAt", "updatedAt")
    VALUES ${Prisma.join(values)}
    ON CONFLICT ("shop", "shopifyVariantId") DO UPDATE SET
      "shopifyProductId" = excluded."shopifyProductId",
      "sku" = excluded."sku",
      "brilliantVariantId" = excluded."brilliantVariantId",
      "source" = excluded."source",
      "updatedAt" = excluded."updatedAt"
    WHERE "VariantMapping"."brilliantVariantId" <> excluded."brilliantVariantId"
      OR "VariantMapping"."source" <> excluded."source"
      OR "VariantMapping"."sku" IS DISTINCT FROM excluded."sku"
      OR "VariantMapping"."shopifyProductId" IS DISTINCT FROM excluded."shopifyProductId"
  `;
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

/**
 * Proposals for one rule, for the merchant to review before anything is
 * saved, by product title then variant id.
 *
 * The database pairs each live Shopify variant with the Brilliant variant its
 * SKU or barcode names (and its current mapping), so only the pairs come
 * back, not the whole catalog and every mapping (50k + 10k + 50k rows, seconds
 * through Prisma); `proposeMatches` then applies the rule itself to those
 * pairs, so what is proposed is what auto-match.ts says, never more.
 */
export async function proposeAutoMatches(shop: string, rule: MatchRule): Promise<MatchProposal[]> {
  const { key, condition } = candidateKeySql(rule);
  const pairs = await prisma.$queryRaw<CandidatePair[]>`
    SELECT v."shopifyVariantId" AS "shopifyVariantId", v."shopifyProductId" AS "shopifyProductId",
      v."sku" AS "sku", v."barcode" AS "barcode", b."brilliantVariantId" AS "matchedId",
      m."brilliantVariantId" AS "currentId", m."source" AS "currentSource"
    FROM "ShopifyVariant" v
    JOIN "BrilliantVariant" b
      ON b."shop" = v."shop" AND b."brilliantVariantId" = ${key} AND b."removedAt" IS NULL
    LEFT JOIN "VariantMapping" m ON m."shop" = v."shop" AND m."shopifyVariantId" = v."shopifyVariantId"
    WHERE v."shop" = ${shop} AND v."deletedAt" IS NULL AND ${condition}
    ORDER BY v."productTitle", v."shopifyVariantId"
  `;
  const existing = new Map<string, ExistingMapping>();
  for (const pair of pairs) {
    if (pair.currentId !== null && pair.currentSource !== null) {
      existing.set(pair.shopifyVariantId, { brilliantVariantId: pair.currentId, source: pair.currentSource });
    }
  }
  return proposeMatches(pairs, new Set(pairs.map((pair) => pair.matchedId)), existing, rule);
}

interface CandidatePair {
  shopifyVariantId: string;
  shopifyProductId: string;
  sku: string | null;
  barcode: string | null;
  matchedId: string;
  currentId: string | null;
  currentSource: string | null;
}

/**
 * The rule's candidate key (auto-match.ts `candidateKey`) in SQL both
 * databases run, to join on. SQL's TRIM takes spaces only, where
 * `candidateKey` also trims tabs and line breaks: a SKU padded with those is
 * not proposed.
 */
function candidateKeySql(rule: MatchRule): { key: Prisma.Sql; condition: Prisma.Sql } {
  const sku = Prisma.sql`TRIM(v."sku")`;
  const nothing = { key: sku, condition: Prisma.sql`1 = 0` };
  switch (rule.kind) {
    case "sku_equals_id":
      return { key: sku, condition: Prisma.sql`v."sku" IS NOT NULL` };
    case "barcode_equals_id":
      return { key: Prisma.sql`TRIM(v."barcode")`, condition: Prisma.sql`v."barcode" IS NOT NULL` };
    case "sku_prefix": {
      if (!rule.prefix) return nothing;
      const length = Prisma.raw(String(rule.prefix.length));
      return {
        key: Prisma.sql`TRIM(SUBSTR(${sku}, ${length} + 1))`,
        condition: Prisma.sql`SUBSTR(${sku}, 1, ${length}) = ${rule.prefix}`,
      };
    }
    case "sku_suffix": {
      if (!rule.suffix) return nothing;
      const length = Prisma.raw(String(rule.suffix.length));
      return {
        key: Prisma.sql`TRIM(SUBSTR(${sku}, 1, LENGTH(${sku}) - ${length}))`,
        condition: Prisma.sql`LENGTH(${sku}) > ${length}
          AND SUBSTR(${sku}, LENGTH(${sku}) - ${length} + 1) = ${rule.suffix}`,
      };
    }
  }
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
