import { performance } from "node:perf_hooks";

import { Client } from "undici";

/**
 * A small closed-loop HTTP load generator: `connections` keep-alive
 * connections, each sending its next request as soon as the previous answer
 * arrived (or, with `ratePerSecond`, at its next turn of an even pace). It
 * runs for a warm-up (not recorded) and then either a fixed time or until a
 * fixed number of requests were answered. Every request is built by
 * `request(seq)`, so each one can carry its own order id and signature.
 */
export interface LoadOptions {
  /**
   * Where to send. Several URLs take the requests in turn (request `seq` goes
   * to `url[seq % url.length]`), as a round-robin load balancer in front of
   * several web processes would; each connection then keeps one keep-alive
   * connection to each of them.
   */
  url: string | readonly string[];
  connections: number;
  /** Build request number `seq` (0, 1, 2, … across warm-up and measurement). */
  request: (seq: number) => { headers: Record<string, string>; body: string };
  warmupMs?: number;
  /** Measure for this long… */
  durationMs?: number;
  /** …or until this many requests were answered (warm-up excluded). */
  requests?: number;
  /** Per request; a request without an answer by then counts as a failure. */
  timeoutMs?: number;
  /** Called when the measured window opens (after the warm-up). */
  onWindowStart?: () => void;
  /**
   * Paced instead of as fast as answers come: this many requests per second
   * in all, spread evenly over the connections (each one sends every
   * `connections / ratePerSecond` seconds; one whose answer came later than
   * its turn sends at once). Latency is still from send to answer.
   */
  ratePerSecond?: number;
}

export interface LoadResult {
  /** Answered during the measured window. */
  requests: number;
  ok: number;
  /** Answered with a status other than 200. */
  non200: number;
  /** No answer: connection errors and timeouts. */
  failures: number;
  /** Why requests got no answer, by error code (measured window and warm-up). */
  failureCauses: Record<string, number>;
  statuses: Record<string, number>;
  durationMs: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  /** Every answered request's latency (ms), in the measured window: to merge windows (mergeLoadResults). */
  latencies: number[];
  /** Answered after more than 5 s, or not at all: Shopify would count these deliveries as failed. */
  over5s: number;
  /** The slowest answers: when each request was sent (ms after the first) and how long it took. */
  slowest: Array<{ sentAtMs: number; ms: number }>;
  /** Requests sent in all, warm-up included. */
  sent: number;
  /** Answered 200 in all, warm-up included. */
  okIncludingWarmup: number;
  /** performance.now() of the first request sent and of the end of the measured window. */
  startedAt: number;
  endedAt: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const targets = (typeof options.url === "string" ? [options.url] : options.url).map((url) => new URL(url));
  if (targets.length === 0) throw new Error("runLoad needs a URL");
  const timeoutMs = options.timeoutMs ?? 30_000;
  const warmupMs = options.warmupMs ?? 0;
  if (options.durationMs === undefined && options.requests === undefined) {
    throw new Error("runLoad needs durationMs or requests");
  }

  let seq = 0;
  let recording = warmupMs === 0;
  let stopped = false;
  const latencies: number[] = [];
  const slowest: Array<{ sentAtMs: number; ms: number }> = [];
  const statuses: Record<string, number> = {};
  let failures = 0;
  let answered = 0;
  let inFlight = 0;
  let okIncludingWarmup = 0;
  const failureCauses: Record<string, number> = {};
  const noAnswer = (error: Error & { code?: string }) => {
    const cause = error.code ?? error.message;
    failureCauses[cause] = (failureCauses[cause] ?? 0) + 1;
  };
  const startedAt = performance.now();
  let windowStart = startedAt;
  let windowEnd = 0;

  const stop = () => {
    if (stopped) return;
    stopped = true;
    windowEnd = performance.now();
  };
  const startRecording = () => {
    recording = true;
    windowStart = performance.now();
    options.onWindowStart?.();
    if (options.durationMs !== undefined) setTimeout(stop, options.durationMs);
  };
  if (warmupMs > 0) setTimeout(startRecording, warmupMs);
  else {
    options.onWindowStart?.();
    if (options.durationMs !== undefined) setTimeout(stop, options.durationMs);
  }

  // One undici Client per connection, one request at a time on it (closed
  // loop). undici rather than node:http's client: the load generator shares
  // the two cores with the server it measures, and node:http's client took
  // ~130-180 µs of CPU per request against undici's ~50-60 (docs/performance.md),
  // so the servers were partly measured by the client's cost.
  const paths = targets.map((target) => `${target.pathname}${target.search}`);
  const clients = Array.from({ length: options.connections }, () =>
    targets.map(
      (target) =>
        new Client(target.origin, { pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }),
    ),
  );
  const send = async (connection: readonly Client[], seqNo: number): Promise<number> => {
    const { headers, body } = options.request(seqNo);
    const to = seqNo % targets.length;
    try {
      const response = await connection[to]!.request({ method: "POST", path: paths[to]!, headers, body });
      await response.body.dump();
      return response.statusCode;
    } catch (error) {
      noAnswer(error as Error & { code?: string });
      return -1;
    }
  };

  const intervalMs = options.ratePerSecond ? (options.connections / options.ratePerSecond) * 1000 : 0;
  const connection = async (index: number) => {
    // Paced connections start staggered, so the sends are spread over each interval.
    let turn = startedAt + (intervalMs * index) / options.connections;
    while (!stopped) {
      if (intervalMs > 0) {
        const wait = turn - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        turn = Math.max(turn + intervalMs, performance.now());
        if (stopped) break;
      }
      // With a request budget, no request beyond it is started once recording.
      if (recording && options.requests !== undefined && answered + inFlight >= options.requests) break;
      const countThis = recording;
      inFlight += countThis ? 1 : 0;
      const t0 = performance.now();
      const status = await send(clients[index]!, seq++);
      const elapsed = performance.now() - t0;
      inFlight -= countThis ? 1 : 0;
      if (status === 200) okIncludingWarmup += 1;
      if (stopped || !recording || !countThis) continue;
      answered += 1;
      if (status < 0) failures += 1;
      else {
        statuses[status] = (statuses[status] ?? 0) + 1;
        latencies.push(elapsed);
        if (elapsed > 1_000 && slowest.length < 500) slowest.push({ sentAtMs: t0 - startedAt, ms: elapsed });
      }
      if (options.requests !== undefined && answered >= options.requests) stop();
    }
  };

  await Promise.all(Array.from({ length: options.connections }, (_, index) => connection(index)));
  if (!windowEnd) windowEnd = performance.now();
  await Promise.all(clients.flat().map((client) => client.destroy()));

  const durationMs = windowEnd - windowStart;
  const ok = statuses["200"] ?? 0;
  return {
    requests: answered,
    ok,
    non200: answered - failures - ok,
    failures,
    failureCauses,
    statuses,
    durationMs,
    requestsPerSecond: durationMs > 0 ? (answered / durationMs) * 1000 : 0,
    latencyMs: summariseLatencies(latencies),
    latencies,
    over5s: failures + latencies.filter((value) => value > 5_000).length,
    slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 20),
    sent: seq,
    okIncludingWarmup,
    startedAt,
    endedAt: windowEnd,
  };
}

export type LatencySummary = { p50: number; p90: number; p99: number; max: number; mean: number };

export function summariseLatencies(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? 0,
    mean: sum / sorted.length,
  };
}

/**
 * Several measured windows of one server as one: counts added, req/s over
 * their total time, percentiles of all their answers together.
 */
export function mergeLoadResults(runs: readonly LoadResult[]): LoadResult {
  if (runs.length === 1) return runs[0]!;
  const add = (pick: (run: LoadResult) => number) => runs.reduce((sum, run) => sum + pick(run), 0);
  const addCounts = (pick: (run: LoadResult) => Record<string, number>) => {
    const total: Record<string, number> = {};
    for (const run of runs) {
      for (const [key, count] of Object.entries(pick(run))) total[key] = (total[key] ?? 0) + count;
    }
    return total;
  };
  const latencies = runs.flatMap((run) => run.latencies);
  const requests = add((run) => run.requests);
  const durationMs = add((run) => run.durationMs);
  return {
    requests,
    ok: add((run) => run.ok),
    non200: add((run) => run.non200),
    failures: add((run) => run.failures),
    failureCauses: addCounts((run) => run.failureCauses),
    statuses: addCounts((run) => run.statuses),
    durationMs,
    requestsPerSecond: durationMs > 0 ? (requests / durationMs) * 1000 : 0,
    latencyMs: summariseLatencies(latencies),
    latencies,
    over5s: add((run) => run.over5s),
    // Send times counted from the first window's start, as in one run.
    slowest: runs
      .flatMap((run) =>
        run.slowest.map((slow) => ({
          ...slow,
          sentAtMs: slow.sentAtMs + run.startedAt - runs[0]!.startedAt,
        })),
      )
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 20),
    sent: add((run) => run.sent),
    okIncludingWarmup: add((run) => run.okIncludingWarmup),
    startedAt: runs[0]!.startedAt,
    endedAt: runs[runs.length - 1]!.endedAt,
  };
}
