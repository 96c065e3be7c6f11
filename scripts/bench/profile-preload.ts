/**
 * Loaded into the app and the workers by `npm run bench -- --profile`
 * (`node --import tsx --import ./scripts/bench/profile-preload.ts …`), never in
 * a normal run. It changes nothing the app does; it only watches:
 * - every SQL statement better-sqlite3 runs (Prisma's SQLite driver adapter
 *   prepares and runs each query through it): how many of each, and the time
 *   spent inside SQLite, which is synchronous and so blocks the event loop
 *   (waiting for another process's write lock included);
 * - on exit, writes that to BENCH_SQL_STATS_FILE as JSON;
 * - with BENCH_MEMORY_FILE, process.memoryUsage() every second, written on exit;
 * - with BENCH_EXIT_ON_SIGTERM=1, exits on SIGTERM at once, so that
 *   --cpu-prof writes its profile (the server otherwise waits for its
 *   connections to close).
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

interface StatementStats {
  count: number;
  totalMs: number;
  maxMs: number;
  /** Statements that took 10 ms or more: almost always waiting for a lock. */
  slow: number;
}

const require = createRequire(import.meta.url);
type Runnable = (...args: unknown[]) => unknown;
const Database = require("better-sqlite3") as new (file: string) => {
  prepare(sql: string): object;
  close(): void;
};

const stats = new Map<string, StatementStats>();
const startedAt = Date.now();

const probe = new Database(":memory:");
const statementPrototype = Object.getPrototypeOf(probe.prepare("select 1")) as Record<string, Runnable>;
probe.close();

for (const method of ["run", "all", "get", "iterate"] as const) {
  const original = statementPrototype[method];
  if (typeof original !== "function") continue;
  statementPrototype[method] = function (this: { source: string }, ...args: unknown[]) {
    const t0 = process.hrtime.bigint();
    try {
      return original.apply(this, args);
    } finally {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const key = this.source.replace(/\s+/g, " ").trim();
      const entry = stats.get(key) ?? { count: 0, totalMs: 0, maxMs: 0, slow: 0 };
      entry.count += 1;
      entry.totalMs += ms;
      entry.maxMs = Math.max(entry.maxMs, ms);
      if (ms >= 10) entry.slow += 1;
      stats.set(key, entry);
    }
  };
}

const file = process.env.BENCH_SQL_STATS_FILE;
if (file) {
  process.on("exit", () => {
    const statements = [...stats.entries()]
      .map(([sql, entry]) => ({ sql, ...entry }))
      .sort((a, b) => b.totalMs - a.totalMs);
    writeFileSync(
      file,
      JSON.stringify({ pid: process.pid, wallMs: Date.now() - startedAt, statements }, null, 2),
    );
  });
}

// What the resident memory is made of, every second: V8's heap, memory held
// outside it (Buffers, Wasm), and the rest (code, native allocations).
const memoryFile = process.env.BENCH_MEMORY_FILE;
if (memoryFile) {
  const samples: Array<Record<string, number>> = [];
  const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  const timer = setInterval(() => {
    const usage = process.memoryUsage();
    samples.push({
      second: Math.round((Date.now() - startedAt) / 1000),
      rss: mib(usage.rss),
      heapTotal: mib(usage.heapTotal),
      heapUsed: mib(usage.heapUsed),
      external: mib(usage.external),
      arrayBuffers: mib(usage.arrayBuffers),
    });
  }, 1000);
  timer.unref();
  process.on("exit", () => writeFileSync(memoryFile, JSON.stringify(samples, null, 2)));
}

if (process.env.BENCH_EXIT_ON_SIGTERM === "1") {
  process.once("SIGTERM", () => process.exit(0));
}
