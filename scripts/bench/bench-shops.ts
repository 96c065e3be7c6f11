/**
 * The bench's shops, installed as OAuth leaves them, each with the
 * simulator's Brilliant credentials and the benchmark variant mapped, in the
 * database DATABASE_URL names. Import only after DATABASE_URL and the app's
 * environment are set: the app's modules read them when first imported.
 *
 * Also a script (`node --import tsx scripts/bench/bench-shops.ts`, the shops
 * in BENCH_SHOPS, comma separated): the scale-out phase seeds its PostgreSQL
 * template from a child process, as the bench's own process holds the
 * SQLite client.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { seedShop } from "../lib/seed-shop";
import { BENCH_BRILLIANT_VARIANT_ID, BENCH_SHOPIFY_VARIANT_ID } from "./webhook-bodies";

export async function seedBenchShops(shops: readonly string[]): Promise<void> {
  const { saveMappings } = await import("../../app/catalog/mapping.server");
  const { SIM_API_KEY, SIM_API_SECRET } = await import("../../simulator/server");
  for (const shop of shops) {
    await seedShop({
      shop,
      brilliantApiKey: SIM_API_KEY,
      brilliantApiSecret: SIM_API_SECRET,
      scopes: "read_orders,read_products",
    });
    await saveMappings(
      shop,
      [
        {
          shopifyVariantId: BENCH_SHOPIFY_VARIANT_ID,
          sku: BENCH_BRILLIANT_VARIANT_ID,
          brilliantVariantId: BENCH_BRILLIANT_VARIANT_ID,
        },
      ],
      "auto",
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const shops = (process.env.BENCH_SHOPS ?? "").split(",").filter(Boolean);
  if (shops.length === 0) throw new Error("BENCH_SHOPS names no shop");
  await seedBenchShops(shops);
  const { default: prisma } = await import("../../app/db.server");
  await prisma.$disconnect();
}
