/**
 * Bounded bodies and the lesser refusals, on the running production server
 * (server.ts on the real build, its own process, this test's database), over
 * real HTTP written by hand where no client library would send it:
 *
 * - webhooks: a Content-Length over the limit is 413 before a byte of the
 *   body is read, a chunked body past it 413, a body that never completes
 *   408, bodies held past the lane's total 503; every such connection is
 *   closed, and the server's memory grows by less than MEMORY_BOUND_BYTES
 *   while 125 of them (400 MiB of nearly whole bodies among them) are open;
 * - Brilliant's status endpoint: an unknown token is 404 while its body is
 *   still coming (it is never read), a known one's body over 64 KB is 413 and
 *   nothing is stored, a real call still shows on the order;
 * - /auth/login: 200 MB declared, or streamed past 1 MB, is 413;
 * - GET, HEAD and OPTIONS on every webhook URL: 405 with Allow: POST, logged
 *   at debug level, never as an error;
 * - a session token signed with the app's secret whose `dest` is no shop
 *   domain: 401, not 500.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { WEBHOOK_BODY_LIMIT_BYTES } from "../../app/body-limits";
import { loader as ordersLoader } from "../../app/routes/app.orders._index";
import { loader as orderLoader } from "../../app/routes/app.orders.$id";
import { mintSessionToken } from "../../shopify-stand-in/session-token";
import { deliverWebhook } from "../../shopify-stand-in/webhooks";
import { orderInState } from "../helpers/admin-orders";
import { adminRequest, callRoute, seedAdminShop, sessionToken } from "../helpers/admin-session";
import { resetDatabase } from "../helpers/db";
import { testOrder } from "../helpers/forwarding";
import { RawConnection } from "../helpers/raw-http";
import {
  appServerBuild,
  startWebProcess,
  stopAllProcesses,
  type RealProcess,
} from "../integration/processes";
import { routeIds, routePath } from "../security/routes";
import { TEST_API_KEY, TEST_API_SECRET } from "../setup/app-env";

const SHOP = "bounded-bodies.myshopify.com";
/** The server's request timeout in this test (30 s in production): a body not whole by then is 408. */
const REQUEST_TIMEOUT_MS = 3_000;
/**
 * How much the server's resident memory may grow under the attack below.
 * Its webhook lane holds at most 64 MiB of bodies at once (measured: 120–150 MiB
 * of growth with the socket buffers and garbage not yet collected); without
 * that total the 80 nearly whole 5 MiB bodies alone would hold 400 MiB.
 */
const MEMORY_BOUND_BYTES = 200 * 1024 * 1024;

let web: RealProcess;
let port: number;
let statusToken = "";
let forwardedOrderId = "";
/** The server's structured log lines (pino JSON), as they came. */
const logLines: Array<{ level: number; msg: string; [key: string]: unknown }> = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port: free } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return free;
}

function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) * 1024;
}

const signedLooking = () => ({
  "Content-Type": "application/json",
  "X-Shopify-Topic": "orders/paid",
  "X-Shopify-Shop-Domain": SHOP,
  "X-Shopify-Hmac-Sha256": Buffer.alloc(32, 9).toString("base64"),
  "X-Shopify-Webhook-Id": randomUUID(),
  "X-Shopify-Api-Version": "2026-10",
});

/** The admin as a browser opens it (the library answers 410 to what looks like a bot, as Node's fetch does). */
const BROWSER =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36";

const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

const WITHOUT_POST = "webhook URL called without POST";
/** Requests this file sent to webhook URLs without POST: each is one debug line in the server's log. */
let sentWithoutPost = 0;

/**
 * The server's log lines from index `from` on, once all it logged before this
 * call has come through: a GET on a webhook URL is logged (debug) after them.
 */
async function logsSince(from: number): Promise<typeof logLines> {
  sentWithoutPost += 1;
  await (await fetch(`http://127.0.0.1:${port}/webhooks/app/uninstalled`)).arrayBuffer();
  while (logLines.filter((line) => line.msg === WITHOUT_POST).length < sentWithoutPost) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return logLines.slice(from);
}

const errorsIn = (lines: typeof logLines) => lines.filter((line) => line.level >= 50);

async function listedOrderNames(): Promise<string[]> {
  const response = await callRoute(ordersLoader, await adminRequest("/app/orders", { shop: SHOP }));
  const page = (await response.json()) as { orders: Array<{ name: string }> };
  return page.orders.map((order) => order.name);
}

async function paid(number: number): Promise<number> {
  return deliverWebhook(`http://127.0.0.1:${port}/webhooks/orders/paid`, {
    topic: "orders/paid",
    shop: SHOP,
    body: testOrder(number, [{ variant: 73002, quantity: 1 }], { name: `#B${number}` }),
    secret: TEST_API_SECRET,
  });
}

beforeAll(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(SHOP);
  forwardedOrderId = await orderInState(SHOP, "forwarded");
  statusToken = (await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).statusWebhookToken;
  port = await freePort();
  web = await startWebProcess("web", {
    serverBuild: await appServerBuild(),
    port,
    brilliantUrl: "http://127.0.0.1:9/V2",
    env: { HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), LOG_LEVEL: "debug" },
  });
  let partial = "";
  web.child.stdout!.on("data", (data: Buffer) => {
    const lines = (partial + data.toString("utf8")).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith("{")) continue; // morgan's access log
      try {
        logLines.push(JSON.parse(line) as (typeof logLines)[number]);
      } catch {
        // A line of another writer.
      }
    }
  });
}, 300_000);

afterAll(async () => {
  await stopAllProcesses();
});

describe("bounded bodies on the running server", () => {
  it("GIVEN 125 webhooks too large, trickled, growing without end or nearly whole and never finished THEN 413, 408 or 503, every connection closed, memory growth bounded, and real webhooks still go through", async () => {
    const pid = web.child.pid!;
    // Warm: real webhooks first, so what is measured is what the attack adds.
    for (let n = 1; n <= 20; n++) expect(await paid(9_100 + n)).toBe(200);
    const baseline = residentBytes(pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, residentBytes(pid));
    }, 25);

    const open = (count: number) =>
      Promise.all(Array.from({ length: count }, () => RawConnection.open(port)));
    const [declared, trickled, chunked, nearlyWhole] = await Promise.all([
      open(20),
      open(15),
      open(10),
      open(80),
    ]);
    const nearlyWholeBody = Buffer.alloc(WEBHOOK_BODY_LIMIT_BYTES - 1, "x");
    const tricklers: NodeJS.Timeout[] = [];

    const answers = (conns: RawConnection[]) =>
      Promise.all(
        conns.map(async (conn) => {
          const answer = await conn.answer();
          await conn.closedByServer();
          return answer?.status ?? null;
        }),
      );
    try {
      for (const conn of declared) {
        conn.send(
          RawConnection.head("POST", "/webhooks/orders/paid", {
            ...signedLooking(),
            "Content-Length": 50 * 1024 * 1024,
          }),
        );
        tricklers.push(setInterval(() => conn.send("{"), 100));
      }
      for (const conn of trickled) {
        conn.send(
          RawConnection.head("POST", "/webhooks/orders/paid", {
            ...signedLooking(),
            "Content-Length": 4 * 1024 * 1024,
          }),
        );
        tricklers.push(setInterval(() => conn.send("x".repeat(1024)), 100));
      }
      for (const conn of nearlyWhole) {
        conn.send(
          RawConnection.head("POST", "/webhooks/orders/paid", {
            ...signedLooking(),
            "Content-Length": WEBHOOK_BODY_LIMIT_BYTES,
          }),
        );
        conn.send(nearlyWholeBody);
      }
      const sentChunked = chunked.map(async (conn) => {
        conn.send(
          RawConnection.head("POST", "/webhooks/orders/paid", {
            ...signedLooking(),
            "Transfer-Encoding": "chunked",
          }),
        );
        return conn.sendUntilAnswered(chunk("x".repeat(64 * 1024)), 3 * WEBHOOK_BODY_LIMIT_BYTES);
      });

      const [declaredAnswers, trickledAnswers, chunkedAnswers, nearlyWholeAnswers, chunkedSent] =
        await Promise.all([
          answers(declared),
          answers(trickled),
          answers(chunked),
          answers(nearlyWhole),
          Promise.all(sentChunked),
        ]);
      expect(declaredAnswers).toEqual(declared.map(() => 413));
      // Out of time, or refused at their next kilobyte while the lane's total was full.
      for (const status of trickledAnswers) expect([408, 503]).toContain(status);
      // Past the limit, or refused earlier once the nearly whole bodies filled the lane's total.
      for (const status of chunkedAnswers) expect([413, 503]).toContain(status);
      for (const sent of chunkedSent) expect(sent).toBeLessThan(3 * WEBHOOK_BODY_LIMIT_BYTES);
      // Held until their time ran out, or refused once the lane's total was reached.
      for (const status of nearlyWholeAnswers) expect([408, 503]).toContain(status);
      expect(nearlyWholeAnswers.filter((status) => status === 503).length).toBeGreaterThan(0);
      for (const conn of [...declared, ...trickled, ...chunked, ...nearlyWhole])
        expect(conn.isClosed()).toBe(true);
    } finally {
      for (const timer of tricklers) clearInterval(timer);
      clearInterval(sampler);
      for (const conn of [...declared, ...trickled, ...chunked, ...nearlyWhole]) conn.destroy();
    }
    const growth = peak - baseline;
    console.log(
      `bounded bodies: baseline ${(baseline / 2 ** 20).toFixed(0)} MiB, peak ${(peak / 2 ** 20).toFixed(0)} MiB, growth ${(growth / 2 ** 20).toFixed(0)} MiB (bound ${MEMORY_BOUND_BYTES / 2 ** 20} MiB)`,
    );
    expect(growth).toBeLessThan(MEMORY_BOUND_BYTES);

    // Alone, a body trickled for longer than the timeout is 408.
    const slow = await RawConnection.open(port);
    slow.send(
      RawConnection.head("POST", "/webhooks/orders/paid", { ...signedLooking(), "Content-Length": 4096 }),
    );
    const trickle = setInterval(() => slow.send("x"), 200);
    try {
      expect((await slow.answer())?.status).toBe(408);
      await slow.closedByServer();
    } finally {
      clearInterval(trickle);
    }

    // Nothing of the attack reached the orders; a real webhook still does, and the merchant sees it.
    expect(await paid(9_200)).toBe(200);
    const names = await listedOrderNames();
    expect(names).toContain("#B9200");
    expect(names.filter((name) => name.startsWith("#B"))).toHaveLength(21);
  }, 120_000);

  it("GIVEN Brilliant's status endpoint THEN an unknown token is 404 before its body is read, a known one's body over 64 KB is 413 and stores nothing (nor logs an error), and a real call still shows on the order", async () => {
    const events = () => prisma.brilliantStatusEvent.count({ where: { shop: SHOP } });
    const before = await events();
    const from = logLines.length;

    // The body is never finished: a 404 can only come from not reading it.
    const unknown = await RawConnection.open(port);
    unknown.send(
      RawConnection.head("POST", "/brilliant/status/not-a-token", {
        "Content-Type": "application/json",
        "Content-Length": 60_000,
      }),
    );
    unknown.send('{"status":');
    expect((await unknown.answer())?.status).toBe(404);
    unknown.destroy();

    const declared = await RawConnection.open(port);
    declared.send(
      RawConnection.head("POST", `/brilliant/status/${statusToken}`, { "Content-Length": 600 * 1024 * 1024 }),
    );
    expect((await declared.answer())?.status).toBe(413);
    await declared.closedByServer();

    const streamed = await RawConnection.open(port);
    streamed.send(
      RawConnection.head("POST", `/brilliant/status/${statusToken}`, { "Transfer-Encoding": "chunked" }),
    );
    await streamed.sendUntilAnswered(chunk(`{"status":"${"s".repeat(16 * 1024)}`), 1024 * 1024);
    expect((await streamed.answer())?.status).toBe(413);
    await streamed.closedByServer();
    expect(await events()).toBe(before);
    expect(errorsIn(await logsSince(from))).toEqual([]);

    const order = await prisma.order.findUniqueOrThrow({ where: { id: forwardedOrderId } });
    const call = await fetch(`http://127.0.0.1:${port}/brilliant/status/${statusToken}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        status: "processing",
        ship_status: "shipped",
        custom_data: { shopify_shop: SHOP, shopify_order_id: order.shopifyOrderId },
      }),
    });
    expect(call.status).toBe(200);
    expect(await events()).toBe(before + 1);
    const page = await callRoute(
      orderLoader,
      await adminRequest(`/app/orders/${forwardedOrderId}`, { shop: SHOP }),
      { id: forwardedOrderId },
    );
    const { order: shown } = (await page.json()) as { order: { brilliantShipStatus: string | null } };
    expect(shown.brilliantShipStatus).toBe("shipped");
  });

  it("GIVEN /auth/login with 200 MB declared or a body streamed past 1 MB THEN 413, the connection closed and no error logged; a real login post is still answered", async () => {
    const from = logLines.length;
    const declared = await RawConnection.open(port);
    declared.send(
      RawConnection.head("POST", "/auth/login", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": 200 * 1024 * 1024,
      }),
    );
    expect((await declared.answer())?.status).toBe(413);
    await declared.closedByServer();

    const streamed = await RawConnection.open(port);
    streamed.send(
      RawConnection.head("POST", "/auth/login", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Transfer-Encoding": "chunked",
      }),
    );
    const sent = await streamed.sendUntilAnswered(chunk(`shop=${"a".repeat(64 * 1024)}`), 20 * 1024 * 1024);
    expect(sent).toBeLessThan(20 * 1024 * 1024);
    expect((await streamed.answer())?.status).toBe(413);
    await streamed.closedByServer();
    expect(errorsIn(await logsSince(from))).toEqual([]);

    const login = await fetch(`http://127.0.0.1:${port}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "shop=not%20a%20shop",
      redirect: "manual",
    });
    expect(login.status).toBeLessThan(500);
    expect(login.status).not.toBe(413);
  });

  it("GIVEN GET, HEAD or OPTIONS on every webhook URL THEN 405 with Allow: POST, logged at debug level and never as an error", async () => {
    const paths = routeIds()
      .filter((id) => id.startsWith("webhooks."))
      .map(routePath);
    expect(paths.length).toBeGreaterThan(5);
    const from = logLines.length;
    const answers: Array<{ path: string; method: string; status: number; allow: string | null }> = [];
    for (const path of paths) {
      for (const method of ["GET", "HEAD", "OPTIONS"]) {
        sentWithoutPost += 1;
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
        await response.arrayBuffer();
        answers.push({ path, method, status: response.status, allow: response.headers.get("allow") });
      }
    }
    expect(answers).toEqual(
      answers.map(({ path, method }) => ({ path, method, status: 405, allow: "POST" })),
    );
    // The debug lines come from the route's loader, in the server's process.
    const logged = await logsSince(from);
    const refused = logged.filter((line) => line.msg === WITHOUT_POST);
    expect(refused).toHaveLength(answers.length + 1);
    expect(new Set(refused.map((line) => line.level))).toEqual(new Set([20]));
    expect(logged.filter((line) => line.level >= 40)).toEqual([]);
  });

  it("GIVEN a validly signed session token whose dest is no shop domain THEN 401 on the admin and the order block's API, where a real token gets through", async () => {
    const tokenFor = (dest: string) =>
      mintSessionToken({ shop: SHOP, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, dest });
    const order = await prisma.order.findUniqueOrThrow({ where: { id: forwardedOrderId } });
    const from = logLines.length;
    const statuses: Record<string, number> = {};
    for (const dest of ["https://evil.example.com", "https://localhost", "https://not a shop"]) {
      const token = await tokenFor(dest);
      for (const path of [
        "/app/orders?_data=routes%2Fapp.orders._index",
        `/api/orders/${order.shopifyOrderId}/sync`,
      ]) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, {
          headers: { authorization: `Bearer ${token}`, "user-agent": BROWSER },
          redirect: "manual",
        });
        await response.arrayBuffer();
        statuses[`${dest} ${path}`] = response.status;
      }
    }
    expect(Object.values(statuses)).toEqual(Object.values(statuses).map(() => 401));
    expect(errorsIn(await logsSince(from))).toEqual([]);

    const real = await fetch(`http://127.0.0.1:${port}/api/orders/${order.shopifyOrderId}/sync`, {
      headers: { authorization: `Bearer ${await sessionToken(SHOP)}`, "user-agent": BROWSER },
    });
    expect(real.status).toBe(200);
    expect(((await real.json()) as { status: { state: string } }).status.state).toBe("forwarded");
  });
});
