import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";

import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import {
  WEBHOOK_BODY_LIMIT_BYTES,
  createAppServer,
  startAppServer,
  turnstile,
  webhookActions,
} from "../../server";

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
  again: string;
  streamed: string;
  headers: Record<string, string>;
}> = [];
const handleError = vi.fn();

function route(id: string, path: string | undefined, module: Record<string, unknown>) {
  return { id, path, parentId: "root", module } as unknown as ServerBuild["routes"][string];
}

const build = {
  mode: "production",
  entry: {
    module: {
      default: () => new Response("document", { status: 200, headers: { "content-type": "text/html" } }),
      handleError,
    },
  },
  routes: {
    root: { id: "root", path: "", module: { default: () => null } },
    echo: route("routes/webhooks.orders.paid", "webhooks/orders/paid", {
      action: async ({ request }: { request: Request }) => {
        seen.push({
          url: request.url,
          method: request.method,
          body: await request.text(),
          again: await request.text(),
          streamed: await new Response(request.body).text(),
          headers: Object.fromEntries(request.headers),
        });
        return new Response("recorded", { status: 200, headers: { "x-answer": "yes" } });
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
  },
  assets: { entry: { imports: [], module: "" }, routes: {}, url: "", version: "1" },
  future: {},
  publicPath: "/build/",
  assetsBuildDirectory: "/nonexistent",
  isSpaMode: false,
  basename: undefined,
} as unknown as ServerBuild;

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

  it("calls the route's action with the request as sent, its body readable again, and sends its answer back", async () => {
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
      body,
      again: body,
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
    // A GET to a webhook URL is Remix's to answer: 400, "no loader" (as before this lane).
    const get = await fetch(`${base}/webhooks/orders/paid`);
    expect(get.status).toBe(400);
    expect(seen).toHaveLength(0);
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
