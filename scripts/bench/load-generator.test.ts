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

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => res.end("ok"));
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
    expect(run.ok).toBe(40);
    expect(run.latencies).toHaveLength(40);
    expect(run.latencyMs).toEqual(summariseLatencies(run.latencies));
  });
});
