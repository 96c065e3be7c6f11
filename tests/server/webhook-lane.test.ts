import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";

import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import {
  BodyBudget,
  WEBHOOK_BODY_LIMIT_BYTES,
  createAppServer,
  startAppServer,
  turnstile,
  webhookActions,
  webhookLane,
  webhookLoaders,
} from "../../server";
import { FORM_BODY_LIMIT_BYTES } from "../../app/body-limits";
import { RawConnection } from "../helpers/raw-http";
import { productionBuild, route } from "../helpers/server-build";

/**
 * The production server's webhook lane (server.ts, decision 005) over a small
 * build of its own: webhook POSTs reach their route's action with the request
 * as sent, the action's answer (returned or thrown) goes back as it is, a
 * failure is a 500 reported to the build's handleError, and everything else
 * still goes through Remix.
 */
const seen: Array<{
  url: string;
  method: string;
  body: string;
  /** The body read a second time, then as a stream. */
  isRequest: boolean;
  streamed: string;
  headers: Record<string, string>;
}> = [];
const handleError = vi.fn();
/** Methods the echo route's loader was called with. */
const loaderCalls: string[] = [];
/** Lengths of the bodies the Remix-served form route read whole. */
const formBodies: number[] = [];

const build = productionBuild(
  {
    default: () => new Response("document", { status: 200, headers: { "content-type": "text/html" } }),
    handleError,
  },
  {
    echo: route("routes/webhooks.orders.paid", "webhooks/orders/paid", {
      action: async ({ request }: { request: Request }) => {
        seen.push({
          url: request.url,
          method: request.method,
          isRequest: request instanceof Request,
          body: await request.clone().text(),
          streamed: await new Response(request.body).text(),
          headers: Object.fromEntries(request.headers),
        });
        return new Response("recorded", { status: 200, headers: { "x-answer": "yes" } });
      },
      loader: ({ request }: { request: Request }) => {
        loaderCalls.push(request.method);
        return new Response("use POST", { status: 405, headers: { allow: "POST" } });
      },
    }),
    thrown: route("routes/webhooks.orders.cancelled", "webhooks/orders/cancelled", {
      action: () => {
        throw new Response("Invalid HMAC", { status: 401 });
      },
    }),
    failing: route("routes/webhooks.shop.redact", "webhooks/shop/redact", {
      action: () => {
        throw new Error("database is gone");
      },
    }),
    page: route("routes/webhooks.help", "webhooks/help", {
      action: () => new Response("x"),
      default: () => null,
    }),
    resource: route("routes/health", "health", { loader: () => new Response("through remix") }),
    form: route("routes/form", "form", {
      action: async ({ request }: { request: Request }) => {
        const text = await request.text();
        formBodies.push(text.length);
        return new Response(String(text.length));
      },
    }),
  },
);

let server: Server;
let base: string;

beforeAll(async () => {
  server = createAppServer(build, "production");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("webhook lane", () => {
  it("lists only the build's webhook resource routes with static paths", () => {
    expect([...webhookActions(build).keys()].sort()).toEqual([
      "/webhooks/orders/cancelled",
      "/webhooks/orders/paid",
      "/webhooks/shop/redact",
    ]);
  });

  it("calls the route's action with the request as sent, a Fetch Request whose body reads whole or as a stream, and sends its answer back", async () => {
    seen.length = 0;
    const body = JSON.stringify({ id: 1, note: "café ☕" });
    const response = await fetch(`${base}/webhooks/orders/paid?x=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-topic": "orders/paid" },
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-answer")).toBe("yes");
    expect(await response.text()).toBe("recorded");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: "POST",
      isRequest: true,
      body,
      streamed: body,
      url: expect.stringMatching(/\/webhooks\/orders\/paid\?x=1$/),
    });
    expect(seen[0]!.headers["x-shopify-topic"]).toBe("orders/paid");
  });

  it("matches the path as Remix does: any case, a trailing slash", async () => {
    seen.length = 0;
    const response = await fetch(`${base}/Webhooks/Orders/Paid/`, { method: "POST", body: "{}" });
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it("answers with a Response the action threw", async () => {
    const response = await fetch(`${base}/webhooks/orders/cancelled`, { method: "POST", body: "{}" });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe("Invalid HMAC");
  });

  it("answers 500 without details when the action fails, and reports the error", async () => {
    handleError.mockClear();
    const response = await fetch(`${base}/webhooks/shop/redact`, { method: "POST", body: "{}" });
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("database is gone");
    expect(handleError).toHaveBeenCalledOnce();
    expect(String(handleError.mock.calls[0]![0])).toContain("database is gone");
  });

  it("refuses a body over the limit with 413 without calling the action", async () => {
    seen.length = 0;
    const response = await fetch(`${base}/webhooks/orders/paid`, {
      method: "POST",
      body: "x".repeat(WEBHOOK_BODY_LIMIT_BYTES + 1),
    });
    expect(response.status).toBe(413);
    expect(seen).toHaveLength(0);
  });

  it("leaves every other request to Remix", async () => {
    seen.length = 0;
    const viaRemix = await fetch(`${base}/health`);
    expect(viaRemix.status).toBe(200);
    expect(await viaRemix.text()).toBe("through remix");
    expect(seen).toHaveLength(0);
  });

  it("answers GET, HEAD and OPTIONS on a webhook URL with 405 and Allow: POST, from the route's loader where it has one", async () => {
    seen.length = 0;
    loaderCalls.length = 0;
    handleError.mockClear();
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      const response = await fetch(`${base}/webhooks/orders/paid`, { method });
      expect({ method, status: response.status, allow: response.headers.get("allow") }).toEqual({
        method,
        status: 405,
        allow: "POST",
      });
      await response.arrayBuffer();
    }
    expect(loaderCalls).toEqual(["GET", "HEAD", "OPTIONS"]);
    // A route without a loader: the lane's own 405.
    const noLoader = await fetch(`${base}/webhooks/orders/cancelled`);
    expect(noLoader.status).toBe(405);
    expect(noLoader.headers.get("allow")).toBe("POST");
    expect(seen).toHaveLength(0);
    expect(handleError).not.toHaveBeenCalled();
  });
});

describe("webhook lane: bodies it never holds whole", () => {
  const signedLooking = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": "orders/paid",
    "X-Shopify-Shop-Domain": "limits.myshopify.com",
    "X-Shopify-Hmac-Sha256": Buffer.alloc(32, 7).toString("base64"),
  };
  const port = () => (server.address() as AddressInfo).port;
  /** A connection to `onPort` that has sent the head of a signed-looking orders/paid POST, with `headers`. */
  const postHead = async (onPort: number, headers: Record<string, string | number>) => {
    const conn = await RawConnection.open(onPort);
    conn.send(RawConnection.head("POST", "/webhooks/orders/paid", { ...signedLooking, ...headers }));
    return conn;
  };

  it("refuses a declared Content-Length over the limit with 413 before the body is sent, and closes the connection", async () => {
    seen.length = 0;
    const conn = await postHead(port(), { "Content-Length": WEBHOOK_BODY_LIMIT_BYTES + 1 });
    // Not a byte of the body has been sent.
    expect((await conn.answer())?.status).toBe(413);
    await conn.closedByServer();
    expect(seen).toHaveLength(0);
  });

  it("cuts off a chunked body that grows past the limit: 413, the connection closed, the action never called", async () => {
    seen.length = 0;
    const conn = await postHead(port(), { "Transfer-Encoding": "chunked" });
    const piece = 64 * 1024;
    const chunk = `${piece.toString(16)}\r\n${"x".repeat(piece)}\r\n`;
    const sent = await conn.sendUntilAnswered(chunk, 3 * WEBHOOK_BODY_LIMIT_BYTES);
    expect(sent).toBeLessThan(3 * WEBHOOK_BODY_LIMIT_BYTES);
    expect((await conn.answer())?.status).toBe(413);
    await conn.closedByServer();
    expect(seen).toHaveLength(0);
  });

  it("answers 408 and closes a connection whose body never completes", async () => {
    const slow = createAppServer(build, "production", { requestTimeoutMs: 500 });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
      seen.length = 0;
      const conn = await postHead((slow.address() as AddressInfo).port, { "Content-Length": 1_000 });
      conn.send("{".repeat(10));
      expect((await conn.answer())?.status).toBe(408);
      await conn.closedByServer();
      expect(seen).toHaveLength(0);
    } finally {
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it("answers 503 while the webhook bodies in memory are at their total, and takes webhooks again once they are answered", async () => {
    const budget = new BodyBudget(100_000);
    const lane = createServer(
      webhookLane(webhookActions(build), handleError, (_req, res) => res.end(), {
        loaders: webhookLoaders(build),
        limits: { bodyBytes: WEBHOOK_BODY_LIMIT_BYTES, budget },
      }),
    );
    await new Promise<void>((resolve) => lane.listen(0, "127.0.0.1", resolve));
    const lanePort = (lane.address() as AddressInfo).port;
    try {
      seen.length = 0;
      const holding = await postHead(lanePort, { "Content-Length": 80_000 });
      holding.send("x".repeat(79_999));
      while (budget.inUse() < 79_999) await new Promise((resolve) => setImmediate(resolve));

      const refused = await postHead(lanePort, { "Content-Length": 50_000 });
      refused.send("y".repeat(50_000));
      expect((await refused.answer())?.status).toBe(503);
      await refused.closedByServer();

      holding.send("x");
      expect((await holding.answer())?.status).toBe(200);
      expect(budget.inUse()).toBe(0);
      const after = await fetch(`http://127.0.0.1:${lanePort}/webhooks/orders/paid`, {
        method: "POST",
        body: "y".repeat(50_000),
      });
      expect(after.status).toBe(200);
      expect(seen.map((webhook) => webhook.body.length)).toEqual([80_000, 50_000]);
      holding.destroy();
    } finally {
      await new Promise((resolve) => lane.close(resolve));
    }
  });
});

describe("bodies Remix reads (everything but webhooks)", () => {
  const port = () => (server.address() as AddressInfo).port;
  const chunked = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

  it("lets bodies within the path's limit through whole, declared or chunked", async () => {
    formBodies.length = 0;
    const declared = await fetch(`${base}/form`, { method: "POST", body: "d".repeat(FORM_BODY_LIMIT_BYTES) });
    expect(declared.status).toBe(200);
    expect(await declared.text()).toBe(String(FORM_BODY_LIMIT_BYTES));

    const conn = await RawConnection.open(port());
    conn.send(RawConnection.head("POST", "/form", { "Transfer-Encoding": "chunked" }));
    for (let i = 0; i < 15; i++) conn.send(chunked("c".repeat(64 * 1024)));
    conn.send("0\r\n\r\n");
    const answer = await conn.answer();
    expect(answer).toMatchObject({ status: 200, body: String(15 * 64 * 1024) });
    conn.destroy();
    expect(formBodies).toEqual([FORM_BODY_LIMIT_BYTES, 15 * 64 * 1024]);
  });

  it("refuses a declared Content-Length over the limit with 413 at once, unread, and closes", async () => {
    formBodies.length = 0;
    const conn = await RawConnection.open(port());
    conn.send(RawConnection.head("POST", "/form", { "Content-Length": 200 * 1024 * 1024 }));
    expect((await conn.answer())?.status).toBe(413);
    await conn.closedByServer();
    expect(formBodies).toEqual([]);
  });

  it("cuts off a chunked body that streams past the limit with 413: the route never takes it for whole, and no error is reported", async () => {
    formBodies.length = 0;
    handleError.mockClear();
    const conn = await RawConnection.open(port());
    conn.send(RawConnection.head("POST", "/form", { "Transfer-Encoding": "chunked" }));
    const sent = await conn.sendUntilAnswered(chunked("z".repeat(64 * 1024)), 10 * FORM_BODY_LIMIT_BYTES);
    expect(sent).toBeLessThan(10 * FORM_BODY_LIMIT_BYTES);
    expect((await conn.answer())?.status).toBe(413);
    await conn.closedByServer();
    // A request after it: the route's failure, on the server's side, has come and gone.
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(formBodies).toEqual([]);
    expect(handleError).not.toHaveBeenCalled();
  });

  it("keeps a connection serving after a route answered without reading the body", async () => {
    const conn = await RawConnection.open(port());
    // /health has no action: Remix answers without reading the 500 KB.
    conn.send(RawConnection.head("POST", "/health", { "Content-Length": 500_000 }));
    conn.send("b".repeat(500_000));
    const first = await conn.answer();
    expect(first?.status).toBeGreaterThanOrEqual(400);
    expect(first?.status).toBeLessThan(500);
    conn.send(RawConnection.head("GET", "/health", {}));
    expect(await conn.answer()).toMatchObject({ status: 200, body: "through remix" });
    conn.destroy();
  });
});

describe("startAppServer", () => {
  const withWarmUp = (warmUp: () => Promise<void>) =>
    ({ ...build, entry: { module: { ...build.entry.module, warmUp } } }) as unknown as ServerBuild;

  it("runs the app's warm-up before it accepts a connection", async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", resolve));
    const port = (free.address() as AddressInfo).port;
    await new Promise((resolve) => free.close(resolve));
    let duringWarmUp: unknown = null;
    const warmUp = vi.fn(async () => {
      duringWarmUp = await fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.status,
        (error: Error) => (error.cause as { code?: string } | undefined)?.code ?? error.message,
      );
    });
    const server = await startAppServer(withWarmUp(warmUp), { port, host: "127.0.0.1" });
    try {
      expect(warmUp).toHaveBeenCalledOnce();
      expect(duringWarmUp).toBe("ECONNREFUSED");
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("serves anyway when the warm-up fails (a database not reachable yet)", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const server = await startAppServer(
      withWarmUp(async () => {
        throw new Error("database unreachable");
      }),
      { port: 0, host: "127.0.0.1" },
    );
    try {
      const { port } = server.address() as AddressInfo;
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      expect(String(errors.mock.calls[0])).toContain("warm-up failed");
    } finally {
      errors.mockRestore();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("the webhook lane's turnstile (a few webhooks per turn of the event loop)", () => {
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  it("lets a lone webhook in at once", async () => {
    const turns = turnstile(3);
    let entered = false;
    void turns.enter().then(() => (entered = true));
    await Promise.resolve();
    expect(entered).toBe(true);
    expect(turns.waiting()).toBe(0);
  });

  it("lets in at most its number per turn, in the order they came, and all of them in the end", async () => {
    const turns = turnstile(3);
    const order: number[] = [];
    const all = Array.from({ length: 10 }, (_, i) => turns.enter().then(() => order.push(i)));
    await Promise.resolve();
    // The first three of this turn; seven wait.
    expect(order).toEqual([0, 1, 2]);
    expect(turns.waiting()).toBe(7);
    await nextTurn();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    await nextTurn();
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(turns.waiting()).toBe(0);
  });

  it("keeps newcomers behind the ones already waiting", async () => {
    const turns = turnstile(2);
    const order: string[] = [];
    for (const name of ["a", "b", "c", "d"]) void turns.enter().then(() => order.push(name));
    await Promise.resolve();
    expect(order).toEqual(["a", "b"]);
    // A newcomer of the same turn waits behind c and d.
    void turns.enter().then(() => order.push("e"));
    await nextTurn();
    expect(order).toEqual(["a", "b", "c", "d"]);
    await nextTurn();
    expect(order).toEqual(["a", "b", "c", "d", "e"]);
  });
});
