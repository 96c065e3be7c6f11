/**
 * Everything the embedded admin needs to run locally with no Shopify: the
 * Brilliant simulator, Shopify's Admin GraphQL API played by its stand-in
 * (the shop's products, so "Sync Shopify products now" and the reconciliation
 * sweep work as they do in a shop), a fresh SQLite database, the real app
 * build, the worker, the demo shop with its variants mapped from the synced
 * catalogs and the demo's orders delivered as signed webhooks, and the admin
 * preview proxy in front (shopify-stand-in/admin-preview.ts).
 * Used by `npm run preview` and the end-to-end tests (tests/e2e/harness.ts).
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { RunningSimulator } from "../../simulator/server";
import type { AdminGraphqlStandIn } from "../../shopify-stand-in/admin-graphql";
import { startAdminPreview, type RunningAdminPreview } from "../../shopify-stand-in/admin-preview";
import { sampleOrders } from "../demo/sample-orders";
import {
  DEMO_API_KEY,
  DEMO_SHOP,
  deliverOrders,
  demoAppEnv,
  mapFromSyncedCatalogs,
  migrateDatabase,
  seedDemoShop,
  shopifyAdminEnv,
  startApp,
  startDemoShopifyAdmin,
  startDemoSimulator,
  startWorker,
  waitForOrders,
} from "./demo-stack";
import { freePort, type Child } from "./processes";

export interface AdminStackOptions {
  /** Where the database and the logs go; default .tmp/<label>-<time>. */
  workdir?: string;
  label?: string;
  /** The preview's port; 0 or absent picks a free one. */
  previewPort?: number;
  /** Extra environment for the app and the worker (e.g. longer retry delays). */
  env?: Record<string, string>;
  rebuild?: boolean;
  /** Deliver the demo's orders and wait until none is on its way any more. Default true. */
  seedOrders?: boolean;
  say?: (line: string) => void;
}

export interface AdminStack {
  /** The preview's origin: pages are at `${previewUrl}/app`. */
  previewUrl: string;
  /** The app itself (webhooks can be sent here). */
  appUrl: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
  env: NodeJS.ProcessEnv;
  workdir: string;
  simulator: RunningSimulator;
  /** Shopify's Admin GraphQL API for the shop. */
  shopifyAdmin: AdminGraphqlStandIn;
  preview: RunningAdminPreview;
  stop(): Promise<void>;
}

/** States in which an order is still on its way through the worker. */
const IN_FLIGHT = new Set(["received", "ready", "sending", "waiting"]);

export async function startAdminStack(options: AdminStackOptions = {}): Promise<AdminStack> {
  const say = options.say ?? (() => {});
  const root = process.cwd();
  const workdir =
    options.workdir ??
    resolve(root, ".tmp", `${options.label ?? "preview"}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(workdir, { recursive: true });

  const children: Child[] = [];
  let preview: RunningAdminPreview | null = null;
  const brilliant = await startDemoSimulator({ scriptFaults: true });
  const simulator = brilliant.simulator!;
  const orders = sampleOrders().map((sample) => sample.body);
  const shopifyAdmin = await startDemoShopifyAdmin(DEMO_SHOP, orders);
  const stop = async () => {
    if (preview) await preview.close();
    await Promise.allSettled(children.map((child) => child.stop()));
    await simulator.close();
    await shopifyAdmin.close();
  };

  try {
    const appPort = await freePort();
    const previewPort = options.previewPort || (await freePort());
    const previewUrl = `http://127.0.0.1:${previewPort}`;
    const appUrl = `http://127.0.0.1:${appPort}`;
    const env = demoAppEnv({
      workdir,
      port: appPort,
      brilliantUrl: brilliant.url,
      publicUrl: previewUrl,
      overrides: { ...shopifyAdminEnv(shopifyAdmin), ...options.env },
    });
    // The seeding below imports app modules, which read the environment.
    Object.assign(process.env, env);
    say(`Brilliant simulator: ${brilliant.url}`);
    say(`Shopify Admin GraphQL stand-in: ${shopifyAdmin.origin}`);
    await migrateDatabase(env);
    children.push(
      await startApp({
        root,
        env,
        workdir,
        rebuild: options.rebuild,
        onBuild: () => say("Building the app…"),
      }),
    );
    say(`App: ${appUrl} (logs in ${workdir}/app.log)`);
    await seedDemoShop(DEMO_SHOP, brilliant, env.SCOPES ?? "read_orders,read_products");
    // What the merchant does first: sync both catalogs, then auto-match by SKU from them.
    const mapping = await mapFromSyncedCatalogs(DEMO_SHOP);
    say(
      `Synced ${mapping.shopifyVariants} Shopify and ${mapping.brilliantVariants} Brilliant variant(s); ` +
        `auto-match mapped ${mapping.mapped}, left ${mapping.unmapped} unmapped.`,
    );
    children.push(startWorker(env, workdir));
    preview = await startAdminPreview({
      appUrl,
      shop: DEMO_SHOP,
      apiKey: DEMO_API_KEY,
      apiSecret: env.SHOPIFY_API_SECRET!,
      port: previewPort,
    });
    if (options.seedOrders !== false) {
      const statuses = await deliverOrders({
        appUrl,
        shop: DEMO_SHOP,
        apiSecret: env.SHOPIFY_API_SECRET!,
        orders,
      });
      say(`Sent ${statuses.length} signed orders/paid webhooks for ${orders.length} demo orders.`);
      const { default: prisma } = await import("../../app/db.server");
      await waitForOrders({
        prisma,
        shop: DEMO_SHOP,
        expected: orders.length,
        deadline: Date.now() + 60_000,
        settled: (state) => !IN_FLIGHT.has(state),
      });
    }
    return {
      previewUrl,
      appUrl,
      shop: DEMO_SHOP,
      apiKey: DEMO_API_KEY,
      apiSecret: env.SHOPIFY_API_SECRET!,
      env,
      workdir,
      simulator,
      shopifyAdmin,
      preview,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
