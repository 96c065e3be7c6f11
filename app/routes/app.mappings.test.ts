import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import prisma from "../db.server";
import { resetEnvCache } from "../env.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { orderInState } from "../../tests/helpers/admin-orders";
import { shopifyVariantFor } from "../../tests/helpers/forwarding";
import { startAdminGraphqlStandIn, type AdminGraphqlStandIn } from "../../shopify-stand-in/admin-graphql";
import { backgroundSyncsSettled } from "../catalog/shopify-variant-sync.server";
import { action as indexAction, loader as indexLoader } from "./app.mappings._index";
import { action as mapAction, loader as mapLoader } from "./app.mappings.$shopifyVariantId";
import { action as autoAction, loader as autoLoader } from "./app.mappings.auto-match";
import { loader as exportLoader } from "./app.mappings.export";
import { action as importAction } from "./app.mappings.import";

// GIVEN two installed shops with Shopify variants, a Brilliant catalog and
// mappings, WHEN the mapping pages load and save with a real session token,
// THEN each shop sees and changes only its own mappings, and held orders
// waiting for a mapping go out once it is made.

const SHOP = "mappings-a.myshopify.com";
const OTHER = "mappings-b.myshopify.com";
const BASE = "https://brilliant-sync.test/app/mappings";

const get = (shop: string, url: string) => adminRequest(url, { shop });
const post = (shop: string, url: string, body: Record<string, string | string[]>) =>
  adminRequest(url, { shop, method: "POST", body });

async function seedVariant(
  shop: string,
  id: number,
  fields: {
    product?: string;
    productId?: number;
    title?: string;
    sku?: string | null;
    barcode?: string | null;
  } = {},
) {
  await prisma.shopifyVariant.create({
    data: {
      shop,
      shopifyVariantId: String(id),
      shopifyProductId: String(fields.productId ?? 700),
      productTitle: fields.product ?? "Tee",
      variantTitle: fields.title ?? `Variant ${id}`,
      sku: fields.sku === undefined ? String(id) : fields.sku,
      barcode: fields.barcode ?? null,
      syncedAt: new Date(),
    },
  });
}

async function seedBrilliant(
  shop: string,
  id: number,
  fields: { name?: string; stock?: number; inactive?: boolean; required?: boolean; size?: string } = {},
) {
  await prisma.brilliantVariant.create({
    data: {
      shop,
      brilliantVariantId: String(id),
      productId: "1",
      productName: fields.name ?? `Brilliant ${id}`,
      size: fields.size ?? "M",
      color: "Black",
      imageUrl: `https://cdn.brilliant.test/${id}.png`,
      inventoryCount: fields.stock ?? 100,
      inventoryRequired: fields.required ?? true,
      productInactive: fields.inactive ?? false,
      syncedAt: new Date(),
    },
  });
}

async function seedMapping(
  shop: string,
  shopifyVariantId: number,
  brilliantVariantId: number,
  source = "manual",
) {
  await prisma.variantMapping.create({
    data: {
      shop,
      shopifyVariantId: String(shopifyVariantId),
      brilliantVariantId: String(brilliantVariantId),
      source,
    },
  });
}

function shopMappings(shop: string) {
  return prisma.variantMapping.findMany({ where: { shop }, orderBy: { shopifyVariantId: "asc" } });
}

beforeEach(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(SHOP);
  await seedAdminShop(OTHER);
});

describe("mappings list", () => {
  beforeEach(async () => {
    await seedBrilliant(SHOP, 73002, { name: "Classic Tee", stock: 100 });
    await seedBrilliant(SHOP, 73003, { name: "Mug", stock: 2 });
    await seedBrilliant(SHOP, 73031, { name: "Sticker", stock: -1 });
    await seedBrilliant(SHOP, 73051, { name: "Old Hat", inactive: true });
    await seedVariant(SHOP, 101, { product: "Alpha", productId: 1 });
    await seedVariant(SHOP, 102, { product: "Alpha", productId: 1 });
    await seedVariant(SHOP, 103, { product: "Beta", productId: 2, sku: "MUG-1" });
    await seedVariant(SHOP, 104, { product: "Gamma", productId: 3 });
    await seedVariant(SHOP, 105, { product: "Delta", productId: 4 });
    await seedMapping(SHOP, 101, 73002);
    await seedMapping(SHOP, 103, 73003);
    await seedMapping(SHOP, 104, 73051);
    await seedMapping(SHOP, 105, 73031, "csv");
    await seedVariant(OTHER, 901, { product: "Alpha", productId: 9 });
  });

  it("shows each variant with its Brilliant variant's name, options, image and stock", async () => {
    const response = await callRoute(indexLoader, await get(SHOP, BASE));
    expect(response.status).toBe(200);
    const { rows } = await response.json();
    expect(rows.map((row: { shopifyVariantId: string }) => row.shopifyVariantId)).toEqual([
      "101",
      "102",
      "103",
      "105",
      "104",
    ]);
    expect(rows[0].mapping).toMatchObject({
      brilliantVariantId: "73002",
      brilliant: {
        productName: "Classic Tee",
        options: "M / Black",
        imageUrl: "https://cdn.brilliant.test/73002.png",
        stock: 100,
        inactive: false,
      },
    });
    expect(rows[1].mapping).toBeNull();
    expect(
      rows.find((row: { shopifyVariantId: string }) => row.shopifyVariantId === "105").mapping.brilliant
        .stock,
    ).toBeNull();
  });

  it.each([
    ["unmapped", ["102"]],
    ["mapped", ["101", "103", "105", "104"]],
    ["inactive", ["104"]],
    ["low_stock", ["103"]],
  ])("filters %s", async (filter, expected) => {
    const { rows } = await (await callRoute(indexLoader, await get(SHOP, `${BASE}?filter=${filter}`))).json();
    expect(rows.map((row: { shopifyVariantId: string }) => row.shopifyVariantId)).toEqual(expected);
  });

  it("searches by SKU and title", async () => {
    const bySku = await (await callRoute(indexLoader, await get(SHOP, `${BASE}?q=mug-1`))).json();
    expect(bySku.rows.map((row: { shopifyVariantId: string }) => row.shopifyVariantId)).toEqual(["103"]);
    const byTitle = await (await callRoute(indexLoader, await get(SHOP, `${BASE}?q=gamm`))).json();
    expect(byTitle.rows.map((row: { shopifyVariantId: string }) => row.shopifyVariantId)).toEqual(["104"]);
  });

  it("pages with a keyset cursor, for every filter", async () => {
    for (let id = 200; id < 260; id++) await seedVariant(SHOP, id, { product: "Zeta", productId: 5 });
    const first = await (await callRoute(indexLoader, await get(SHOP, BASE))).json();
    expect(first.rows).toHaveLength(50);
    const second = await (
      await callRoute(indexLoader, await get(SHOP, `${BASE}?cursor=${encodeURIComponent(first.nextCursor)}`))
    ).json();
    expect(second.rows).toHaveLength(15);
    expect(second.nextCursor).toBeNull();
    const seen = new Set(
      [...first.rows, ...second.rows].map((row: { shopifyVariantId: string }) => row.shopifyVariantId),
    );
    expect(seen.size).toBe(65);
    expect(first.previousCursor).toBeNull();

    // Back from the second page: the first page again, with no page before it.
    const back = await (
      await callRoute(
        indexLoader,
        await get(SHOP, `${BASE}?before=${encodeURIComponent(second.previousCursor)}`),
      )
    ).json();
    const ids = (page: { rows: { shopifyVariantId: string }[] }) =>
      page.rows.map((row) => row.shopifyVariantId);
    expect(ids(back)).toEqual(ids(first));
    expect(back.previousCursor).toBeNull();
    expect(back.nextCursor).toBe(first.nextCursor);
  });

  it("pages backward from deep in a filter, page by page, to the first", async () => {
    for (let id = 300; id < 420; id++) await seedVariant(SHOP, id, { product: "Omega", productId: 6 });
    const forward: string[][] = [];
    let cursor: string | null = null;
    let last: { rows: { shopifyVariantId: string }[]; previousCursor: string | null } | null = null;
    do {
      const query: string = `filter=unmapped${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await (await callRoute(indexLoader, await get(SHOP, `${BASE}?${query}`))).json();
      forward.push(page.rows.map((row: { shopifyVariantId: string }) => row.shopifyVariantId));
      cursor = page.nextCursor;
      last = page;
    } while (cursor);
    expect(forward.length).toBeGreaterThanOrEqual(3);
    const backward: string[][] = [];
    let before = last!.previousCursor;
    while (before) {
      const page = await (
        await callRoute(
          indexLoader,
          await get(SHOP, `${BASE}?filter=unmapped&before=${encodeURIComponent(before)}`),
        )
      ).json();
      backward.unshift(page.rows.map((row: { shopifyVariantId: string }) => row.shopifyVariantId));
      before = page.previousCursor;
    }
    expect(backward).toEqual(forward.slice(0, -1));
  });

  it("answers 400 for a forged cursor", async () => {
    const response = await callRoute(indexLoader, await get(SHOP, `${BASE}?filter=inactive&cursor=garbage`));
    expect(response.status).toBe(400);
  });

  it("shows the page for navigation parameters it never makes, and 400 for an over-long cursor", async () => {
    const odd = `${BASE}?released=abc&mapped=${"x".repeat(50)}&q=${"tee ".repeat(80)}&filter=nope`;
    const response = await callRoute(indexLoader, await get(SHOP, odd));
    expect(response.status).toBe(200);
    expect((await response.json()).query).toEqual({ q: "", filter: "all" });
    const long = await callRoute(indexLoader, await get(SHOP, `${BASE}?cursor=${"a".repeat(3000)}`));
    expect(long.status).toBe(400);
  });

  it("never lists another shop's variants", async () => {
    const { rows } = await (await callRoute(indexLoader, await get(OTHER, BASE))).json();
    expect(rows.map((row: { shopifyVariantId: string }) => row.shopifyVariantId)).toEqual(["901"]);
  });

  it("unmaps a variant of the shop", async () => {
    const response = await callRoute(
      indexAction,
      await post(SHOP, BASE, { intent: "unmap", shopifyVariantId: "101" }),
    );
    expect(response.status).toBe(200);
    expect(await prisma.variantMapping.count({ where: { shop: SHOP, shopifyVariantId: "101" } })).toBe(0);
  });

  it("cannot unmap another shop's variant: 404, the mapping stays", async () => {
    await seedMapping(OTHER, 901, 73002);
    const response = await callRoute(
      indexAction,
      await post(SHOP, BASE, { intent: "unmap", shopifyVariantId: "901" }),
    );
    expect(response.status).toBe(404);
    expect(await prisma.variantMapping.count({ where: { shop: OTHER, shopifyVariantId: "901" } })).toBe(1);
  });
});

describe("mapping one variant (the picker)", () => {
  beforeEach(async () => {
    await seedBrilliant(SHOP, 73002, { name: "Classic Tee" });
    await seedBrilliant(SHOP, 73003, { name: "Mug", stock: 0 });
    await seedBrilliant(SHOP, 73051, { name: "Old Hat", inactive: true });
    await seedBrilliant(OTHER, 88001, { name: "Their Tee" });
    await seedVariant(SHOP, shopifyVariantFor(73002), { product: "Tee", sku: "73002" });
    await seedVariant(OTHER, 901);
  });

  it("lists Brilliant variants of the shop's catalog, searchable, with stock and inactive flags", async () => {
    const id = String(shopifyVariantFor(73002));
    const all = await (
      await callRoute(mapLoader, await get(SHOP, `${BASE}/${id}`), { shopifyVariantId: id })
    ).json();
    expect(all.candidates.map((c: { brilliantVariantId: string }) => c.brilliantVariantId)).toEqual([
      "73002",
      "73003",
      "73051",
    ]);
    expect(all.candidates[2]).toMatchObject({ productName: "Old Hat", inactive: true });
    const searched = await (
      await callRoute(mapLoader, await get(SHOP, `${BASE}/${id}?q=mUG`), { shopifyVariantId: id })
    ).json();
    expect(searched.candidates).toEqual([expect.objectContaining({ brilliantVariantId: "73003", stock: 0 })]);
  });

  it("maps the variant, releases the order held for it, and says how many went out", async () => {
    const orderId = await orderInState(SHOP, "held", { holdKind: "mapping", code: 2502 });
    const id = String(shopifyVariantFor(73002));
    const response = await callRoute(
      mapAction,
      await post(SHOP, `${BASE}/${id}`, { brilliantVariantId: "73002" }),
      {
        shopifyVariantId: id,
      },
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("/app/mappings?released=1");
    expect(
      await prisma.variantMapping.findFirst({ where: { shop: SHOP, shopifyVariantId: id } }),
    ).toMatchObject({
      brilliantVariantId: "73002",
      source: "manual",
    });
    expect((await prisma.order.findUniqueOrThrow({ where: { id: orderId } })).state).toBe("ready");
  });

  it("refuses a Brilliant variant that is not in the shop's catalog (422), writing nothing", async () => {
    const id = String(shopifyVariantFor(73002));
    const response = await callRoute(
      mapAction,
      await post(SHOP, `${BASE}/${id}`, { brilliantVariantId: "88001" }),
      {
        shopifyVariantId: id,
      },
    );
    expect(response.status).toBe(422);
    expect(await prisma.variantMapping.count()).toBe(0);
  });

  it("cannot open or map another shop's variant: 404", async () => {
    const page = await callRoute(mapLoader, await get(SHOP, `${BASE}/901`), { shopifyVariantId: "901" });
    expect(page.status).toBe(404);
    const mapped = await callRoute(
      mapAction,
      await post(SHOP, `${BASE}/901`, { brilliantVariantId: "73002" }),
      {
        shopifyVariantId: "901",
      },
    );
    expect(mapped.status).toBe(404);
    expect(await prisma.variantMapping.count()).toBe(0);
  });
});

describe("auto-match review", () => {
  beforeEach(async () => {
    for (const id of [73002, 73003, 73013]) await seedBrilliant(SHOP, id);
    await seedVariant(SHOP, 1, { sku: "BR-73002" });
    await seedVariant(SHOP, 2, { sku: "BR-73003" });
    await seedVariant(SHOP, 3, { sku: "BR-73013" });
    await seedVariant(SHOP, 4, { sku: "OTHER" });
    await seedMapping(SHOP, 2, 73013, "auto"); // replaced by the rule
    await seedMapping(SHOP, 3, 73002, "manual"); // conflicts with the rule
    await seedBrilliant(OTHER, 73002);
    await seedVariant(OTHER, 1, { sku: "BR-73002" });
  });

  it("groups the proposals: new, replaces auto, conflicts with a manual mapping", async () => {
    const response = await callRoute(
      autoLoader,
      await get(SHOP, `${BASE}/auto-match?rule=sku_prefix&value=BR-`),
    );
    expect(response.status).toBe(200);
    const { review } = await response.json();
    expect(review.counts).toEqual({ new: 1, replaces_auto: 1, conflicts_manual: 1, unchanged: 0 });
    expect(review.groups.new[0]).toMatchObject({ shopifyVariantId: "1", brilliantVariantId: "73002" });
    expect(review.groups.conflicts_manual[0]).toMatchObject({
      shopifyVariantId: "3",
      currentBrilliantVariantId: "73002",
    });
  });

  it("asks for the prefix on its field (422)", async () => {
    const response = await callRoute(
      autoLoader,
      await get(SHOP, `${BASE}/auto-match?rule=sku_prefix&value=`),
    );
    expect(response.status).toBe(422);
    expect((await response.json()).errors.value).toMatch(/prefix/);
  });

  it("saves only the ticked proposals and keeps the manual mapping when it was not ticked", async () => {
    const response = await callRoute(
      autoAction,
      await post(SHOP, `${BASE}/auto-match`, { rule: "sku_prefix", value: "BR-", accept: ["1", "2"] }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("saved=2");
    const mappings = await shopMappings(SHOP);
    expect(mappings.map((m) => [m.shopifyVariantId, m.brilliantVariantId, m.source])).toEqual([
      ["1", "73002", "auto"],
      ["2", "73003", "auto"],
      ["3", "73002", "manual"],
    ]);
    expect(await prisma.variantMapping.count({ where: { shop: OTHER } })).toBe(0);
  });

  it("replaces a manual mapping when the merchant ticked the conflict", async () => {
    await callRoute(
      autoAction,
      await post(SHOP, `${BASE}/auto-match`, { rule: "sku_prefix", value: "BR-", accept: ["3"] }),
    );
    expect(
      await prisma.variantMapping.findFirst({ where: { shop: SHOP, shopifyVariantId: "3" } }),
    ).toMatchObject({
      brilliantVariantId: "73013",
      source: "auto",
    });
  });

  it("accepts a whole group at once", async () => {
    await callRoute(
      autoAction,
      await post(SHOP, `${BASE}/auto-match`, { rule: "sku_prefix", value: "BR-", group: ["new"] }),
    );
    expect(await prisma.variantMapping.count({ where: { shop: SHOP, source: "auto" } })).toBe(2);
  });

  it("saves a whole group and a ticked conflict together, counting each mapping once", async () => {
    const response = await callRoute(
      autoAction,
      await post(SHOP, `${BASE}/auto-match`, {
        rule: "sku_prefix",
        value: "BR-",
        group: ["new", "replaces_auto"],
        accept: ["1", "3"],
      }),
    );
    expect(response.headers.get("Location")).toContain("saved=3");
    const mappings = await shopMappings(SHOP);
    expect(mappings.map((m) => [m.shopifyVariantId, m.brilliantVariantId, m.source])).toEqual([
      ["1", "73002", "auto"],
      ["2", "73003", "auto"],
      ["3", "73013", "auto"],
    ]);
    // Prisma reads back the rows written in SQL, dates included.
    expect(mappings.every((m) => m.createdAt instanceof Date && !Number.isNaN(m.updatedAt.getTime()))).toBe(
      true,
    );
  });

  it("keeps manual mappings when only the other groups are saved", async () => {
    await callRoute(
      autoAction,
      await post(SHOP, `${BASE}/auto-match`, {
        rule: "sku_prefix",
        value: "BR-",
        group: ["new", "replaces_auto"],
      }),
    );
    expect(
      await prisma.variantMapping.findFirst({ where: { shop: SHOP, shopifyVariantId: "3" } }),
    ).toMatchObject({ brilliantVariantId: "73002", source: "manual" });
  });

  it("releases an order held for a variant the saved auto-match maps", async () => {
    const orderId = await orderInState(SHOP, "held", { holdKind: "mapping", code: 2502 });
    await seedVariant(SHOP, shopifyVariantFor(73002), { sku: "BR-73002" });
    const response = await callRoute(
      autoAction,
      await post(SHOP, `${BASE}/auto-match`, { rule: "sku_prefix", value: "BR-", group: ["new"] }),
    );
    expect(response.headers.get("Location")).toContain("saved=2&released=1");
    expect((await prisma.order.findUniqueOrThrow({ where: { id: orderId } })).state).toBe("ready");
  });

  it("ids of another shop's variants change nothing there", async () => {
    await callRoute(
      autoAction,
      await post(OTHER, `${BASE}/auto-match`, { rule: "sku_prefix", value: "BR-", accept: ["2", "3"] }),
    );
    expect(
      await prisma.variantMapping.findFirst({ where: { shop: SHOP, shopifyVariantId: "3" } }),
    ).toMatchObject({
      brilliantVariantId: "73002",
      source: "manual",
    });
    expect(await prisma.variantMapping.count({ where: { shop: OTHER } })).toBe(0);
  });
});

describe("CSV export and import", () => {
  beforeEach(async () => {
    await seedBrilliant(SHOP, 73002);
    await seedBrilliant(SHOP, 73003);
    await seedVariant(SHOP, 1, { sku: "A" });
    await seedVariant(SHOP, 2, { sku: "B" });
    await seedMapping(SHOP, 1, 73002);
    await seedVariant(OTHER, 9, { sku: "THEIRS" });
    await seedMapping(OTHER, 9, 73002);
  });

  it("exports the shop's mappings as a CSV attachment", async () => {
    const response = await callRoute(exportLoader, await get(SHOP, `${BASE}/export`));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/csv");
    expect(response.headers.get("Content-Disposition")).toMatch(
      /^attachment; filename="brilliant-mappings-.*\.csv"$/,
    );
    const text = await response.text();
    // With the names to read it by: the product, the variant and the Brilliant variant.
    expect(text.trim().split("\n")).toEqual([
      "shopify_variant_id,sku,brilliant_variant_id,not_shipped_by_brilliant,shopify_product,shopify_variant,brilliant_variant",
      "1,A,73002,,Tee,Variant 1,Brilliant 73002 - M / Black",
      "2,B,,,Tee,Variant 2,",
    ]);
    expect(text).not.toContain("THEIRS");
  });

  const csv = "shopify_variant_id,sku,brilliant_variant_id\n1,A,73003\n2,B,73002\n9,THEIRS,73003\n3,,nope\n";

  it("previews an import without writing anything: counts and errors per line", async () => {
    const response = await callRoute(
      importAction,
      await post(SHOP, `${BASE}/import`, { intent: "preview", csv }),
    );
    expect(response.status).toBe(200);
    const { report } = await response.json();
    expect(report.counts).toMatchObject({ new: 1, change: 1, error: 2 });
    expect(report.rows[0]).toMatchObject({ line: 4, status: "error", shopifyVariantId: "9" });
    expect(
      await prisma.variantMapping.findFirst({ where: { shop: SHOP, shopifyVariantId: "1" } }),
    ).toMatchObject({
      brilliantVariantId: "73002",
    });
    expect(await prisma.variantMapping.count({ where: { shop: SHOP } })).toBe(1);
  });

  it("imports the valid rows only, never touching another shop's variant", async () => {
    const response = await callRoute(
      importAction,
      await post(SHOP, `${BASE}/import`, { intent: "apply", csv }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ step: "applied", saved: 2, released: 0 });
    const mine = await prisma.variantMapping.findMany({
      where: { shop: SHOP },
      orderBy: { shopifyVariantId: "asc" },
    });
    expect(mine.map((m) => [m.shopifyVariantId, m.brilliantVariantId])).toEqual([
      ["1", "73003"],
      ["2", "73002"],
    ]);
    expect(await prisma.variantMapping.findFirst({ where: { shop: OTHER } })).toMatchObject({
      shopifyVariantId: "9",
      brilliantVariantId: "73002",
    });
  });

  it("refuses a file without the header (422), writing nothing", async () => {
    const response = await callRoute(
      importAction,
      await post(SHOP, `${BASE}/import`, { intent: "apply", csv: "1,A,73003\n" }),
    );
    expect(response.status).toBe(422);
    expect((await response.json()).report.fileError).toMatch(/header/);
    expect(await prisma.variantMapping.count({ where: { shop: SHOP } })).toBe(1);
  });
});

describe("Sync Shopify products now", () => {
  let standIn: AdminGraphqlStandIn;
  beforeAll(async () => {
    standIn = await startAdminGraphqlStandIn({
      shops: {
        [SHOP]: {
          accessToken: `shpat_test_${SHOP.replace(/\W/g, "_")}`,
          products: [
            { id: 11, title: "Hoodie", variants: [{ id: 111, title: "S", sku: "73002", barcode: null }] },
          ],
        },
      },
      bucket: { maximumAvailable: 1000, restoreRate: 100_000 },
    });
    process.env.SHOPIFY_ADMIN_API_ORIGIN = standIn.origin;
    resetEnvCache();
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    resetEnvCache();
    await standIn.close();
  });

  it("reads the shop's variants through the Admin API in the background and shows the run", async () => {
    const response = await callRoute(indexAction, await post(SHOP, BASE, { intent: "sync_shopify" }));
    const body = await response.json();
    expect(body.ok).toBe(true);
    expect(body.message).toMatch(/in the background/);
    // The run exists before the request answered; a second click starts nothing new.
    expect(await prisma.syncRun.count({ where: { shop: SHOP, kind: "shopify_products" } })).toBe(1);
    await backgroundSyncsSettled();
    expect(await prisma.shopifyVariant.findMany({ where: { shop: SHOP } })).toEqual([
      expect.objectContaining({ shopifyVariantId: "111", productTitle: "Hoodie", sku: "73002" }),
    ]);
    const page = await (await callRoute(indexLoader, await get(SHOP, BASE))).json();
    expect(page.syncs.shopifyProducts).toMatchObject({ status: "succeeded", processed: 1, total: 1 });
    const theirs = await (await callRoute(indexLoader, await get(OTHER, BASE))).json();
    expect(theirs.syncs.shopifyProducts).toBeNull();
  });
});
