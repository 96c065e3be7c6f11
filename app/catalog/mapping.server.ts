import { randomUUID } from "node:crypto";

import { Prisma } from "@prisma/client";

import prisma, { databaseKind } from "../db.server";
import { sqlFor, type SqlValue } from "../db/sql.server";
import { resolveAlertsWithoutHeldOrders } from "../models/alert.server";
import { refreshCatalogAlerts } from "./brilliant-catalog.server";
import { recheckHeldOrders } from "../orders/actions.server";
import {
  proposeMatches,
  type ExistingMapping,
  type MatchProposal,
  type MatchRule,
  type ProposalStatus,
} from "./auto-match";

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

/** The upsert of a mapping: a mapped variant keeps its row (id, createdAt). */
const UPDATE_WHEN_CHANGED = Prisma.sql`ON CONFLICT ("shop", "shopifyVariantId") DO UPDATE SET
  "shopifyProductId" = excluded."shopifyProductId",
  "sku" = excluded."sku",
  "brilliantVariantId" = excluded."brilliantVariantId",
  "source" = excluded."source",
  "updatedAt" = excluded."updatedAt"`;

/** …and only when something in it changes. */
const MAPPING_CHANGED = Prisma.sql`"VariantMapping"."brilliantVariantId" <> excluded."brilliantVariantId"
  OR "VariantMapping"."source" <> excluded."source"
  OR "VariantMapping"."sku" IS DISTINCT FROM excluded."sku"
  OR "VariantMapping"."shopifyProductId" IS DISTINCT FROM excluded."shopifyProductId"`;

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
    ${UPDATE_WHEN_CHANGED}
    WHERE ${MAPPING_CHANGED}
  `;
}

/** Unmaps Shopify variants; their next orders are held until mapped again. */
export async function removeMappings(shop: string, shopifyVariantIds: string[]): Promise<number> {
  const result = await prisma.variantMapping.deleteMany({
    where: { shop, shopifyVariantId: { in: shopifyVariantIds } },
  });
  if (result.count > 0) await refreshCatalogAlerts(shop);
  return result.count;
}

/** Orders held for a mapping (or a variant it pointed at) go out once the mapping fixes them. */
async function afterMappingChange(shop: string): Promise<number> {
  const released = await recheckHeldOrders(shop, "A mapping changed; checked again before sending.");
  await resolveAlertsWithoutHeldOrders(shop);
  // The catalog's alerts follow what is mapped: a low-stock variant just mapped is one to watch.
  await refreshCatalogAlerts(shop);
  return released;
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

/** What the merchant accepted in an auto-match review. */
export interface AcceptedMatches {
  /** Every proposal of these groups. */
  groups: readonly Exclude<ProposalStatus, "unchanged">[];
  /**
   * Single proposals, whatever their group: ticking one that conflicts with a
   * manual mapping is the merchant saying "replace it".
   */
  shopifyVariantIds: readonly string[];
}

/** Ticked ids per statement: well within both databases' limits on bound values. */
const TICKED_CHUNK = 5_000;

/**
 * Saves accepted auto-match proposals straight from the join that proposes
 * them (`INSERT … SELECT … ON CONFLICT DO UPDATE`, SQLite and PostgreSQL
 * alike), in one transaction, then re-checks held orders. No mapping passes
 * through JavaScript: saving 18k proposals one bound row at a time took
 * seconds. The proposals are those of `proposeAutoMatches` (same key, same
 * joins), chosen again at save time, so what is saved is what the rule
 * proposes now, not what the review page showed a while ago.
 *
 * A manual mapping is only replaced when the merchant accepted its conflict
 * (the group, or the proposal ticked); the guard sits on the DO UPDATE too,
 * so a manual mapping made between the SELECT and the write (PostgreSQL,
 * another session) is not overwritten either.
 */
export async function saveAcceptedMatches(
  shop: string,
  rule: MatchRule,
  accepted: AcceptedMatches,
): Promise<SaveMappingsReport> {
  const groups = new Set(accepted.groups);
  const ticked = [...new Set(accepted.shopifyVariantIds)];
  const inGroups = [...groups].map((group) => proposalStatusSql[group]);
  const statements: Prisma.Sql[] = [];
  if (inGroups.length > 0) {
    statements.push(
      insertProposalsSql(shop, rule, Prisma.join(inGroups, " OR "), groups.has("conflicts_manual")),
    );
  }
  for (let start = 0; start < ticked.length; start += TICKED_CHUNK) {
    const chunk = ticked.slice(start, start + TICKED_CHUNK);
    statements.push(
      insertProposalsSql(shop, rule, Prisma.sql`v."shopifyVariantId" IN (${Prisma.join(chunk)})`, true),
    );
  }
  if (statements.length === 0) return { saved: 0, released: 0 };
  // Later statements see what earlier ones wrote: a proposal saved by its
  // group and ticked too is unchanged by then, so it is counted once.
  const saved = await sqlFor().transaction(async (tx) => {
    let changed = 0;
    for (const statement of statements)
      changed += await tx.run(statement.sql, statement.values as SqlValue[]);
    return changed;
  });
  if (saved === 0) return { saved: 0, released: 0 };
  const released = await afterMappingChange(shop);
  return { saved, released };
}

/** Each review group as a condition on the proposal's current mapping `m` (proposals already differ from it). */
const proposalStatusSql: Record<Exclude<ProposalStatus, "unchanged">, Prisma.Sql> = {
  new: Prisma.sql`m."shopifyVariantId" IS NULL`,
  replaces_auto: Prisma.sql`m."source" <> 'manual'`,
  conflicts_manual: Prisma.sql`m."source" = 'manual'`,
};

function insertProposalsSql(
  shop: string,
  rule: MatchRule,
  chosen: Prisma.Sql,
  replaceManual: boolean,
): Prisma.Sql {
  const { key, condition } = candidateKeySql(rule);
  const now = new Date();
  // A bound value in a SELECT list has no column to take its type from:
  // PostgreSQL would read it as text, so it is cast there. On SQLite a CAST
  // to a date type would turn the ISO text into a number, so it stays bare.
  const at = databaseKind() === "postgresql" ? Prisma.sql`CAST(${now} AS TIMESTAMP(3))` : Prisma.sql`${now}`;
  // The id is made from the shop and the Shopify variant id, which are unique
  // together (the conflict target) and free of ':' in the shop's domain: so it
  // is unique, the same expression on both databases, and needs no random
  // source in SQL (SQLite's randomblob, PostgreSQL's gen_random_uuid differ).
  // A mapped variant keeps its row and id; ids are opaque everywhere else.
  return Prisma.sql`
    INSERT INTO "VariantMapping" ("id", "shop", "shopifyVariantId", "shopifyProductId", "sku",
      "brilliantVariantId", "source", "createdAt", "updatedAt")
    SELECT 'vm:' || v."shop" || ':' || v."shopifyVariantId", v."shop", v."shopifyVariantId",
      v."shopifyProductId", v."sku", b."brilliantVariantId", 'auto', ${at}, ${at}
    FROM "ShopifyVariant" v
    JOIN "BrilliantVariant" b
      ON b."shop" = v."shop" AND b."brilliantVariantId" = ${key} AND b."removedAt" IS NULL
    LEFT JOIN "VariantMapping" m ON m."shop" = v."shop" AND m."shopifyVariantId" = v."shopifyVariantId"
    WHERE v."shop" = ${shop} AND v."deletedAt" IS NULL AND ${condition}
      AND (m."brilliantVariantId" IS NULL OR m."brilliantVariantId" <> b."brilliantVariantId")
      AND (${chosen})
    ${UPDATE_WHEN_CHANGED}
    WHERE ("VariantMapping"."source" <> 'manual' OR ${replaceManual ? Prisma.sql`1 = 1` : Prisma.sql`1 = 0`})
      AND (${MAPPING_CHANGED})
  `;
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
