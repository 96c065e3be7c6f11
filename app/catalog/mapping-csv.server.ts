import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import prisma from "../db.server";
import { saveMappingsReport, type MappingInput } from "./mapping.server";
import { markNotShipped, unmarkNotShipped } from "./unshipped-variants.server";

/**
 * CSV import and export of mappings: `shopify_variant_id,sku,brilliant_variant_id`,
 * then `not_shipped_by_brilliant` ("yes" for a variant Brilliant never ships,
 * empty otherwise; a file without the column leaves the marks as they are),
 * then, in an export, the names to read it by (ignored on import). An import
 * is validated row by row and reported before anything is written; applying
 * writes only the rows the report marked valid. An export can be imported
 * again unchanged: a round trip changes nothing and reports no error.
 */
export const CSV_HEADER = ["shopify_variant_id", "sku", "brilliant_variant_id"] as const;
export const NOT_SHIPPED_COLUMN = "not_shipped_by_brilliant";
const NAME_COLUMNS = ["shopify_product", "shopify_variant", "brilliant_variant"] as const;

/** A not_shipped_by_brilliant cell: yes, no (empty), or neither. */
function notShippedCell(cell: string): boolean | "invalid" {
  const value = cell.trim().toLowerCase();
  if (["yes", "y", "true", "1", "x"].includes(value)) return true;
  if (["", "no", "n", "false", "0"].includes(value)) return false;
  return "invalid";
}

export type RowStatus = "new" | "change" | "unchanged" | "skipped" | "error";

export interface CsvRowReport {
  line: number;
  shopifyVariantId: string;
  sku: string;
  brilliantVariantId: string;
  /** The not_shipped_by_brilliant cell as given; empty without the column. */
  notShippedByBrilliant: string;
  status: RowStatus;
  /** Why the row errs, or what it changes, in the merchant's words. */
  note: string | null;
  /** What applying it writes: the mapping, and the "not shipped by Brilliant" mark put on or taken off. */
  writes: { mapping: boolean; notShipped: "mark" | "unmark" | null };
}

export interface CsvReport {
  /** A problem with the file as a whole (no header, not CSV): nothing can be imported. */
  fileError: string | null;
  rows: CsvRowReport[];
  counts: Record<RowStatus, number>;
}

const MAX_ROWS = 200_000;

export async function previewMappingCsv(shop: string, text: string): Promise<CsvReport> {
  const counts: Record<RowStatus, number> = { new: 0, change: 0, unchanged: 0, skipped: 0, error: 0 };
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ""), {
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as string[][];
  } catch (error) {
    return {
      fileError: `The file is not valid CSV: ${error instanceof Error ? error.message : String(error)}`,
      rows: [],
      counts,
    };
  }
  const [header, ...body] = records;
  const normalized = header?.map((cell) => cell.toLowerCase());
  if (!normalized || CSV_HEADER.some((column, index) => normalized[index] !== column)) {
    return { fileError: `The first line must be the header ${CSV_HEADER.join(",")}.`, rows: [], counts };
  }
  if (body.length > MAX_ROWS) {
    return {
      fileError: `The file has ${body.length} rows; at most ${MAX_ROWS} can be imported at once.`,
      rows: [],
      counts,
    };
  }

  const notShippedAt = normalized.indexOf(NOT_SHIPPED_COLUMN, CSV_HEADER.length);

  const [shopifyVariants, brilliantVariants, mappings, marks] = await Promise.all([
    prisma.shopifyVariant.findMany({
      where: { shop },
      select: { shopifyVariantId: true, sku: true, deletedAt: true },
    }),
    prisma.brilliantVariant.findMany({
      where: { shop },
      select: { brilliantVariantId: true, productInactive: true, removedAt: true, productName: true },
    }),
    prisma.variantMapping.findMany({
      where: { shop },
      select: { shopifyVariantId: true, brilliantVariantId: true },
    }),
    prisma.unshippedVariant.findMany({ where: { shop }, select: { shopifyVariantId: true } }),
  ]);
  const marked = new Set(marks.map((row) => row.shopifyVariantId));
  const knownShopify = new Map(shopifyVariants.map((row) => [row.shopifyVariantId, row]));
  const knownBrilliant = new Map(brilliantVariants.map((row) => [row.brilliantVariantId, row]));
  const current = new Map(mappings.map((row) => [row.shopifyVariantId, row.brilliantVariantId]));
  const seen = new Map<string, number>();
  for (const [id] of body) if (id) seen.set(id, (seen.get(id) ?? 0) + 1);

  const rows: CsvRowReport[] = body.map((record, index) => {
    const [shopifyVariantId = "", sku = "", brilliantVariantId = ""] = record;
    const notShippedByBrilliant = notShippedAt === -1 ? "" : (record[notShippedAt] ?? "");
    const row = { line: index + 2, shopifyVariantId, sku, brilliantVariantId, notShippedByBrilliant };
    const nothing: CsvRowReport["writes"] = { mapping: false, notShipped: null };
    const error = (note: string): CsvRowReport => ({ ...row, status: "error", note, writes: nothing });
    if (!/^\d+$/.test(shopifyVariantId)) return error("shopify_variant_id must be the variant's numeric id.");
    if ((seen.get(shopifyVariantId) ?? 0) > 1)
      return error("This Shopify variant appears more than once in the file.");
    const wanted = notShippedAt === -1 ? null : notShippedCell(notShippedByBrilliant);
    if (wanted === "invalid") return error(`${NOT_SHIPPED_COLUMN} must be "yes" or empty.`);
    const isMarked = marked.has(shopifyVariantId);
    const mark: CsvRowReport["writes"]["notShipped"] =
      wanted === null || wanted === isMarked ? null : wanted ? "mark" : "unmark";
    const was = current.get(shopifyVariantId);
    const sameMapping = brilliantVariantId !== "" && was === brilliantVariantId;
    // As it stands (an unedited export): nothing to do, whatever became of either side.
    if (!mark && (sameMapping || (!brilliantVariantId && isMarked && wanted === true))) {
      return { ...row, status: "unchanged", note: null, writes: nothing };
    }
    if (knownShopify.size > 0) {
      const shopifyVariant = knownShopify.get(shopifyVariantId);
      if (!shopifyVariant)
        return error("No such Shopify variant in this shop (sync products first if it is new).");
      if (shopifyVariant.deletedAt) return error("This Shopify variant was deleted.");
    }
    const markNote =
      mark === "mark" ? "Not shipped by Brilliant from now on." : "Shipped by Brilliant again.";
    if (!brilliantVariantId || sameMapping) {
      if (mark)
        return { ...row, status: "change", note: markNote, writes: { mapping: false, notShipped: mark } };
      return {
        ...row,
        status: "skipped",
        note: "No Brilliant variant given: left as it is.",
        writes: nothing,
      };
    }
    const target = knownBrilliant.get(brilliantVariantId);
    if (knownBrilliant.size > 0) {
      if (!target || target.removedAt)
        return error(`Brilliant variant ${brilliantVariantId} is not in your Brilliant store.`);
      if (target.productInactive)
        return error(
          `Brilliant variant ${brilliantVariantId} (${target.productName}) is inactive: orders for it would be held.`,
        );
    }
    const writes = { mapping: true, notShipped: mark };
    const notes = [was ? `Now mapped to ${was}.` : null, mark ? markNote : null].filter(Boolean);
    return {
      ...row,
      status: was ? "change" : "new",
      note: notes.length > 0 ? notes.join(" ") : null,
      writes,
    };
  });
  for (const row of rows) counts[row.status] += 1;
  return { fileError: null, rows, counts };
}

/** Writes the valid new and changed rows of an import; returns the report it acted on. */
export async function applyMappingCsv(
  shop: string,
  text: string,
): Promise<CsvReport & { saved: number; released: number }> {
  const report = await previewMappingCsv(shop, text);
  if (report.fileError) return { ...report, saved: 0, released: 0 };
  const valid = report.rows.filter((row) => row.status === "new" || row.status === "change");
  const writes: MappingInput[] = valid
    .filter((row) => row.writes.mapping)
    .map((row) => ({
      shopifyVariantId: row.shopifyVariantId,
      sku: row.sku || null,
      brilliantVariantId: row.brilliantVariantId,
    }));
  const marking = (change: "mark" | "unmark") =>
    valid.filter((row) => row.writes.notShipped === change).map((row) => row.shopifyVariantId);
  const unmarked = await unmarkNotShipped(shop, marking("unmark"));
  const mapped = await saveMappingsReport(shop, writes, "csv");
  // Last, so the held orders it releases are checked with the new mappings too.
  const marked = await markNotShipped(shop, marking("mark"));
  return {
    ...report,
    saved: mapped.saved + unmarked + marked.marked,
    released: mapped.released + marked.released,
  };
}

/**
 * Every mapping of the shop, and every unmapped Shopify variant with an empty
 * target to fill in, each with its "not shipped by Brilliant" mark and the
 * names to read it by.
 */
export async function exportMappingCsv(shop: string): Promise<string> {
  const [mappings, variants, brilliant, marks] = await Promise.all([
    prisma.variantMapping.findMany({ where: { shop }, orderBy: { shopifyVariantId: "asc" } }),
    prisma.shopifyVariant.findMany({
      where: { shop, deletedAt: null },
      select: { shopifyVariantId: true, sku: true, productTitle: true, variantTitle: true },
    }),
    prisma.brilliantVariant.findMany({
      where: { shop },
      select: { brilliantVariantId: true, productName: true, size: true, color: true, flavor: true },
    }),
    prisma.unshippedVariant.findMany({ where: { shop }, select: { shopifyVariantId: true } }),
  ]);
  const mapped = new Set(mappings.map((mapping) => mapping.shopifyVariantId));
  const marked = new Set(marks.map((mark) => mark.shopifyVariantId));
  const notShipped = (shopifyVariantId: string) => (marked.has(shopifyVariantId) ? "yes" : "");
  const shopify = new Map(variants.map((variant) => [variant.shopifyVariantId, variant]));
  const brilliantNames = new Map(
    brilliant.map((variant) => {
      const options = [variant.size, variant.color, variant.flavor].filter(Boolean).join(" / ");
      return [
        variant.brilliantVariantId,
        options ? `${variant.productName} - ${options}` : variant.productName,
      ];
    }),
  );
  const names = (shopifyVariantId: string, brilliantVariantId: string) => {
    const variant = shopify.get(shopifyVariantId);
    const title =
      variant?.variantTitle && variant.variantTitle !== "Default Title" ? variant.variantTitle : "";
    return [variant?.productTitle ?? "", title, brilliantNames.get(brilliantVariantId) ?? ""];
  };
  const rows = [
    ...mappings.map((mapping) => [
      mapping.shopifyVariantId,
      shopify.get(mapping.shopifyVariantId)?.sku ?? mapping.sku ?? "",
      mapping.brilliantVariantId,
      notShipped(mapping.shopifyVariantId),
      ...names(mapping.shopifyVariantId, mapping.brilliantVariantId),
    ]),
    ...variants
      .filter((variant) => !mapped.has(variant.shopifyVariantId))
      .map((variant) => [
        variant.shopifyVariantId,
        variant.sku ?? "",
        "",
        notShipped(variant.shopifyVariantId),
        ...names(variant.shopifyVariantId, ""),
      ]),
  ];
  return stringify([[...CSV_HEADER, NOT_SHIPPED_COLUMN, ...NAME_COLUMNS], ...rows]);
}
