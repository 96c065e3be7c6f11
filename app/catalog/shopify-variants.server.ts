import { Prisma, type ShopifyVariant } from "@prisma/client";

import prisma, { databaseKind } from "../db.server";
import { rowAs, type Row } from "../db/sql.server";
import { UnexpectedShopifyAnswerError } from "../integrations/shopify-admin.server";
import { canonicalShopifyId } from "../models/shopify-id";

/**
 * The shop's Shopify variants, mirrored for the mapping page: read in full by
 * the variant sync (shopify-variant-sync.server.ts) and kept fresh by
 * products/update and products/delete (shopify-product-webhooks.server.ts).
 * This module holds what they share and the listing the mapping page reads.
 *
 * Ids are stored as the number at the end of Shopify's GID, the form orders'
 * line items and REST webhooks use. `syncedAt` is when we learnt what a row
 * says: a write never replaces a row learnt later than what it carries.
 */

// ---------------------------------------------------------------------------
// Errors

export class InvalidVariantCursorError extends Error {
  override name = "InvalidVariantCursorError";
}

// ---------------------------------------------------------------------------
// Mapping Shopify's shapes to rows

export interface VariantFields {
  shopifyVariantId: string;
  shopifyProductId: string;
  productTitle: string;
  variantTitle: string | null;
  sku: string | null;
  barcode: string | null;
  imageUrl: string | null;
}

/** "gid://shopify/ProductVariant/45000000001" → "45000000001"; a numeric id stays as it is. */
export function numericShopifyId(id: string | number): string {
  const text = String(id).trim();
  const match = /(\d+)(?:\?.*)?$/.exec(text);
  // Canonical, as webhooks' ids are: "0123" is 123, and 0 or an id past 2^53 is no id.
  const canonical = match ? canonicalShopifyId(match[1]) : null;
  if (canonical === null) throw new UnexpectedShopifyAnswerError(`Not a Shopify id: ${text}`);
  return canonical;
}

export function blankToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === "" ? null : value;
}

/** Shopify names the only variant of a product without options "Default Title"; the merchant never sees it. */
export function variantTitleOf(title: string | null | undefined): string | null {
  const blank = blankToNull(title);
  return blank === "Default Title" ? null : blank;
}

// ---------------------------------------------------------------------------
// Listing, for the mapping page

export const SHOPIFY_VARIANT_FILTERS = [
  "active",
  "deleted",
  "all",
  "mapped",
  "unmapped",
  "not_shipped",
] as const;
export type ShopifyVariantFilter = (typeof SHOPIFY_VARIANT_FILTERS)[number];

/** A condition on the Brilliant variant a Shopify variant is mapped to. */
export type MappedToCondition =
  | { kind: "inactive" }
  /** Tracked, required, at or below the threshold, and still orderable: as the catalog's stock alerts count it. */
  | { kind: "low_stock"; threshold: number };

export interface ListShopifyVariantsOptions {
  /** `nextCursor` of the previous page: the page after it. None (and no `before`) for the first. */
  cursor?: string | null;
  /** `previousCursor` of a page: the page before it. */
  before?: string | null;
  /** 1 to 250, 50 by default. */
  limit?: number;
  /** Case-insensitive (ASCII) part of the product title, variant title, SKU or barcode, or an exact variant id. */
  search?: string | null;
  /**
   * active (default): not deleted · deleted · all · mapped / unmapped: not
   * deleted, with / without a Brilliant mapping, and not marked "not shipped
   * by Brilliant" · not_shipped: not deleted, so marked.
   */
  filter?: ShopifyVariantFilter;
  /** Only variants (not deleted, not marked) mapped to a Brilliant variant in this condition. */
  mappedTo?: MappedToCondition;
}

export interface ListedShopifyVariant extends ShopifyVariant {
  mapping: { brilliantVariantId: string; source: string } | null;
  /** Marked "not shipped by Brilliant" (unshipped-variants.server.ts). */
  notShipped: boolean;
}

export interface ShopifyVariantPage {
  variants: ListedShopifyVariant[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
  /** Pass as `before` for the previous page; null on the first. */
  previousCursor: string | null;
}

function encodeListCursor(row: Pick<ShopifyVariant, "productTitle" | "shopifyVariantId">): string {
  return Buffer.from(JSON.stringify([row.productTitle, row.shopifyVariantId]), "utf8").toString("base64url");
}

function decodeListCursor(cursor: string): { productTitle: string; shopifyVariantId: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((part) => typeof part === "string")) {
      return { productTitle: parsed[0] as string, shopifyVariantId: parsed[1] as string };
    }
  } catch {
    // falls through
  }
  throw new InvalidVariantCursorError("The page cursor is not one this list gave out");
}

/** A LIKE pattern for "contains `search`", lower-cased, with LIKE's wildcards taken literally (ESCAPE '\'). */
export function containsPattern(search: string): string {
  return `%${escapeLike(search.toLowerCase())}%`;
}

/** Text as a LIKE pattern matches it literally (with ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function mappedToSql(condition: MappedToCondition): Prisma.Sql {
  return condition.kind === "inactive"
    ? Prisma.sql`(b."productInactive" = ${true} OR b."removedAt" IS NOT NULL)`
    : Prisma.sql`(b."inventoryRequired" = ${true} AND b."inventoryCount" >= 0
        AND b."inventoryCount" <= ${condition.threshold}
        AND b."productInactive" = ${false} AND b."removedAt" IS NULL)`;
}

/** The WHERE of a listing, without the page's place. */
function listConditions(shop: string, options: ListShopifyVariantsOptions): Prisma.Sql[] {
  const filter = options.mappedTo ? "active" : (options.filter ?? "active");
  const search = options.search?.trim() ?? "";
  const conditions: Prisma.Sql[] = [Prisma.sql`v."shop" = ${shop}`];
  if (filter === "deleted") conditions.push(Prisma.sql`v."deletedAt" IS NOT NULL`);
  else if (filter !== "all") conditions.push(Prisma.sql`v."deletedAt" IS NULL`);
  const mapped = Prisma.sql`EXISTS (SELECT 1 FROM "VariantMapping" m WHERE m."shop" = v."shop" AND m."shopifyVariantId" = v."shopifyVariantId")`;
  // A marked variant is neither mapped nor unmapped for the tabs: it has a tab of its own.
  const marked = Prisma.sql`EXISTS (SELECT 1 FROM "UnshippedVariant" u WHERE u."shop" = v."shop" AND u."shopifyVariantId" = v."shopifyVariantId")`;
  if (filter === "not_shipped") conditions.push(marked);
  if (filter === "mapped" || filter === "unmapped" || options.mappedTo) {
    conditions.push(Prisma.sql`NOT ${marked}`);
  }
  if (filter === "mapped") conditions.push(mapped);
  if (filter === "unmapped") conditions.push(Prisma.sql`NOT ${mapped}`);
  if (options.mappedTo) {
    // The few Brilliant variants in the condition first, then their mappings by
    // index, not a probe of every mapping; CROSS JOIN keeps that order on SQLite.
    conditions.push(Prisma.sql`v."shopifyVariantId" IN (
      SELECT m."shopifyVariantId" FROM "BrilliantVariant" b CROSS JOIN "VariantMapping" m
      WHERE b."shop" = ${shop} AND ${mappedToSql(options.mappedTo)}
        AND m."shop" = b."shop" AND m."brilliantVariantId" = b."brilliantVariantId")`);
  }
  if (search !== "") {
    const pattern = containsPattern(search);
    const contains = (column: string) => {
      const value = Prisma.raw(`v."${column}"`);
      // SQLite's LIKE already ignores ASCII case (as its LOWER does), and bare
      // columns are read from the listing index alone; PostgreSQL's LIKE is
      // case-sensitive.
      return databaseKind() === "sqlite"
        ? Prisma.sql`${value} LIKE ${pattern} ESCAPE '\\'`
        : Prisma.sql`LOWER(${value}) LIKE ${pattern} ESCAPE '\\'`;
    };
    // Every column searched is in the listing index (ShopifyVariant_listing_idx),
    // walked in page order: a search reads the index, not every row of the table.
    conditions.push(Prisma.sql`(
      ${contains("productTitle")} OR ${contains("variantTitle")} OR ${contains("sku")}
      OR ${contains("barcode")} OR v."shopifyVariantId" = ${search}
    )`);
  }
  return conditions;
}

/**
 * One page of the shop's variants, by product title then variant id, with
 * each one's mapping. Keyset paging both ways: `cursor` gives the page after
 * a page, `before` the page before it; a page's place does not move when rows
 * are added or removed elsewhere, and a deep page is a seek in the listing
 * index (ShopifyVariant_listing_idx), not a skip.
 *
 * One raw query for both SQLite and PostgreSQL, as VariantMapping has no
 * relation to join on. Titles are ordered by the database's collation (byte
 * order on SQLite).
 */
export async function listShopifyVariants(
  shop: string,
  options: ListShopifyVariantsOptions = {},
): Promise<ShopifyVariantPage> {
  const limit = Math.max(1, Math.min(250, Math.floor(options.limit ?? 50)));
  const backwards = Boolean(options.before) && !options.cursor;
  const from = options.cursor ?? options.before;
  const place = from ? decodeListCursor(from) : null;

  const conditions = listConditions(shop, options);
  if (place) {
    // A row value, which both databases seek in the index.
    const key = Prisma.sql`(v."productTitle", v."shopifyVariantId")`;
    const at = Prisma.sql`(${place.productTitle}, ${place.shopifyVariantId})`;
    conditions.push(backwards ? Prisma.sql`${key} < ${at}` : Prisma.sql`${key} > ${at}`);
  }
  const order = backwards
    ? Prisma.sql`v."productTitle" DESC, v."shopifyVariantId" DESC`
    : Prisma.sql`v."productTitle", v."shopifyVariantId"`;
  // The page's rows and their mappings in the one query that picks them.
  const picked = await prisma.$queryRaw<Row[]>`
    SELECT v.*, m."brilliantVariantId" AS "mappedTo", m."source" AS "mappedBy", u."id" AS "markedBy"
    FROM "ShopifyVariant" v
    LEFT JOIN "VariantMapping" m ON m."shop" = v."shop" AND m."shopifyVariantId" = v."shopifyVariantId"
    LEFT JOIN "UnshippedVariant" u ON u."shop" = v."shop" AND u."shopifyVariantId" = v."shopifyVariantId"
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY ${order}
    LIMIT ${limit + 1}
  `;
  const hasMore = picked.length > limit;
  const page = picked.slice(0, limit);
  if (backwards) page.reverse();
  const ordered: ListedShopifyVariant[] = page.map(({ mappedTo, mappedBy, markedBy, ...row }) => ({
    ...rowAs<ShopifyVariant>("ShopifyVariant", row),
    mapping: typeof mappedTo === "string" ? { brilliantVariantId: mappedTo, source: String(mappedBy) } : null,
    notShipped: typeof markedBy === "string",
  }));
  const first = ordered[0];
  const last = ordered.at(-1);
  // Going back, there is an earlier page when more rows came, and a later one
  // (the page we came from); going forward, the other way round.
  const hasEarlier = backwards ? hasMore : Boolean(from);
  const hasLater = backwards ? true : hasMore;
  return {
    variants: ordered,
    nextCursor: hasLater && last ? encodeListCursor(last) : null,
    previousCursor: hasEarlier && first ? encodeListCursor(first) : null,
  };
}
