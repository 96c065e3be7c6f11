/**
 * `npm run boot-check`: boots the real app build against the database that
 * DATABASE_URL names (SQLite by default, PostgreSQL for postgres:// URLs),
 * applies the migrations, and checks over HTTP that a signed orders/paid
 * webhook is recorded (200) and that a forged or missing signature gets 401.
 * CI runs it on both databases. The database must be one it may write to.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { deliverWebhook, signedWebhookHeaders } from "../shopify-stand-in/webhooks";
import { appServerCommand, ensureAppBuild } from "./lib/app-build";
import { freePort, run, startChild, waitForHttp } from "./lib/processes";

const SHOP = "boot-check.myshopify.com";

async function main(): Promise<number> {
  const root = process.cwd();
  const workdir = resolve(root, ".tmp", `boot-check-${Date.now()}`);
  mkdirSync(workdir, { recursive: true });
  const databaseUrl = process.env.DATABASE_URL ?? `file:${resolve(workdir, "boot.sqlite")}`;
  const port = await freePort();
  const secret = randomBytes(16).toString("hex");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: "boot-check",
    SHOPIFY_API_SECRET: secret,
    SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
    CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    LOG_LEVEL: "warn",
  };
  const kind = /^postgres(ql)?:/.test(databaseUrl) ? "PostgreSQL" : "SQLite";
  process.stdout.write(`boot-check on ${kind}\n`);
  await run("npx", ["prisma", "migrate", "deploy"], env);
  const serverBuild = await ensureAppBuild({ root, env });
  const server = appServerCommand(root, serverBuild);
  const app = startChild("app", server.command, server.args, {
    env,
    logFile: resolve(workdir, "app.log"),
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/`, 60_000, app);
    const url = `${base}/webhooks/orders/paid`;
    const orderId = Date.now();
    const body = {
      id: orderId,
      name: `#BOOT${orderId}`,
      line_items: [{ id: 1, variant_id: 1, sku: "73002", title: "Tee", quantity: 1 }],
    };
    const checks: [string, number, number][] = [];
    checks.push([
      "signed orders/paid",
      200,
      await deliverWebhook(url, { topic: "orders/paid", shop: SHOP, body, secret }),
    ]);
    checks.push([
      "forged signature",
      401,
      await deliverWebhook(url, { topic: "orders/paid", shop: SHOP, body, secret: "forged" }),
    ]);
    const { headers, body: raw } = signedWebhookHeaders({ topic: "orders/paid", shop: SHOP, body, secret });
    delete headers["x-shopify-hmac-sha256"];
    const unsigned = await fetch(url, { method: "POST", headers, body: raw });
    checks.push(["missing signature", 401, unsigned.status]);
    checks.push([
      "signed, not JSON",
      400,
      await deliverWebhook(url, { topic: "orders/paid", shop: SHOP, body: null, rawBody: "{", secret }),
    ]);
    checks.push([
      "shop/redact forged",
      401,
      await deliverWebhook(`${base}/webhooks/shop/redact`, {
        topic: "shop/redact",
        shop: SHOP,
        body: {},
        secret: "forged",
      }),
    ]);

    process.env.DATABASE_URL = databaseUrl;
    const { default: prisma } = await import("../app/db.server");
    const stored = await prisma.order.count({ where: { shop: SHOP, shopifyOrderId: String(orderId) } });
    await prisma.$disconnect();

    let failed = 0;
    for (const [what, expected, got] of checks) {
      const ok = expected === got;
      if (!ok) failed += 1;
      process.stdout.write(
        `  ${ok ? "ok  " : "FAIL"} ${what}: ${got}${ok ? "" : ` (expected ${expected})`}\n`,
      );
    }
    const recorded = stored === 1;
    if (!recorded) failed += 1;
    process.stdout.write(`  ${recorded ? "ok  " : "FAIL"} the signed order is stored once in ${kind}\n`);
    process.stdout.write(`${checks.length + 1 - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    await app.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(
      `boot-check failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
