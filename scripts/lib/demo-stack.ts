/**
 * The pieces `npm run demo`, `npm run preview` and the end-to-end tests share:
 * the Brilliant simulator, the app's environment on a fresh SQLite database,
 * the real Remix build behind server.ts, the worker, the demo shop and its
 * signed orders/paid webhooks. Each caller composes them in its own order.
 * App modules are imported lazily: they read the environment on import.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import type { PrismaClient } from "@prisma/client";
import type { RunningSimulator } from "../../simulator/server";
import { deliverWebhook } from "../../shopify-stand-in/webhooks";
import { SCRIPTED_FAULTS } from "../demo/sample-orders";
import { appServerCommand, ensureAppBuild } from "./app-build";
import { run, startChild, waitForHttp, type Child } from "./processes";
import { seededAccessToken, seedShop } from "./seed-shop";
import type { AdminGraphqlStandIn, StandInProduct } from "../../shopify-stand-in/admin-graphql";

export const DEMO_SHOP = "brilliant-sync-demo.myshopify.com";
export const DEMO_API_KEY = "brilliant-sync-demo";
export const SETTLED_STATES = new Set(["forwarded", "held", "skipped", "cancelled"]);

export interface BrilliantEndpoint {
  url: string;
  key: string;
  secret: string;
  /** The simulator, when the demo runs its own. */
  simulator: RunningSimulator | null;
}

/** The Brilliant simulator on a free port, with the demo's scripted faults for #1005 and #1006. */
export async function startDemoSimulator(options: { scriptFaults: boolean }): Promise<BrilliantEndpoint> {
  const { startSimulator, SIM_API_KEY, SIM_API_SECRET } = await import("../../simulator/server");
  const simulator = await startSimulator({ port: 0 });
  if (options.scriptFaults) {
    for (const rule of SCRIPTED_FAULTS) {
      simulator.scriptFault({
        match: { endpoint: "POST /store/order", shopifyOrderName: rule.shopifyOrderName },
        fault: rule.fault,
        times: 1,
      });
    }
  }
  return { url: simulator.url, key: SIM_API_KEY, secret: SIM_API_SECRET, simulator };
}

/**
 * The app's environment for a local run on `port`: a fresh SQLite file in
 * `workdir`, a random API secret, short retry delays. `publicUrl` is the
 * app's URL as the browser sees it (the admin preview's proxy), when not the
 * app itself.
 */
export function demoAppEnv(input: {
  workdir: string;
  port: number;
  brilliantUrl: string;
  publicUrl?: string;
  overrides?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const appUrl = `http://127.0.0.1:${input.port}`;
  return {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(input.port),
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${resolve(input.workdir, "demo.sqlite")}`,
    SHOPIFY_API_KEY: DEMO_API_KEY,
    SHOPIFY_API_SECRET: `demo-secret-${randomBytes(8).toString("hex")}`,
    SHOPIFY_APP_URL: input.publicUrl ?? appUrl,
    CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    BRILLIANT_API_BASE_URL: input.brilliantUrl,
    BRILLIANT_TIMEOUT_MS: "5000",
    // A local run waits a minute at most: retries come after seconds, not minutes.
    RETRY_BASE_MS: "1000",
    RETRY_MAX_MS: "5000",
    WORKER_POLL_MS: "200",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    ...input.overrides,
  };
}

export async function migrateDatabase(env: NodeJS.ProcessEnv): Promise<void> {
  await run("npx", ["prisma", "migrate", "deploy"], env);
}

/** The real Remix build (built when stale) behind the production server; resolves once it answers. */
export async function startApp(input: {
  root: string;
  env: NodeJS.ProcessEnv;
  workdir: string;
  rebuild?: boolean;
  onBuild?: () => void;
}): Promise<Child> {
  const serverBuild = await ensureAppBuild({
    root: input.root,
    env: input.env,
    rebuild: input.rebuild,
    onBuild: input.onBuild,
  });
  const server = appServerCommand(input.root, serverBuild);
  const app = startChild("app", server.command, server.args, {
    env: input.env,
    logFile: resolve(input.workdir, "app.log"),
  });
  try {
    await waitForHttp(`http://127.0.0.1:${input.env.PORT}/`, 60_000, app);
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app;
}

export function startWorker(env: NodeJS.ProcessEnv, workdir: string): Child {
  // One process (node with tsx's loader), so SIGTERM reaches the worker itself.
  return startChild("worker", process.execPath, ["--import", "tsx", "app/worker/main.ts"], {
    env: { ...env, BRILLIANT_SYNC_SERVICE: "worker", CATALOG_SYNC_INTERVAL_MS: String(15 * 60_000) },
    logFile: resolve(workdir, "worker.log"),
  });
}

/** The demo shop as OAuth leaves it, with Brilliant credentials. */
export async function seedDemoShop(
  shop: string,
  brilliant: BrilliantEndpoint,
  scopes: string,
): Promise<void> {
  await seedShop({ shop, brilliantApiKey: brilliant.key, brilliantApiSecret: brilliant.secret, scopes });
}

/**
 * The shop's Shopify catalog for the Admin GraphQL stand-in: every product
 * and variant the orders name (with their titles and SKUs), and a product no
 * order names, so the synced catalog is the shop's, not the orders'.
 */
export function catalogFromOrders(orders: Record<string, unknown>[]): StandInProduct[] {
  const products = new Map<number, StandInProduct>();
  for (const order of orders) {
    const lines = (order.line_items as Record<string, unknown>[] | undefined) ?? [];
    for (const line of lines) {
      if (typeof line.variant_id !== "number" || typeof line.product_id !== "number") continue;
      const product = products.get(line.product_id) ?? {
        id: line.product_id,
        title: typeof line.title === "string" ? line.title : `Product ${line.product_id}`,
        variants: [],
      };
      if (!product.variants.some((variant) => variant.id === line.variant_id)) {
        product.variants.push({
          id: line.variant_id,
          title: typeof line.variant_title === "string" ? line.variant_title : "Default Title",
          sku: typeof line.sku === "string" && line.sku !== "" ? line.sku : null,
          barcode: null,
        });
      }
      products.set(product.id, product);
    }
  }
  products.set(8_199_999_999, {
    id: 8_199_999_999,
    title: "Gift Wrapping (not shipped by Brilliant)",
    variants: [{ id: 45_999_999_999, title: "Default Title", sku: "WRAP", barcode: null }],
  });
  return [...products.values()];
}

/** Shopify's Admin GraphQL API for the demo shop, played by the stand-in, with the orders' catalog. */
export async function startDemoShopifyAdmin(
  shop: string,
  orders: Record<string, unknown>[],
): Promise<AdminGraphqlStandIn> {
  const { startAdminGraphqlStandIn } = await import("../../shopify-stand-in/admin-graphql");
  return startAdminGraphqlStandIn({
    shops: { [shop]: { products: catalogFromOrders(orders), accessToken: seededAccessToken(shop) } },
  });
}

/** The app's environment entries that send its Admin API calls to the stand-in (the production build refuses them otherwise). */
export function shopifyAdminEnv(standIn: AdminGraphqlStandIn): Record<string, string> {
  return { SHOPIFY_ADMIN_API_ORIGIN: standIn.origin, SHOPIFY_ADMIN_API_ORIGIN_ALLOW_PRODUCTION: "1" };
}

export interface CatalogMapping {
  shopifyVariants: number;
  shopifyProducts: number;
  brilliantVariants: number;
  /** Live Shopify variants auto-match by SKU mapped, and those it left unmapped. */
  mapped: number;
  unmapped: number;
}

/**
 * What a merchant does first, through the app's own code: read the shop's
 * products through the Admin GraphQL API (the real variant sync, against the
 * stand-in), read the Brilliant catalog (GET /store), then auto-match by "SKU
 * equals the Brilliant variant id" from the synced catalogs and save every
 * proposal.
 */
export async function mapFromSyncedCatalogs(shop: string): Promise<CatalogMapping> {
  const { unauthenticated } = await import("../../app/shopify.server");
  const { syncShopifyVariants } = await import("../../app/catalog/shopify-variant-sync.server");
  const { syncBrilliantCatalogNow } = await import("../../app/models/brilliant-connection.server");
  const { applyAutoMatches } = await import("../../app/catalog/mapping.server");
  const { default: prisma } = await import("../../app/db.server");
  const { admin } = await unauthenticated.admin(shop);
  const shopify = await syncShopifyVariants(shop, admin.graphql);
  if (!shopify.ok) throw new Error(`Shopify products sync failed: ${shopify.summary}`);
  const catalog = await syncBrilliantCatalogNow(shop);
  if (!catalog.ok) throw new Error(`Brilliant catalog sync failed: ${catalog.reason}`);
  const { saved } = await applyAutoMatches(shop, { kind: "sku_equals_id" });
  // The catalog's own checks (low stock, inactive) look at mapped variants,
  // and nothing was mapped when it was first read: read it again now, as the
  // worker's next catalog round would, so their alerts are there from the start.
  const checked = await syncBrilliantCatalogNow(shop);
  if (!checked.ok) throw new Error(`Brilliant catalog sync failed: ${checked.reason}`);
  const live = await prisma.shopifyVariant.count({ where: { shop, deletedAt: null } });
  return {
    shopifyVariants: shopify.variants,
    shopifyProducts: shopify.products,
    brilliantVariants: catalog.variants,
    mapped: saved,
    unmapped: live - (await prisma.variantMapping.count({ where: { shop } })),
  };
}

/**
 * Shopify delivers each order as a signed orders/paid webhook; the first one
 * three times at once (webhooks are at-least-once). Returns the statuses.
 */
export async function deliverOrders(input: {
  appUrl: string;
  shop: string;
  apiSecret: string;
  orders: Record<string, unknown>[];
}): Promise<number[]> {
  const webhookUrl = `${input.appUrl}/webhooks/orders/paid`;
  const deliveries = input.orders.flatMap((body, index) => {
    const webhookId = `demo-${index}-${randomBytes(4).toString("hex")}`;
    const copies = index === 0 ? 3 : 1;
    return Array.from({ length: copies }, () =>
      deliverWebhook(webhookUrl, {
        topic: "orders/paid",
        shop: input.shop,
        body,
        secret: input.apiSecret,
        webhookId,
      }),
    );
  });
  return Promise.all(deliveries);
}

type OrderRows = Awaited<ReturnType<PrismaClient["order"]["findMany"]>>;

/** Polls until `expected` orders exist and every one is in a state `settled` accepts, or the deadline. */
export async function waitForOrders(input: {
  prisma: PrismaClient;
  shop: string;
  expected: number;
  deadline: number;
  settled?: (state: string) => boolean;
}): Promise<OrderRows> {
  const settled = input.settled ?? ((state: string) => SETTLED_STATES.has(state));
  const read = () => input.prisma.order.findMany({ where: { shop: input.shop }, orderBy: { name: "asc" } });
  let current = await read();
  while (
    Date.now() < input.deadline &&
    (current.length < input.expected || current.some((row) => !settled(row.state)))
  ) {
    await new Promise((r) => setTimeout(r, 250));
    current = await read();
  }
  return current;
}
