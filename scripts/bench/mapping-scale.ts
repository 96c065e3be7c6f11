/**
 * `npm run bench -- --only mapping`: variant mapping at scale (issue 4, item 7).
 *
 * One shop with 50,000 Shopify variants and a Brilliant catalog of 10,000
 * variants (plus a second shop, so every query has to filter), seeded in bulk
 * through better-sqlite3. Then, through the app's real model functions in a
 * child process bound to that database:
 *
 * - auto-match, for every rule (SKU equal to the Brilliant variant id, SKU
 *   prefix, SKU suffix, barcode): the review the merchant sees
 *   (`reviewAutoMatches`: every proposal, grouped, the first of each group
 *   named) and saving every new and replacing proposal
 *   (`applyAutoMatchReview`), each ≤ 2 s;
 * - the mapping page (`listMappingPage`) for every filter (all, unmapped,
 *   mapped, mapped to inactive, low stock) and for searches: the first page,
 *   and a deep page (90% of the way in) forward and backward, p50/p95 over
 *   repeated runs, each p95 ≤ 100 ms.
 */
import { fileURLToPath } from "node:url";
import { CpuWindow } from "./proc-stats";
import {
  count,
  cpuText,
  fmtMs,
  mark,
  openSqlite,
  printResultTable,
  runAsMeasuringChild,
  runScalePhase,
  seededRandom,
  sqliteDate,
  stopwatch,
  timeRuns,
  timingOf,
  timingText,
  type ResultRow,
  type ScalePhaseContext,
  type ScalePhaseRun,
  type SqliteDatabase,
  type Timing,
} from "./scale-common";

const MODULE = fileURLToPath(import.meta.url);

export const MAPPING_TARGETS = { autoMatchMs: 2_000, pageP95Ms: 100 };

const SHOP = "scale-mapping.myshopify.com";
const OTHER_SHOP = "scale-mapping-other.myshopify.com";

export interface Sizes {
  shopifyVariants: number;
  brilliantVariants: number;
  otherShopVariants: number;
  /** Timed runs per page query. */
  pageRuns: number;
  /** Timed runs of each auto-match review and save. */
  autoMatchRuns: number;
}

export function sizesFor(quick: boolean): Sizes {
  return quick
    ? {
        shopifyVariants: 5_000,
        brilliantVariants: 1_000,
        otherShopVariants: 500,
        pageRuns: 5,
        autoMatchRuns: 2,
      }
    : {
        shopifyVariants: 50_000,
        brilliantVariants: 10_000,
        otherShopVariants: 5_000,
        pageRuns: 20,
        autoMatchRuns: 3,
      };
}

// ------------------------------------------------------------------ seeding

const ADJECTIVES = ["Classic", "Vintage", "Organic", "Premium", "Everyday", "Summit", "Coastal", "Studio"];
const NOUNS = ["Tee", "Hoodie", "Mug", "Tote", "Cap", "Bottle", "Notebook", "Sticker", "Beanie", "Socks"];
const SIZES = ["XS", "S", "M", "L", "XL"];
const COLORS = ["Black", "White", "Navy", "Sand", "Forest"];

/** Brilliant variant id number i: 80000, 80001, … */
const brilliantId = (i: number) => String(80_000 + i);

/**
 * The Shopify variants of a shop, each made for one rule: 40% have the
 * Brilliant variant id as SKU, 20% "BRL-<id>" (prefix rule), 15% "<id>-US"
 * (suffix rule), 15% the id as barcode, 10% match nothing. 2% are deleted.
 */
function seedShop(
  db: SqliteDatabase,
  shop: string,
  shopifyCount: number,
  brilliantCount: number,
  seed: number,
) {
  const random = seededRandom(seed);
  const now = sqliteDate(new Date());
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const shopKey = shop.split(".")[0]!;

  db.prepare(
    `INSERT INTO "ShopSettings" ("shop", "statusWebhookToken", "lowStockThreshold", "updatedAt")
     VALUES (?, ?, 5, ?)`,
  ).run(shop, `scale-token-${shopKey}`, now);

  const insertBrilliant = db.prepare(
    `INSERT INTO "BrilliantVariant" ("id", "shop", "brilliantVariantId", "productId", "productName", "size",
       "color", "imageUrl", "inventoryCount", "inventoryRequired", "productInactive", "removedAt", "syncedAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < brilliantCount; i++) {
    const product = Math.floor(i / 5);
    // Per product: 3% inactive; per variant: 1% removed, 6% low (0–5, required), 10% untracked.
    const inactive = product % 33 === 7;
    const roll = random();
    const low = roll < 0.06;
    const stock = low ? Math.floor(random() * 6) : roll < 0.16 ? -1 : 10 + Math.floor(random() * 500);
    insertBrilliant.run(
      `bv-${shopKey}-${i}`,
      shop,
      brilliantId(i),
      `bp-${product}`,
      `${ADJECTIVES[product % ADJECTIVES.length]} ${NOUNS[product % NOUNS.length]} ${product}`,
      SIZES[i % SIZES.length],
      pick(COLORS),
      `https://cdn.brilliant.invalid/${product}.png`,
      stock,
      low ? 1 : 0,
      inactive ? 1 : 0,
      random() < 0.01 ? now : null,
      now,
    );
  }

  const insertShopify = db.prepare(
    `INSERT INTO "ShopifyVariant" ("id", "shop", "shopifyVariantId", "shopifyProductId", "productTitle",
       "variantTitle", "sku", "barcode", "imageUrl", "deletedAt", "syncedAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let product = 0;
  let left = 0;
  let title = "";
  for (let i = 0; i < shopifyCount; i++) {
    if (left === 0) {
      product += 1;
      left = 1 + Math.floor(random() * 6);
      title = `${pick(ADJECTIVES)} ${pick(NOUNS)} ${String(Math.floor(random() * 100_000)).padStart(5, "0")}`;
    }
    left -= 1;
    const target = brilliantId(Math.floor(random() * brilliantCount));
    const kind = random();
    let sku: string | null;
    let barcode: string | null = null;
    if (kind < 0.4) sku = target;
    else if (kind < 0.6) sku = `BRL-${target}`;
    else if (kind < 0.75) sku = `${target}-US`;
    else if (kind < 0.9) {
      sku = `EAN-${i}`;
      barcode = target;
    } else sku = random() < 0.5 ? `LOCAL-${i}` : null;
    insertShopify.run(
      `sv-${shopKey}-${i}`,
      shop,
      String(45_000_000_000 + i),
      String(9_000_000_000 + product),
      title,
      `${pick(SIZES)} / ${pick(COLORS)}`,
      sku,
      barcode,
      null,
      random() < 0.02 ? now : null,
      now,
    );
  }
}

/**
 * Mappings the shop already has: 1,000 made by hand and 2,000 from a CSV,
 * each to another Brilliant variant than its SKU names, so the SKU rule's
 * review has conflicts with manual mappings and auto mappings to replace.
 */
function seedExistingMappings(
  db: SqliteDatabase,
  shop: string,
  brilliantCount: number,
  manual: number,
  csv: number,
) {
  const now = sqliteDate(new Date());
  const variants = db
    .prepare(
      `SELECT "shopifyVariantId", "shopifyProductId", "sku" FROM "ShopifyVariant"
       WHERE "shop" = ? AND "deletedAt" IS NULL AND "sku" GLOB '[0-9]*' AND "sku" NOT GLOB '*[^0-9]*'
       ORDER BY "shopifyVariantId" LIMIT ?`,
    )
    .all(shop, manual + csv) as Array<{ shopifyVariantId: string; shopifyProductId: string; sku: string }>;
  const insert = db.prepare(
    `INSERT INTO "VariantMapping" ("id", "shop", "shopifyVariantId", "shopifyProductId", "sku",
       "brilliantVariantId", "source", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  variants.forEach((variant, index) => {
    const other = brilliantId((Number(variant.sku) - 80_000 + 1) % brilliantCount);
    insert.run(
      `vm-seed-${index}`,
      shop,
      variant.shopifyVariantId,
      variant.shopifyProductId,
      variant.sku,
      other,
      index < manual ? "manual" : "csv",
      now,
      now,
    );
  });
}

export function seedMappingScale(dbFile: string, sizes: Sizes): void {
  const db = openSqlite(dbFile);
  try {
    db.transaction(() => {
      seedShop(db, SHOP, sizes.shopifyVariants, sizes.brilliantVariants, 1);
      seedShop(db, OTHER_SHOP, sizes.otherShopVariants, Math.ceil(sizes.brilliantVariants / 5), 2);
      seedExistingMappings(
        db,
        SHOP,
        sizes.brilliantVariants,
        Math.round(sizes.shopifyVariants / 50),
        Math.round(sizes.shopifyVariants / 25),
      );
    })();
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------ measuring (the child)

interface AutoMatchResult {
  rule: string;
  proposals: number;
  counts: Record<string, number>;
  review: Timing;
  save: Timing;
  saved: number;
}

interface PageQueryResult {
  query: string;
  rows: number;
  timing: Timing;
}

interface Measured {
  autoMatch: AutoMatchResult[];
  pages: PageQueryResult[];
  totals: Record<string, number>;
  cpu: { autoMatch: Record<string, number>; pages: Record<string, number> };
}

const RULES = [
  { label: "SKU = Brilliant id", rule: { kind: "sku_equals_id" } },
  { label: "SKU prefix BRL-", rule: { kind: "sku_prefix", prefix: "BRL-" } },
  { label: "SKU suffix -US", rule: { kind: "sku_suffix", suffix: "-US" } },
  { label: "barcode = Brilliant id", rule: { kind: "barcode_equals_id" } },
] as const;

async function measure(dbFile: string, sizes: Sizes): Promise<Measured> {
  const { reviewAutoMatches, applyAutoMatchReview, listMappingPage } =
    await import("../../app/catalog/mapping-page.server");
  const { default: prisma } = await import("../../app/db.server");
  const db = openSqlite(dbFile);

  // Each save is timed from the same starting point: the mappings as they
  // were before that rule's first save (the last save is kept, so the next
  // rule starts where a merchant would).
  const snapshot = () => {
    db.exec(`DROP TABLE IF EXISTS "bench_mapping_snapshot"`);
    db.exec(`CREATE TABLE "bench_mapping_snapshot" AS SELECT * FROM "VariantMapping"`);
  };
  const restore = () => {
    db.transaction(() => {
      db.exec(`DELETE FROM "VariantMapping"`);
      db.exec(`INSERT INTO "VariantMapping" SELECT * FROM "bench_mapping_snapshot"`);
    })();
  };

  const autoMatch: AutoMatchResult[] = [];
  const autoWindow = new CpuWindow({ "mapping bench": process.pid });
  for (const { label, rule } of RULES) {
    const review = await timeRuns(() => reviewAutoMatches(SHOP, rule), sizes.autoMatchRuns, 1);
    const reviewed = review.last as Awaited<ReturnType<typeof reviewAutoMatches>>;
    snapshot();
    const samples: number[] = [];
    const cpuSamples: number[] = [];
    let saved = 0;
    for (let run = 0; run < sizes.autoMatchRuns; run++) {
      if (run > 0) restore();
      const stop = stopwatch();
      const result = await applyAutoMatchReview(SHOP, rule, {
        shopifyVariantIds: [],
        wholeGroups: ["new", "replaces_auto"],
      });
      const { wallMs, cpuMs } = stop();
      samples.push(wallMs);
      cpuSamples.push(cpuMs);
      saved = result.saved;
    }
    autoMatch.push({
      rule: label,
      proposals: Object.values(reviewed.counts).reduce((sum, n) => sum + n, 0),
      counts: reviewed.counts,
      review: review.timing,
      save: timingOf(samples, cpuSamples),
      saved,
    });
  }
  const autoCpu = autoWindow.close();
  db.exec(`DROP TABLE IF EXISTS "bench_mapping_snapshot"`);

  const pages: PageQueryResult[] = [];
  const totals: Record<string, number> = {};
  const pageWindow = new CpuWindow({ "mapping bench": process.pid });
  type Options = NonNullable<Parameters<typeof listMappingPage>[1]>;
  const timePage = async (query: string, options: Options) => {
    const { timing, last } = await timeRuns(() => listMappingPage(SHOP, options), sizes.pageRuns, 2);
    pages.push({ query, rows: (last as { rows: unknown[] }).rows.length, timing });
  };
  /** Walks every page (250 a time) and returns the cursor 90% of the way in, and the row count. */
  const deepCursor = async (options: Options) => {
    const cursors: string[] = [];
    let rows = 0;
    let cursor: string | null = null;
    for (;;) {
      const page = await listMappingPage(SHOP, { ...options, cursor, limit: 250 });
      rows += page.rows.length;
      if (!page.nextCursor) break;
      cursors.push(page.nextCursor);
      cursor = page.nextCursor;
    }
    return { rows, cursor: cursors[Math.floor(cursors.length * 0.9)] ?? null };
  };

  const FILTERS = [
    ["all", "all"],
    ["unmapped", "unmapped"],
    ["mapped", "mapped"],
    ["inactive", "mapped to inactive"],
    ["low_stock", "low stock"],
  ] as const;
  const listings: Array<{ label: string; options: Options }> = [
    ...FILTERS.map(([filter, label]) => ({ label: `filter ${label}`, options: { filter } })),
    { label: `search "tee" (many)`, options: { search: "tee" } },
    { label: `search "tee", unmapped`, options: { search: "tee", filter: "unmapped" as const } },
    { label: `search SKU "BRL-8012" (few)`, options: { search: "BRL-8012" } },
    { label: `search "no-such-thing" (none)`, options: { search: "no-such-thing" } },
  ];
  for (const { label, options } of listings) {
    const deep = await deepCursor(options);
    totals[label] = deep.rows;
    await timePage(`${label}: first page`, options);
    if (deep.cursor) {
      await timePage(`${label}: deep page forward`, { ...options, cursor: deep.cursor });
      await timePage(`${label}: deep page backward`, { ...options, before: deep.cursor });
    }
  }
  const pageCpu = pageWindow.close();

  db.close();
  await prisma.$disconnect();
  return { autoMatch, pages, totals, cpu: { autoMatch: autoCpu, pages: pageCpu } };
}

// ------------------------------------------------------------------ the phase (orchestrator)

export interface MappingScaleResults extends ScalePhaseRun<Sizes, Measured> {
  targets: typeof MAPPING_TARGETS;
}

export async function mappingScalePhase(ctx: ScalePhaseContext): Promise<MappingScaleResults> {
  const sizes = sizesFor(ctx.quick);
  ctx.say(
    `\n[mapping] ${count(sizes.shopifyVariants)} Shopify variants × ${count(sizes.brilliantVariants)} Brilliant variants: auto-match and the mapping page`,
  );
  const run = await runScalePhase<typeof sizes, Measured>(ctx, {
    name: "mapping",
    module: MODULE,
    sizes,
    seed: seedMappingScale,
  });
  const results = { ...run, targets: MAPPING_TARGETS };
  printMappingScale(ctx, results);
  return results;
}

function printMappingScale(ctx: ScalePhaseContext, results: MappingScaleResults): void {
  const { measured } = results;
  const rows: ResultRow[] = [];
  const target = MAPPING_TARGETS;
  for (const rule of measured.autoMatch) {
    const counts = rule.counts;
    rows.push([
      `Auto-match review, ${rule.rule}`,
      `${timingText(rule.review)}; ${count(rule.proposals)} proposals (${count(counts.new ?? 0)} new, ${count(counts.replaces_auto ?? 0)} replace auto, ${count(counts.conflicts_manual ?? 0)} manual kept, ${count(counts.unchanged ?? 0)} unchanged)`,
      `≤ ${fmtMs(target.autoMatchMs)}`,
      mark(rule.review.max <= target.autoMatchMs),
    ]);
    rows.push([
      `Auto-match save, ${rule.rule}`,
      `${timingText(rule.save)}; ${count(rule.saved)} mappings saved`,
      `≤ ${fmtMs(target.autoMatchMs)}`,
      mark(rule.save.max <= target.autoMatchMs),
    ]);
  }
  for (const page of measured.pages) {
    rows.push([
      `Mapping page, ${page.query}`,
      `${timingText(page.timing)}; ${page.rows} rows`,
      `p95 ≤ ${fmtMs(target.pageP95Ms)}`,
      mark(page.timing.p95 <= target.pageP95Ms),
    ]);
  }
  printResultTable(ctx.say, "Results: mapping at scale (auto-match: every run within the target)", rows);
  ctx.say(
    `  rows per listing: ${Object.entries(measured.totals)
      .map(([label, n]) => `${label} ${count(n)}`)
      .join("; ")}`,
  );
  ctx.say(
    `  CPU, auto-match: ${cpuText(measured.cpu.autoMatch)}; mapping page: ${cpuText(measured.cpu.pages)}`,
  );
  ctx.say(`  load average before ${results.loadAverageBefore}, after ${results.loadAverageAfter}`);
}

// ------------------------------------------------------------------ child entry

runAsMeasuringChild(MODULE, measure);
