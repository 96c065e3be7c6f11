import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { mergeLoadResults, runLoad, summariseLatencies, type LoadResult } from "./load-generator";

function result(overrides: Partial<LoadResult> & { latencies: number[] }): LoadResult {
  const requests = overrides.requests ?? overrides.latencies.length;
  return {
    requests,
    ok: requests,
    non200: 0,
    failures: 0,
    failureCauses: {},
    statuses: { "200": requests },
    durationMs: 1_000,
    requestsPerSecond: requests,
    latencyMs: summariseLatencies(overrides.latencies),
    over5s: 0,
    slowest: [],
    sent: requests,
    okIncludingWarmup: requests,
    startedAt: 0,
    endedAt: 1_000,
    ...overrides,
  };
}

describe("mergeLoadResults (the bench's ingest rounds as one run)", () => {
  it("adds the counts, takes req/s over the total time and percentiles over every answer", () => {
    const first = result({
      latencies: [10, 10, 10, 10],
      durationMs: 2_000,
      statuses: { "200": 3, "503": 1 },
      ok: 3,
      non200: 1,
      slowest: [{ sentAtMs: 5, ms: 1_500 }],
      startedAt: 100,
      endedAt: 2_100,
    });
    const second = result({
      latencies: [50, 50, 50, 50, 50, 50, 50, 50],
      durationMs: 1_000,
      failures: 2,
      requests: 10,
      failureCauses: { ECONNRESET: 2 },
      slowest: [{ sentAtMs: 7, ms: 2_500 }],
      startedAt: 3_000,
      endedAt: 4_000,
    });

    const merged = mergeLoadResults([first, second]);

    expect(merged.requests).toBe(14);
    expect(merged.durationMs).toBe(3_000);
    expect(merged.requestsPerSecond).toBeCloseTo((14 / 3_000) * 1_000);
    expect(merged.statuses).toEqual({ "200": 13, "503": 1 });
    expect(merged.failures).toBe(2);
    expect(merged.failureCauses).toEqual({ ECONNRESET: 2 });
    expect(merged.latencies).toHaveLength(12);
    // 4 answers at 10 ms and 8 at 50 ms: the median is 50, the mean 110/3.
    expect(merged.latencyMs.p50).toBe(50);
    expect(merged.latencyMs.mean).toBeCloseTo((4 * 10 + 8 * 50) / 12);
    // The second window's slow answer was sent 7 ms after its start, 2,907 ms after the first's.
    expect(merged.slowest).toEqual([
      { sentAtMs: 2_907, ms: 2_500 },
      { sentAtMs: 5, ms: 1_500 },
    ]);
    expect([merged.startedAt, merged.endedAt]).toEqual([100, 4_000]);
  });

  it("gives a single run back as it is", () => {
    const only = result({ latencies: [1, 2, 3] });
    expect(mergeLoadResults([only])).toBe(only);
  });
});

describe("runLoad", () => {
  let server: http.Server;
  let url: string;
  let received: Array<{ seq: number; topic: unknown; length: unknown }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        const seq = Number((JSON.parse(body) as { seq: number }).seq);
        received.push({ seq, topic: req.headers["x-topic"], length: req.headers["content-length"] });
        if (seq % 10 === 3) {
          res.writeHead(503).end("busy");
        } else if (seq % 10 === 7 && req.url?.includes("drop")) {
          req.socket.destroy();
        } else if (seq % 10 === 5) {
          // Chunked, and closing the connection: the next request comes on a new one.
          res.writeHead(200, { connection: "close" });
          res.write("o");
          res.end("k");
        } else {
          res.end("ok");
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/orders/paid`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("keeps the latency of every request answered in the measured window, for merging", async () => {
    const run = await runLoad({
      url,
      connections: 4,
      requests: 40,
      warmupMs: 50,
      request: (seq) => ({ headers: { "content-type": "application/json" }, body: `{"seq":${seq}}` }),
    });

    expect(run.requests).toBe(40);
    expect(run.latencies).toHaveLength(40);
    expect(run.latencyMs).toEqual(summariseLatencies(run.latencies));
    // Every tenth request (seq ending in 3) is answered 503; the rest 200,
    // those ending in 5 chunked and with the connection closed after them.
    expect(run.ok + run.non200).toBe(40);
    expect(run.statuses["503"]).toBe(run.non200);
    expect(run.non200).toBeGreaterThanOrEqual(3);
    expect(run.failures).toBe(0);
  });

  it("sends each request's own headers and body, with its length", async () => {
    received = [];
    const run = await runLoad({
      url,
      connections: 3,
      requests: 12,
      request: (seq) => ({ headers: { "x-topic": `t${seq}` }, body: `{"seq":${seq}}` }),
    });

    expect(run.sent).toBe(received.length);
    for (const { seq, topic, length } of received) {
      expect(topic).toBe(`t${seq}`);
      expect(length).toBe(String(`{"seq":${seq}}`.length));
    }
    expect(new Set(received.map((r) => r.seq)).size).toBe(received.length);
  });

  it("counts a request whose connection is dropped as unanswered, by cause, and goes on", async () => {
    const run = await runLoad({
      url: `${url}?drop=1`,
      connections: 2,
      requests: 30,
      request: (seq) => ({ headers: {}, body: `{"seq":${seq}}` }),
    });

    expect(run.requests).toBe(30);
    expect(run.failures).toBeGreaterThanOrEqual(2);
    expect(run.ok + run.non200 + run.failures).toBe(30);
    expect(Object.values(run.failureCauses).reduce((a, b) => a + b, 0)).toBe(run.failures);
    expect(run.latencies).toHaveLength(run.ok + run.non200);
  });

  it("with several URLs, sends request seq to URL seq mod their number", async () => {
    const second = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    await new Promise<void>((resolve) => second.listen(0, "127.0.0.1", resolve));
    const bySeq = new Map<number, string>();
    try {
      received = [];
      const secondUrl = `http://127.0.0.1:${(second.address() as AddressInfo).port}/second`;
      const run = await runLoad({
        url: [url, secondUrl],
        connections: 3,
        requests: 20,
        request: (seq) => {
          bySeq.set(seq, seq % 2 === 0 ? "first" : "second");
          return { headers: {}, body: `{"seq":${seq}}` };
        },
      });

      expect(run.requests).toBe(20);
      expect(run.failures).toBe(0);
      // The first server saw the even requests and only those.
      expect(received.length).toBe(10);
      expect(received.every(({ seq }) => bySeq.get(seq) === "first")).toBe(true);
    } finally {
      second.closeAllConnections();
      await new Promise((resolve) => second.close(resolve));
    }
  });

  it("gives up on a request not answered within its timeout", async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const run = await runLoad({
        url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
        connections: 2,
        requests: 2,
        timeoutMs: 200,
        request: () => ({ headers: {}, body: "{}" }),
      });
      expect(run.failures).toBe(2);
      expect(run.ok).toBe(0);
      expect(Object.keys(run.failureCauses)).toEqual(["UND_ERR_HEADERS_TIMEOUT"]);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
