import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resetEnvCache } from "../../env.server";
import { brilliantConnections, nodeHttpTransport, type TransportRequest } from "./http-transport.server";

/** The transport keeps fetch's behaviour where the Brilliant client relies on it. */
let server: http.Server;
let base: string;
const seen: Array<{ method?: string; url?: string; body: string; headers: http.IncomingHttpHeaders }> = [];
let connections = 0;
/** Requests to /gather, held until brilliantConnections() of them wait, then answered together. */
const gathered: http.ServerResponse[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, body, headers: req.headers });
      if (req.url === "/json") {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
        res.end(JSON.stringify({ code: 3501, message: "café" }));
      } else if (req.url === "/redirect") {
        res.writeHead(302, { location: "/json" });
        res.end();
      } else if (req.url === "/empty") {
        res.writeHead(204);
        res.end();
      } else if (req.url === "/slow") {
        setTimeout(() => res.end("late"), 2_000).unref();
      } else if (req.url === "/cut") {
        res.writeHead(200, { "content-length": "100" });
        res.write("partial");
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (req.url === "/hang-up") {
        req.socket.destroy();
      } else if (req.url === "/gather") {
        gathered.push(res);
        if (gathered.length === brilliantConnections()) for (const held of gathered.splice(0)) held.end("ok");
      }
    });
  });
  server.on("connection", () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const send = (path: string, request: Partial<TransportRequest> = {}) =>
  nodeHttpTransport({ method: "GET", url: `${base}${path}`, headers: {}, timeoutMs: 5_000, ...request });

describe("nodeHttpTransport", () => {
  it("sends method, headers and body, and answers with status, Retry-After and text", async () => {
    seen.length = 0;
    const answer = await send("/json", {
      method: "POST",
      headers: { Authorization: "Basic abc", "Content-Type": "application/json" },
      body: JSON.stringify({ note: "crème" }),
    });
    expect(answer.status).toBe(429);
    expect(answer.retryAfter).toBe("7");
    expect(JSON.parse(answer.text)).toEqual({ code: 3501, message: "café" });
    expect(seen[0]).toMatchObject({ method: "POST", url: "/json", body: '{"note":"crème"}' });
    expect(seen[0]!.headers.authorization).toBe("Basic abc");
    expect(seen[0]!.headers["content-length"]).toBe(String(Buffer.byteLength('{"note":"crème"}')));
  });

  it("never follows a redirect", async () => {
    seen.length = 0;
    const answer = await send("/redirect", { method: "POST", body: "{}" });
    expect(answer).toMatchObject({ status: 302, retryAfter: null });
    expect(seen.map((request) => request.url)).toEqual(["/redirect"]);
  });

  it("answers a 204 without a body", async () => {
    const answer = await send("/empty");
    expect(answer).toEqual({ status: 204, retryAfter: null, text: "" });
  });

  it("rejects with a TimeoutError when the answer is late, and drops the connection", async () => {
    const error = await send("/slow", { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("TimeoutError");
    // The next exchange gets a connection of its own and its answer.
    expect((await send("/empty")).status).toBe(204);
  });

  it("rejects as fetch does when nothing listens (ECONNREFUSED in the cause)", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await nodeHttpTransport({
      method: "GET",
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      timeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
  });

  it("rejects with ECONNRESET when the connection drops before or during the answer", async () => {
    for (const path of ["/hang-up", "/cut"]) {
      const error = await send(path, { method: "POST", body: "{}" }).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(TypeError);
      expect(((error as Error).cause as { code?: string }).code, path).toBe("ECONNRESET");
    }
  });

  it("GIVEN as many exchanges at once as it has connections WHEN they end together THEN the next as many reuse every connection", async () => {
    const burst = () => Promise.all(Array.from({ length: brilliantConnections() }, () => send("/gather")));
    const before = connections;
    expect((await burst()).every((answer) => answer.text === "ok")).toBe(true);
    const opened = connections - before;
    expect(opened).toBe(brilliantConnections());

    expect((await burst()).every((answer) => answer.text === "ok")).toBe(true);
    expect(connections - before).toBe(opened);
  });

  it("keeps as many connections as the worker has orders in flight (WORKER_CONCURRENCY), at least one", () => {
    const before = process.env.WORKER_CONCURRENCY;
    try {
      for (const [set, expected] of [
        ["128", 128],
        ["0", 1],
        [undefined, 64],
      ] as const) {
        if (set === undefined) delete process.env.WORKER_CONCURRENCY;
        else process.env.WORKER_CONCURRENCY = set;
        resetEnvCache();
        expect(brilliantConnections()).toBe(expected);
      }
    } finally {
      if (before === undefined) delete process.env.WORKER_CONCURRENCY;
      else process.env.WORKER_CONCURRENCY = before;
      resetEnvCache();
    }
  });
});
