/**
 * `npm run demo`: the main job on the embedded default, end to end. Starts the
 * Brilliant simulator, a fresh SQLite database, the app (the real Remix build)
 * and the worker; seeds a demo shop; sends signed orders/paid webhooks over
 * HTTP; waits for every order to settle; prints what happened to each.
 *
 * As an acceptance harness against any Brilliant-compatible server and orders:
 *   npm run demo -- --brilliant-url URL --key K --secret S --orders FILE --json
 * with `--not-shipped-skus SKU[,SKU…]` for variants Brilliant does not ship.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { deliverWebhook } from "../shopify-stand-in/webhooks";
import { freePort, run, type Child } from "./lib/processes";
import { seedShop } from "./lib/seed-shop";
import {
  mapFromSyncedCatalogs,
  shopifyAdminEnv,
  startApp,
  startDemoShopifyAdmin,
  startWorker,
} from "./lib/demo-stack";
import {
  DEMO_NOT_SHIPPED_SKUS,
  realWorldSampleOrders,
  SCRIPTED_FAULTS,
  sampleOrders,
} from "./demo/sample-orders";
import { markNotShippedSkus, parseSkuList } from "./lib/not-shipped-skus";
import type { PrismaClient } from "@prisma/client";
import type { RunningSimulator } from "../simulator/server";
import { NOTABLE_VARIANT_IDS } from "../simulator/catalog";

/** The Brilliant variant the merchant maps the demo's unmapped poster to. */
const POSTER_TARGET = NOTABLE_VARIANT_IDS.stockNotRequired;

const { values: args } = parseArgs({
  options: {
    "brilliant-url": { type: "string" },
    key: { type: "string" },
    secret: { type: "string" },
    orders: { type: "string" },
    "not-shipped-skus": { type: "string" },
    json: { type: "boolean", default: false },
    "wait-seconds": { type: "string", default: "60" },
    rebuild: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
  strict: true,
});

if (args.help) {
  process.stdout.write(
    `Usage: npm run demo -- [--brilliant-url URL --key K --secret S] [--orders FILE] [--not-shipped-skus SKU[,SKU…]] [--json] [--wait-seconds N] [--rebuild]\n`,
  );
  process.exit(0);
}

const SHOP = "brilliant-sync-demo.myshopify.com";
const API_SECRET = `demo-secret-${randomBytes(8).toString("hex")}`;
const SETTLED = new Set(["forwarded", "held", "skipped", "cancelled"]);
const say = (line = "") => {
  // With --json, stdout carries only the JSON result.
  (args.json ? process.stderr : process.stdout).write(`${line}\n`);
};

const children: Child[] = [];
let closeSimulator: (() => Promise<void>) | null = null;
let closeShopifyAdmin: (() => Promise<void>) | null = null;

async function shutdown() {
  await Promise.allSettled(children.map((child) => child.stop()));
  if (closeSimulator) await closeSimulator();
  if (closeShopifyAdmin) await closeShopifyAdmin();
}

async function main(): Promise<number> {
  // With --json, stdout carries only the JSON result: the app code run in this process logs to stderr.
  if (args.json) process.env.LOG_DESTINATION = "stderr";
  const root = process.cwd();
  const workdir = resolve(root, ".tmp", `demo-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(workdir, { recursive: true });

  // 1. Brilliant: the simulator, unless a real or other compatible server is named.
  let brilliantUrl = args["brilliant-url"];
  let brilliantKey = args.key;
  let brilliantSecret = args.secret;
  let simulator: RunningSimulator | null = null;
  if (!brilliantUrl) {
    const { startSimulator, SIM_API_KEY, SIM_API_SECRET } = await import("../simulator/server");
    simulator = await startSimulator({ port: 0 });
    closeSimulator = () => simulator!.close();
    brilliantUrl = simulator.url;
    brilliantKey = SIM_API_KEY;
    brilliantSecret = SIM_API_SECRET;
    if (!args.orders) {
      for (const rule of SCRIPTED_FAULTS) {
        simulator.scriptFault({
          match: { endpoint: "POST /store/order", shopifyOrderName: rule.shopifyOrderName },
          fault: rule.fault,
          times: 1,
        });
      }
    }
    say(`Brilliant simulator: ${brilliantUrl} (key ${brilliantKey})`);
  } else if (!brilliantKey || !brilliantSecret) {
    throw new Error("--brilliant-url needs --key and --secret");
  }

  // Shopify's Admin GraphQL API, played by the stand-in, holding the shop's products.
  const orders = loadOrders();
  const shopifyAdmin = await startDemoShopifyAdmin(SHOP, orders);
  closeShopifyAdmin = () => shopifyAdmin.close();
  say(`Shopify Admin GraphQL stand-in: ${shopifyAdmin.origin}`);

  // 2. A fresh SQLite database with every migration applied.
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${resolve(workdir, "demo.sqlite")}`,
    SHOPIFY_API_KEY: "brilliant-sync-demo",
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: appUrl,
    CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    BRILLIANT_API_BASE_URL: brilliantUrl,
    BRILLIANT_TIMEOUT_MS: "5000",
    // The demo waits a minute at most: retries come after seconds, not minutes.
    RETRY_BASE_MS: "1000",
    RETRY_MAX_MS: "5000",
    WORKER_POLL_MS: "200",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    ...shopifyAdminEnv(shopifyAdmin),
  };
  Object.assign(process.env, env);
  say(`Database: ${env.DATABASE_URL}`);
  await run("npx", ["prisma", "migrate", "deploy"], env);

  // 3. The app: the real Remix build behind server.ts (npm start).
  const app = await startApp({
    root,
    env,
    workdir,
    rebuild: args.rebuild,
    onBuild: () => say("Building the app (remix vite:build)…"),
  });
  children.push(app);
  say(`App: ${appUrl} (logs in ${workdir}/app.log)`);

  // 4. The demo shop, as OAuth would leave it, with Brilliant credentials.
  await seedShop({
    shop: SHOP,
    brilliantApiKey: brilliantKey!,
    brilliantApiSecret: brilliantSecret!,
    scopes: "read_orders,read_products",
  });

  // What the merchant does first: sync both catalogs, then auto-match by SKU from them.
  const mapping = await mapFromSyncedCatalogs(SHOP);
  say(
    `Demo shop: ${SHOP}. Read ${mapping.shopifyVariants} Shopify variant(s) of ${mapping.shopifyProducts} product(s) ` +
      `through the Admin GraphQL API and ${mapping.brilliantVariants} Brilliant variant(s) from GET /store; ` +
      `auto-match (SKU = Brilliant variant id) mapped ${mapping.mapped}, left ${mapping.unmapped} unmapped.`,
  );
  // Variants the merchant ships some other way: the sample's candle, or the SKUs given.
  const notShippedSkus =
    args["not-shipped-skus"] !== undefined
      ? parseSkuList(args["not-shipped-skus"])
      : args.orders
        ? []
        : DEMO_NOT_SHIPPED_SKUS;
  if (notShippedSkus.length > 0) say(await markNotShippedSkus(SHOP, notShippedSkus));

  // 5. The worker.
  // The products were just read; the worker's daily re-read is not part of the demo.
  const worker = startWorker({ ...env, SHOPIFY_SYNC_INTERVAL_MS: "0" }, workdir);
  children.push(worker);

  // 6. Shopify delivers each order, one of them three times at once (webhooks are at-least-once).
  const webhookUrl = `${appUrl}/webhooks/orders/paid`;
  const deliveries = orders.flatMap((body, index) => {
    const webhookId = `demo-${index}-${randomBytes(4).toString("hex")}`;
    const copies = index === 0 ? 3 : 1;
    return Array.from({ length: copies }, () =>
      deliverWebhook(webhookUrl, { topic: "orders/paid", shop: SHOP, body, secret: API_SECRET, webhookId }),
    );
  });
  const statuses = await Promise.all(deliveries);
  const refused = statuses.filter((status) => status !== 200).length;
  say(
    `Sent ${statuses.length} signed orders/paid webhooks for ${orders.length} orders${refused ? `; ${refused} refused` : "; all acknowledged with 200"}.`,
  );

  // Shopify's signature is checked before anything is stored.
  const tampered = await deliverWebhook(webhookUrl, {
    topic: "orders/paid",
    shop: SHOP,
    body: orders[0],
    secret: "not-the-app-secret",
  });
  const malformed = await deliverWebhook(webhookUrl, {
    topic: "orders/paid",
    shop: SHOP,
    body: null,
    rawBody: "{not json",
    secret: API_SECRET,
  });
  say(`A webhook with a forged signature got ${tampered}; a signed body that is not JSON got ${malformed}.`);

  // 7. Wait for every order to settle.
  const { default: prisma } = await import("../app/db.server");
  const waitSettled = async (deadline: number) => {
    let current = await prisma.order.findMany({ where: { shop: SHOP }, orderBy: { name: "asc" } });
    while (
      Date.now() < deadline &&
      (current.length < orders.length || current.some((row) => !SETTLED.has(row.state)))
    ) {
      await new Promise((r) => setTimeout(r, 250));
      current = await prisma.order.findMany({ where: { shop: SHOP }, orderBy: { name: "asc" } });
    }
    return current;
  };
  const deadline = Date.now() + Number(args["wait-seconds"]) * 1000;
  let rows = await waitSettled(deadline);

  const sentItems = await itemsSentToBrilliant(prisma, rows);
  const results = rows.map((row) => ({
    order: row.name,
    shopifyOrderId: row.shopifyOrderId,
    state: row.state,
    code: row.lastCode,
    message: row.lastMessage ?? row.stateReason,
    brilliantOrderId: row.brilliantOrderId,
    /** The items Brilliant got (variant, quantity, note); null when it has no order. */
    sent: sentItems.get(row.id) ?? null,
  }));

  if (args.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    const stories = args.orders ? [] : demoOrders().map((sample) => sample.story);
    printTable(rows, stories, sentItems);
    const { listOpenAlerts } = await import("../app/models/alert.server");
    const alerts = await listOpenAlerts(SHOP);
    say();
    say(`Open alerts (${alerts.length}):`);
    for (const alert of alerts) {
      say(
        `  [${alert.kind}] ${alert.title}${alert.orders.length ? ` (orders ${alert.orders.map((o) => o.order.name).join(", ")})` : ""}`,
      );
    }
    if (simulator && !args.orders) {
      rows = await fixAndRelease(simulator, prisma, waitSettled, deadline);
    }
    if (simulator) {
      const received = simulator.acceptedOrders();
      const perOrder = new Map<string, number>();
      for (const record of received) {
        const id = String(record.order.custom_data?.["shopify_order_id"] ?? "?");
        perOrder.set(id, (perOrder.get(id) ?? 0) + 1);
      }
      const twice = [...perOrder.values()].filter((count) => count > 1).length;
      say();
      say(`Brilliant simulator holds ${received.length} order(s) from this shop; sent twice: ${twice}.`);
    }
  }
  const unsettled = rows.filter((row) => !SETTLED.has(row.state)).length;
  if (unsettled > 0) say(`${unsettled} order(s) had not settled after ${args["wait-seconds"]} s.`);
  await prisma.$disconnect();
  return 0;
}

/**
 * The merchant fixes two causes: maps the poster, and Brilliant restocks the
 * tee. The held orders go out by themselves: the mapping change and the
 * catalog sync re-check them; nobody presses "resubmit".
 */
async function fixAndRelease(
  simulator: RunningSimulator,
  prisma: PrismaClient,
  waitSettled: (deadline: number) => Promise<Awaited<ReturnType<typeof prisma.order.findMany>>>,
  deadline: number,
) {
  const { saveMappings } = await import("../app/catalog/mapping.server");
  const { syncBrilliantCatalog } = await import("../app/catalog/brilliant-catalog.server");
  const { getBrilliantCredentials } = await import("../app/models/shop.server");
  const { createBrilliantClient } = await import("../app/integrations/brilliant/client.server");
  const poster = sampleOrders()[1]!.body as { line_items: { variant_id: number }[] };
  say();
  say(
    `Then the merchant maps the Launch Poster to Brilliant variant ${POSTER_TARGET}, and Brilliant restocks the Classic Logo Tee - L:`,
  );
  await saveMappings(
    SHOP,
    [
      {
        shopifyVariantId: String(poster.line_items[0]!.variant_id),
        sku: "POSTER-18X24",
        brilliantVariantId: String(POSTER_TARGET),
      },
    ],
    "manual",
  );
  simulator.setStock(NOTABLE_VARIANT_IDS.lowStock, 40);
  const credentials = await getBrilliantCredentials(SHOP);
  const sync = await syncBrilliantCatalog(
    SHOP,
    createBrilliantClient({
      baseUrl: simulator.url,
      apiKey: credentials!.apiKey,
      apiSecret: credentials!.apiSecret,
    }),
  );
  if (sync.ok)
    say(`  catalog sync: ${sync.variants} Brilliant variants read, ${sync.released} held order(s) released`);
  const rows = await waitSettled(deadline);
  for (const row of rows.filter((r) => r.name === "#1002" || r.name === "#1003")) {
    say(
      `  ${row.name.padEnd(7)} ${row.state.padEnd(10)} code ${String(row.lastCode ?? "-").padEnd(5)} ${row.brilliantOrderId ? `Brilliant #${row.brilliantOrderId}` : ""}`,
    );
    say(`          ${row.stateReason ?? ""}`);
  }
  const { listOpenAlerts } = await import("../app/models/alert.server");
  say(
    `  open alerts now: ${(await listOpenAlerts(SHOP)).map((alert) => `[${alert.kind}] ${alert.title}`).join("; ") || "none"}`,
  );
  return rows;
}

/** The demo's own orders: the eight the preview seeds too, then a mixed cart and a POS sale. */
function demoOrders() {
  return [...sampleOrders(), ...realWorldSampleOrders()];
}

function loadOrders(): Record<string, unknown>[] {
  if (!args.orders) return demoOrders().map((sample) => sample.body);
  const parsed: unknown = JSON.parse(readFileSync(args.orders, "utf8"));
  if (!Array.isArray(parsed))
    throw new Error(`${args.orders} must hold a JSON array of orders/paid webhook bodies`);
  return parsed as Record<string, unknown>[];
}

type SentItem = { variant_id: number | string; quantity: number; note: string | null };

/**
 * What Brilliant got for each order it has: the items of the order's last
 * create request, as the app stored it (accepted, or found by the lookup
 * after an answer that never came). Lines left out
 * (not shipped by Brilliant, nothing to ship) are not among them.
 */
async function itemsSentToBrilliant(
  prisma: PrismaClient,
  rows: { id: string; brilliantOrderId: string | null }[],
): Promise<Map<string, SentItem[]>> {
  const sent = rows.filter((row) => row.brilliantOrderId);
  const attempts = await prisma.forwardAttempt.findMany({
    where: { orderId: { in: sent.map((row) => row.id) }, kind: "create" },
    orderBy: { number: "asc" },
    select: { orderId: true, requestBody: true },
  });
  const items = new Map<string, SentItem[]>();
  for (const attempt of attempts) {
    try {
      const body = JSON.parse(attempt.requestBody ?? "") as { order_items?: SentItem[] };
      items.set(
        attempt.orderId,
        (body.order_items ?? []).map((item) => ({
          variant_id: item.variant_id,
          quantity: item.quantity,
          note: item.note ?? null,
        })),
      );
    } catch {
      // A request body scrubbed by retention, or none stored: nothing to show.
    }
  }
  return items;
}

function printTable(
  rows: {
    id: string;
    name: string;
    state: string;
    lastCode: number | null;
    brilliantOrderId: string | null;
    stateReason: string | null;
    deliveries: number;
  }[],
  stories: string[],
  sentItems: Map<string, SentItem[]>,
) {
  say();
  say("What happened to each order:");
  rows.forEach((row, index) => {
    const code = row.lastCode === null ? "-" : String(row.lastCode);
    const brilliant = row.brilliantOrderId ? `Brilliant #${row.brilliantOrderId}` : "";
    say(`  ${row.name.padEnd(7)} ${row.state.padEnd(10)} code ${code.padEnd(5)} ${brilliant}`);
    if (stories[index])
      say(`          case: ${stories[index]}${row.deliveries > 1 ? ` (delivered ${row.deliveries}×)` : ""}`);
    else if (row.deliveries > 1) say(`          delivered ${row.deliveries}× by Shopify`);
    say(`          ${row.stateReason ?? ""}`);
    for (const item of sentItems.get(row.id) ?? []) {
      say(
        `          sent: ${item.quantity} × Brilliant variant ${item.variant_id}${item.note ? `, note "${item.note.replace(/\n/g, " / ")}"` : ""}`,
      );
    }
  });
}

main()
  .then(async (code) => {
    await shutdown();
    process.exit(code);
  })
  .catch(async (error) => {
    process.stderr.write(
      `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await shutdown();
    process.exit(1);
  });
