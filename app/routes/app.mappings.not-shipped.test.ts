import { beforeEach, describe, expect, it } from "vitest";

import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { action as indexAction, loader as indexLoader } from "./app.mappings._index";
import { action as variantAction, loader as variantLoader } from "./app.mappings.$shopifyVariantId";
import { loader as exportLoader } from "./app.mappings.export";
import { action as importAction } from "./app.mappings.import";

// GIVEN a shop that ships some variants itself, WHEN the merchant marks them
// "not shipped by Brilliant" (one on its page or row, several ticked on the
// list, or in a CSV), THEN they get a tab of their own, are never "unmapped"
// or waited for, and the CSV says so and round-trips. Real routes with a real
// session token; another shop's variants stay untouched.

const SHOP = "not-shipped-a.myshopify.com";
const OTHER = "not-shipped-b.myshopify.com";
const BASE = "https://brilliant-sync.test/app/mappings";

const get = (url: string, shop = SHOP) => adminRequest(url, { shop });
const post = (url: string, body: Record<string, string | string[]>, shop = SHOP) =>
  adminRequest(url, { shop, method: "POST", body });

async function seedVariant(shop: string, id: number, title: string) {
  await prisma.shopifyVariant.create({
    data: {
      shop,
      shopifyVariantId: String(id),
      shopifyProductId: String(id),
      productTitle: title,
      sku: `SKU-${id}`,
      syncedAt: new Date(),
    },
  });
}

const marked = async (shop = SHOP) =>
  (await prisma.unshippedVariant.findMany({ where: { shop }, orderBy: { shopifyVariantId: "asc" } })).map(
    (row) => row.shopifyVariantId,
  );

async function listed(filter: string) {
  const response = await callRoute(indexLoader, await get(`${BASE}?filter=${filter}`));
  expect(response.status).toBe(200);
  const page = (await response.json()) as {
    rows: { shopifyVariantId: string; notShipped: boolean; heldOrders: number; mapping: unknown }[];
  };
  return page.rows;
}

beforeEach(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(SHOP);
  await seedAdminShop(OTHER);
  await prisma.brilliantVariant.create({
    data: {
      shop: SHOP,
      brilliantVariantId: "73002",
      productId: "1",
      productName: "Classic Tee",
      inventoryCount: 100,
      inventoryRequired: true,
      syncedAt: new Date(),
    },
  });
  await seedVariant(SHOP, 101, "Apron");
  await seedVariant(SHOP, 102, "Candle");
  await seedVariant(SHOP, 103, "Tee");
  await prisma.variantMapping.create({
    data: { shop: SHOP, shopifyVariantId: "103", brilliantVariantId: "73002", source: "manual" },
  });
  await seedVariant(OTHER, 901, "Their candle");
});

describe("marking variants not shipped by Brilliant", () => {
  it("GIVEN two variants ticked on the list WHEN marked THEN they leave Unmapped for their own tab, and can be shipped with Brilliant again", async () => {
    const response = await callRoute(
      indexAction,
      await post(BASE, { intent: "not_shipped", shopifyVariantId: ["101", "102"] }),
    );
    expect(response.status).toBe(200);
    expect((await response.json()).message).toMatch(/^2 variants marked not shipped by Brilliant/);
    expect(await marked()).toEqual(["101", "102"]);

    expect((await listed("not_shipped")).map((row) => row.shopifyVariantId)).toEqual(["101", "102"]);
    expect(await listed("unmapped")).toEqual([]);
    expect((await listed("mapped")).map((row) => row.shopifyVariantId)).toEqual(["103"]);
    const all = await listed("all");
    expect(all.map((row) => [row.shopifyVariantId, row.notShipped, row.heldOrders])).toEqual([
      ["101", true, 0],
      ["102", true, 0],
      ["103", false, 0],
    ]);

    const back = await callRoute(
      indexAction,
      await post(BASE, { intent: "ship_with_brilliant", shopifyVariantId: ["102"] }),
    );
    expect((await back.json()).message).toMatch(/^1 variant shipped by Brilliant again/);
    expect(await marked()).toEqual(["101"]);
    expect((await listed("unmapped")).map((row) => row.shopifyVariantId)).toEqual(["102"]);
  });

  it("GIVEN another shop's variant WHEN marked or unmarked from this shop THEN 404 and nothing changes there", async () => {
    await prisma.unshippedVariant.create({ data: { shop: OTHER, shopifyVariantId: "901" } });
    for (const intent of ["not_shipped", "ship_with_brilliant"]) {
      const response = await callRoute(indexAction, await post(BASE, { intent, shopifyVariantId: ["901"] }));
      expect(response.status).toBe(404);
    }
    expect(await marked()).toEqual([]);
    expect(await marked(OTHER)).toEqual(["901"]);
  });

  it("GIVEN the variant's own page WHEN marked THEN the page says so, and mapping it ships it with Brilliant again", async () => {
    const params = { shopifyVariantId: "102" };
    const mark = await callRoute(variantAction, await post(`${BASE}/102`, { intent: "not_shipped" }), params);
    expect(mark.status).toBe(200);
    expect((await mark.json()).notice).toMatch(/marked not shipped by Brilliant/);
    const page = await (await callRoute(variantLoader, await get(`${BASE}/102`), params)).json();
    expect(page.notShipped).toBe(true);

    const mapped = await callRoute(
      variantAction,
      await post(`${BASE}/102`, { brilliantVariantId: "73002" }),
      params,
    );
    expect(mapped.status).toBe(302);
    expect(await marked()).toEqual([]);

    const other = await callRoute(variantAction, await post(`${BASE}/901`, { intent: "not_shipped" }), {
      shopifyVariantId: "901",
    });
    expect(other.status).toBe(404);
    expect(await marked(OTHER)).toEqual([]);
  });
});

describe("the mapping CSV's not_shipped_by_brilliant column", () => {
  const exported = async () => (await callRoute(exportLoader, await get(`${BASE}/export`))).text();
  const importCsv = async (intent: "preview" | "apply", csv: string) => {
    const response = await callRoute(importAction, await post(`${BASE}/import`, { intent, csv }));
    return (await response.json()) as {
      report: {
        counts: Record<string, number>;
        rows: { line: number; status: string; note: string | null }[];
      };
      saved?: number;
    };
  };

  it("GIVEN marked variants, mapped or not WHEN exported THEN they say yes, and the unedited file imports back with no error and no change", async () => {
    await prisma.unshippedVariant.createMany({
      data: [
        { shop: SHOP, shopifyVariantId: "101" },
        { shop: SHOP, shopifyVariantId: "103" },
      ],
    });
    const csv = await exported();
    expect(csv.trim().split("\n")).toEqual([
      "shopify_variant_id,sku,brilliant_variant_id,not_shipped_by_brilliant,shopify_product,shopify_variant,brilliant_variant",
      "103,SKU-103,73002,yes,Tee,,Classic Tee",
      "101,SKU-101,,yes,Apron,,",
      "102,SKU-102,,,Candle,,",
    ]);
    const { report } = await importCsv("preview", csv);
    expect(report.counts).toMatchObject({ error: 0, new: 0, change: 0, unchanged: 2, skipped: 1 });
  });

  it("GIVEN yes, empty and a wrong value WHEN imported THEN yes marks, empty ships with Brilliant again, the wrong value is refused; a file without the column leaves marks alone", async () => {
    await prisma.unshippedVariant.create({ data: { shop: SHOP, shopifyVariantId: "101" } });
    const csv = [
      "shopify_variant_id,sku,brilliant_variant_id,not_shipped_by_brilliant",
      "101,SKU-101,,",
      "102,SKU-102,,yes",
      "103,SKU-103,73002,maybe",
    ].join("\n");
    const preview = await importCsv("preview", csv);
    expect(preview.report.rows.map((row) => [row.line, row.status, row.note])).toEqual([
      [4, "error", 'not_shipped_by_brilliant must be "yes" or empty.'],
      [2, "change", "Shipped by Brilliant again."],
      [3, "change", "Not shipped by Brilliant from now on."],
    ]);
    expect(await marked()).toEqual(["101"]);

    const applied = await importCsv("apply", csv);
    expect(applied.saved).toBe(2);
    expect(await marked()).toEqual(["102"]);

    await importCsv("apply", "shopify_variant_id,sku,brilliant_variant_id\n102,SKU-102,73002\n");
    expect(await marked()).toEqual(["102"]);
  });
});
