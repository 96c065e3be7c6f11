import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { applyAutoMatches, proposeAutoMatches, saveMappings } from "./mapping.server";
import { applyMappingCsv, exportMappingCsv, previewMappingCsv } from "./mapping-csv.server";

const SHOP = "mapping-test.myshopify.com";

async function seedCatalogs() {
  const now = new Date();
  await prisma.shopifyVariant.createMany({
    data: [
      {
        shop: SHOP,
        shopifyVariantId: "101",
        shopifyProductId: "1",
        productTitle: "Tee",
        variantTitle: "M",
        sku: "73002",
        syncedAt: now,
      },
      {
        shop: SHOP,
        shopifyVariantId: "102",
        shopifyProductId: "1",
        productTitle: "Tee",
        variantTitle: "L",
        sku: "73003",
        syncedAt: now,
      },
      {
        shop: SHOP,
        shopifyVariantId: "103",
        shopifyProductId: "2",
        productTitle: "Hoodie",
        variantTitle: null,
        sku: "73051",
        syncedAt: now,
      },
      {
        shop: SHOP,
        shopifyVariantId: "104",
        shopifyProductId: "3",
        productTitle: "Poster",
        variantTitle: null,
        sku: "POSTER",
        syncedAt: now,
      },
      {
        shop: SHOP,
        shopifyVariantId: "105",
        shopifyProductId: "4",
        productTitle: "Old",
        variantTitle: null,
        sku: "73021",
        syncedAt: now,
        deletedAt: now,
      },
    ],
  });
  const variant = (id: string, extra: Partial<{ productInactive: boolean; removedAt: Date }> = {}) => ({
    shop: SHOP,
    brilliantVariantId: id,
    productId: "p",
    productName: `Brilliant ${id}`,
    inventoryCount: 10,
    syncedAt: now,
    ...extra,
  });
  await prisma.brilliantVariant.createMany({
    data: [
      variant("73002"),
      variant("73003"),
      variant("73051", { productInactive: true }),
      variant("73021"),
      variant("70000", { removedAt: now }),
    ],
  });
}

beforeEach(async () => {
  await resetDatabase(prisma);
  await seedCatalogs();
});

describe("auto-match on the stored catalogs", () => {
  it("proposes by SKU, leaves a manual mapping alone unless told, and saves as auto", async () => {
    await saveMappings(SHOP, [{ shopifyVariantId: "102", brilliantVariantId: "73021" }], "manual");
    const proposals = await proposeAutoMatches(SHOP, { kind: "sku_equals_id" });
    // By product title ("Hoodie" before "Tee"), then variant id.
    expect(proposals.map((p) => [p.shopifyVariantId, p.status])).toEqual([
      ["103", "new"],
      ["101", "new"],
      ["102", "conflicts_manual"],
    ]);
    expect(await applyAutoMatches(SHOP, { kind: "sku_equals_id" })).toEqual({ saved: 2, keptManual: 1 });
    const mapped = await prisma.variantMapping.findMany({
      where: { shop: SHOP },
      orderBy: { shopifyVariantId: "asc" },
    });
    expect(mapped.map((m) => [m.shopifyVariantId, m.brilliantVariantId, m.source])).toEqual([
      ["101", "73002", "auto"],
      ["102", "73021", "manual"],
      ["103", "73051", "auto"],
    ]);
    await applyAutoMatches(
      SHOP,
      { kind: "sku_equals_id" },
      { shopifyVariantIds: ["102"], replaceManual: true },
    );
    expect(
      (await prisma.variantMapping.findFirstOrThrow({ where: { shopifyVariantId: "102" } }))
        .brilliantVariantId,
    ).toBe("73003");
  });
});

describe("CSV import and export", () => {
  it("refuses a file without the header, and explains why", async () => {
    const report = await previewMappingCsv(SHOP, "variant,brilliant\n101,73002\n");
    expect(report.fileError).toMatch(/header shopify_variant_id,sku,brilliant_variant_id/);
  });

  it("reports every row before anything is written: unknown ids, duplicates, inactive and missing targets", async () => {
    const csv = [
      "shopify_variant_id,sku,brilliant_variant_id",
      "101,73002,73002", // new
      "102,73003,99999", // unknown Brilliant variant
      "103,73051,73051", // inactive target
      "104,POSTER,", // blank: skipped
      "999,X,73002", // unknown Shopify variant
      "abc,X,73002", // not an id
      "105,73021,73021", // deleted Shopify variant
      "106,Y,70000", // unknown Shopify variant (checked first)
      "101,73002,73003", // duplicate of line 2
    ].join("\n");
    const report = await previewMappingCsv(SHOP, csv);
    expect(report.fileError).toBeNull();
    expect(report.rows.map((row) => [row.line, row.status])).toEqual([
      [2, "error"],
      [3, "error"],
      [4, "error"],
      [5, "skipped"],
      [6, "error"],
      [7, "error"],
      [8, "error"],
      [9, "error"],
      [10, "error"],
    ]);
    expect(report.rows[0]!.note).toMatch(/more than once/);
    expect(report.rows[1]!.note).toMatch(/99999 is not in your Brilliant store/);
    expect(report.rows[2]!.note).toMatch(/inactive/);
    expect(report.rows[4]!.note).toMatch(/No such Shopify variant/);
    expect(report.rows[6]!.note).toMatch(/deleted/);
    expect(await prisma.variantMapping.count()).toBe(0);
  });

  it("applies only the valid rows, and an export imports back unchanged", async () => {
    const csv =
      "shopify_variant_id,sku,brilliant_variant_id\n101,73002,73002\n102,73003,73021\n103,73051,73051\n";
    const result = await applyMappingCsv(SHOP, csv);
    expect(result.saved).toBe(2);
    expect(result.counts).toMatchObject({ new: 2, error: 1 });

    const exported = await exportMappingCsv(SHOP);
    expect(exported.split("\n")[0]).toBe(
      "shopify_variant_id,sku,brilliant_variant_id,not_shipped_by_brilliant,shopify_product,shopify_variant,brilliant_variant",
    );
    expect(exported).toContain("101,73002,73002,,");
    expect(exported).toContain("104,POSTER,");
    const again = await previewMappingCsv(SHOP, exported);
    expect(again.counts).toMatchObject({ unchanged: 2, new: 0, change: 0 });
    expect(again.counts.error).toBe(0);
  });

  it("GIVEN a mapped Brilliant variant gone inactive and a mapped Shopify variant deleted WHEN an unedited export is imported THEN every row is unchanged and none errs", async () => {
    await applyMappingCsv(
      SHOP,
      "shopify_variant_id,sku,brilliant_variant_id\n101,73002,73002\n102,73003,73021\n",
    );
    await prisma.brilliantVariant.updateMany({
      where: { shop: SHOP, brilliantVariantId: "73002" },
      data: { productInactive: true },
    });
    await prisma.shopifyVariant.updateMany({
      where: { shop: SHOP, shopifyVariantId: "102" },
      data: { deletedAt: new Date() },
    });
    const report = await previewMappingCsv(SHOP, await exportMappingCsv(SHOP));
    expect(report.counts.error).toBe(0);
    expect(report.rows.filter((row) => row.brilliantVariantId !== "").map((row) => row.status)).toEqual([
      "unchanged",
      "unchanged",
    ]);
  });
});

describe("auto-match rules in the database", () => {
  it("proposes by prefix, suffix and barcode exactly as the pure rules do, trimming spaces", async () => {
    const now = new Date();
    const variant = (id: string, sku: string | null, barcode: string | null = null) => ({
      shop: SHOP,
      shopifyVariantId: id,
      shopifyProductId: "9",
      productTitle: "Rules",
      sku,
      barcode,
      syncedAt: now,
    });
    await prisma.shopifyVariant.createMany({
      data: [
        variant("201", "BRL-73002"),
        variant("202", " BRL- 73003 "),
        variant("203", "73021-US"),
        variant("204", "-US"),
        variant("205", "X", " 73003"),
        variant("206", "BRL-70000"), // removed from the catalog
        variant("207", "BRL-"),
      ],
    });
    const ids = async (rule: Parameters<typeof proposeAutoMatches>[1]) =>
      (await proposeAutoMatches(SHOP, rule))
        .filter((p) => Number(p.shopifyVariantId) > 200)
        .map((p) => [p.shopifyVariantId, p.brilliantVariantId]);
    expect(await ids({ kind: "sku_prefix", prefix: "BRL-" })).toEqual([
      ["201", "73002"],
      ["202", "73003"],
    ]);
    expect(await ids({ kind: "sku_suffix", suffix: "-US" })).toEqual([["203", "73021"]]);
    expect(await ids({ kind: "barcode_equals_id" })).toEqual([["205", "73003"]]);
    expect(await ids({ kind: "sku_prefix", prefix: "" })).toEqual([]);
  });

  it("saves many mappings at once, keeping a mapped variant's row and taking the last of duplicates", async () => {
    await saveMappings(SHOP, [{ shopifyVariantId: "101", brilliantVariantId: "73021" }], "manual");
    const before = await prisma.variantMapping.findFirstOrThrow({
      where: { shop: SHOP, shopifyVariantId: "101" },
    });
    const saved = await saveMappings(
      SHOP,
      [
        ...Array.from({ length: 2_500 }, (_, i) => ({
          shopifyVariantId: String(900_000 + i),
          brilliantVariantId: "73002",
        })),
        { shopifyVariantId: "101", sku: "73002", brilliantVariantId: "73003" },
        { shopifyVariantId: "101", sku: "73002", brilliantVariantId: "73002" },
      ],
      "csv",
    );
    expect(saved).toBe(2_501);
    expect(await prisma.variantMapping.count({ where: { shop: SHOP } })).toBe(2_501);
    const after = await prisma.variantMapping.findFirstOrThrow({
      where: { shop: SHOP, shopifyVariantId: "101" },
    });
    expect([after.id, after.createdAt, after.brilliantVariantId, after.source, after.sku]).toEqual([
      before.id,
      before.createdAt,
      "73002",
      "csv",
      "73002",
    ]);
  });
});
