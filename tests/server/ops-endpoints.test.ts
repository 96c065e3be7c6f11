/**
 * The operations endpoints of the production server (server.ts's
 * createAppServer, over real HTTP, on the test's database): /healthz,
 * /readyz and /metrics, and webhooks counted by the lane. The failure cases
 * of /readyz that need another database or migrations folder are served by
 * opsEndpoints on a server of their own.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { createAppServer } from "../../server";
import prisma, { createPrismaClient, databaseKind } from "../../app/db.server";
import { opsEndpoints } from "../../app/ops/endpoints.server";
import { flushReceivedOrders } from "../../app/orders/ingest.server";
import { migrationsDirFor } from "../../app/ops/readiness.server";
import { markWorkerStopped, WorkerHeartbeat } from "../../app/ops/worker-heartbeat.server";
import { signedWebhookHeaders } from "../../shopify-stand-in/webhooks";
import { seedAdminShop } from "../helpers/admin-session";
import { resetDatabase } from "../helpers/db";
import { testOrder } from "../helpers/forwarding";
import { productionBuild, route } from "../helpers/server-build";
import { TEST_API_SECRET } from "../setup/app-env";

const SHOP = "ops-endpoints.myshopify.com";
const TOKEN = "metrics-token-of-the-test-0123456789";
const SETTINGS = { METRICS_TOKEN: TOKEN, WORKER_STALE_AFTER_MS: 120_000 };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server) => new Promise((resolve) => server.close(resolve));

let app: Server;
let base: string;

beforeAll(async () => {
  vi.stubEnv("METRICS_TOKEN", TOKEN);
  const build = productionBuild(
    { default: () => new Response("document", { status: 200 }), handleError: vi.fn() },
    {
      paid: route(
        "routes/webhooks.orders.paid",
        "webhooks/orders/paid",
        await import("../../app/routes/webhooks.orders.paid"),
      ),
    },
  );
  app = createAppServer(build, "production");
  vi.unstubAllEnvs();
  base = await listen(app);
});

afterAll(() => close(app));

beforeEach(async () => {
  await resetDatabase(prisma);
});

describe("/healthz", () => {
  it("GIVEN the process is up WHEN /healthz is asked, without credentials THEN it answers 200 ok without the database", async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
  });
});

describe("/readyz", () => {
  it("GIVEN the database migrated and a worker seen just now THEN it answers 200 with every check ok", async () => {
    await new WorkerHeartbeat("worker-a").beat();
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ready: true,
      failed: [],
      checks: { database: "ok", migrations: "ok", worker: "ok" },
    });
  });

  it("GIVEN no worker ever seen THEN it answers 503 naming the worker check", async () => {
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      ready: false,
      failed: ["worker"],
      checks: { database: "ok", migrations: "ok", worker: "no worker heartbeat yet" },
    });
  });

  it("GIVEN the last heartbeat older than WORKER_STALE_AFTER_MS, or its worker stopped THEN it answers 503", async () => {
    await new WorkerHeartbeat("worker-a").beat(new Date(Date.now() - 5 * 60_000));
    const stale = await fetch(`${base}/readyz`);
    expect(stale.status).toBe(503);
    expect((await stale.json()).checks.worker).toMatch(/^no worker heartbeat for 30\d s$/);

    await new WorkerHeartbeat("worker-b").beat();
    await markWorkerStopped("worker-b");
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
  });

  it("GIVEN a migration in the folder the database has not applied THEN it answers 503 naming it", async () => {
    await new WorkerHeartbeat("worker-a").beat();
    const folder = mkdtempSync(join(tmpdir(), "readyz-migrations-"));
    const applied = readdirSync(migrationsDirFor(databaseKind()), { withFileTypes: true });
    for (const { name } of applied.filter((entry) => entry.isDirectory())) {
      mkdirSync(join(folder, name), { recursive: true });
      writeFileSync(join(folder, name, "migration.sql"), "");
    }
    mkdirSync(join(folder, "9999_not_applied"));
    writeFileSync(join(folder, "9999_not_applied", "migration.sql"), "");

    const { url, server } = await opsServer({ migrationsDir: folder });
    try {
      const response = await fetch(`${url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        ready: false,
        failed: ["migrations"],
        checks: { database: "ok", migrations: "not applied: 9999_not_applied", worker: "ok" },
      });
    } finally {
      await close(server);
    }
  });

  it("GIVEN a database that cannot be reached THEN it answers 503 naming the database, with no error text", async () => {
    const unreachable = createPrismaClient(
      databaseKind() === "postgresql"
        ? "postgresql://nobody:nothing@127.0.0.1:9/none"
        : `file:${join(tmpdir(), "no-such-folder-for-readyz", "app.sqlite")}`,
    );
    const { url, server } = await opsServer({ db: unreachable });
    try {
      const response = await fetch(`${url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        ready: false,
        failed: ["database"],
        checks: {
          database: "the database did not answer",
          migrations: "not checked: the database did not answer",
          worker: "not checked: the database did not answer",
        },
      });
    } finally {
      await close(server);
      await unreachable.$disconnect().catch(() => undefined);
    }
  });
});

describe("/metrics", () => {
  it("GIVEN no METRICS_TOKEN configured THEN /metrics is not there (404), whatever is sent", async () => {
    const { url, server } = await opsServer({}, { WORKER_STALE_AFTER_MS: 120_000 });
    try {
      const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(404);
    } finally {
      await close(server);
    }
  });

  it("GIVEN a token configured WHEN none or a wrong one is sent THEN 401", async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    const basic = await fetch(`${base}/metrics`, { headers: { authorization: `Basic ${TOKEN}` } });
    expect(basic.status).toBe(401);
  });

  it("GIVEN the right token THEN 200 in Prometheus' text format, with the process's and the app's metrics", async () => {
    await new WorkerHeartbeat("worker-a").beat();
    const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    for (const name of [
      "process_cpu_seconds_total",
      "nodejs_eventloop_lag_seconds",
      "brilliant_sync_webhooks_total",
      "brilliant_sync_brilliant_calls_total",
      "brilliant_sync_brilliant_call_duration_seconds",
      "brilliant_sync_order_retries_total",
      "brilliant_sync_brilliant_lookups_total",
      "brilliant_sync_syncs_total",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('brilliant_sync_orders{state="received"} 0');
    expect(text).toContain("brilliant_sync_oldest_unsent_order_age_seconds 0");
    expect(text).toMatch(/^brilliant_sync_worker_heartbeat_age_seconds \d/m);
  });

  it("GIVEN a signed orders/paid and a forged one through the webhook lane THEN each is counted by topic and status", async () => {
    await seedAdminShop(SHOP);
    const before = await scrape();
    const order = testOrder(1, [{ variant: 45000000001, quantity: 1 }]);
    const signed = signedWebhookHeaders({
      topic: "orders/paid",
      shop: SHOP,
      body: order,
      secret: TEST_API_SECRET,
    });
    const accepted = await fetch(`${base}/webhooks/orders/paid`, { method: "POST", ...signed });
    expect(accepted.status).toBe(200);
    const forged = await fetch(`${base}/webhooks/orders/paid`, {
      method: "POST",
      headers: { ...signed.headers, "x-shopify-hmac-sha256": "AAAA" },
      body: signed.body,
    });
    expect(forged.status).toBe(401);
    await flushReceivedOrders(SHOP);

    const after = await scrape();
    expect(webhooks(after, "200") - webhooks(before, "200")).toBe(1);
    expect(webhooks(after, "401") - webhooks(before, "401")).toBe(1);
    // The order it recorded is counted among the open ones.
    expect(after).toMatch(/^brilliant_sync_orders\{state="received"\} 1$/m);
  });
});

async function scrape(): Promise<string> {
  const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return response.text();
}

function webhooks(text: string, status: string): number {
  const line = new RegExp(
    `^brilliant_sync_webhooks_total\\{topic="orders/paid",status="${status}"\\} (\\d+)$`,
    "m",
  );
  return Number(line.exec(text)?.[1] ?? 0);
}

/** opsEndpoints of a web process with these readiness options, on a server of its own. */
async function opsServer(
  readiness: Parameters<typeof opsEndpoints>[0]["readiness"],
  settings: Parameters<typeof opsEndpoints>[0]["settings"] = SETTINGS,
): Promise<{ url: string; server: Server }> {
  const endpoints = opsEndpoints({ role: "web", settings, readiness });
  const server = createServer((req, res) => {
    if (!endpoints(req, res)) res.writeHead(404).end();
  });
  return { url: await listen(server), server };
}
