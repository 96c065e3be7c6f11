/**
 * What the scale phases of `npm run bench` share (`--only mapping`,
 * `--only order-list`): a database seeded in bulk, the app's real model
 * functions timed in a child process bound to that database, and a table of
 * p50/p95 per query beside the targets.
 *
 * The child is needed because the app's modules bind their one Prisma client
 * to DATABASE_URL when first imported, and the orchestrator has already
 * imported them for its own template database.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { startChild } from "../lib/processes";

/** What bench.ts hands a scale phase. */
export interface ScalePhaseContext {
  /** The run's folder (.tmp/bench-<time>/): databases, logs. */
  workdir: string;
  /** A migrated database to copy. */
  templateDb: string;
  /** The app's environment (secrets, LOG_LEVEL), without DATABASE_URL. */
  env: NodeJS.ProcessEnv;
  quick: boolean;
  say: (line?: string) => void;
}

/** The better-sqlite3 calls the seeders use. */
export interface SqliteDatabase {
  prepare(sql: string): {
    run(...values: unknown[]): unknown;
    get(...values: unknown[]): unknown;
    all(...values: unknown[]): unknown[];
  };
  transaction(fn: () => void): () => void;
  pragma(sql: string): unknown;
  exec(sql: string): unknown;
  close(): void;
}

/**
 * better-sqlite3 itself, the copy Prisma's SQLite adapter uses: rows go in by
 * the hundred thousand per second, where Prisma would take minutes.
 */
export function openSqlite(file: string): SqliteDatabase {
  const require = createRequire(
    resolve(process.cwd(), "node_modules/@prisma/adapter-better-sqlite3/package.json"),
  );
  const Database = require("better-sqlite3") as new (file: string) => SqliteDatabase;
  const db = new Database(file);
  db.pragma("busy_timeout = 5000");
  db.pragma("journal_mode = WAL");
  return db;
}

/** A date as Prisma's SQLite driver adapter writes it (ISO 8601 with +00:00), so reads compare alike. */
export function sqliteDate(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

/** A fresh copy of the template for one phase. */
export function copyTemplate(templateDb: string, file: string): void {
  copyFileSync(templateDb, file);
  for (const suffix of ["-wal", "-shm"]) {
    if (existsSync(templateDb + suffix)) copyFileSync(templateDb + suffix, file + suffix);
  }
}

/** The simulator's seedable PRNG: every run seeds the same data. */
export { seededRandom } from "../../simulator/faults";

// ------------------------------------------------------------------ timing

export interface Timing {
  runs: number;
  p50: number;
  p95: number;
  max: number;
  /**
   * CPU time of the measuring process per run, median: on a shared machine
   * the wall times above follow the load, this hardly does (SQLite runs
   * inside the process, so its work is counted).
   */
  cpuP50: number | null;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function timingOf(samples: number[], cpuSamples: number[] = []): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const cpuSorted = [...cpuSamples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    runs: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted.at(-1) ?? 0),
    cpuP50: cpuSorted.length > 0 ? round(percentile(cpuSorted, 50)) : null,
  };
}

/** Starts a wall-clock and CPU stopwatch; calling the result gives both, in ms. */
export function stopwatch(): () => { wallMs: number; cpuMs: number } {
  const started = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  };
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed (ms each). */
export async function timeRuns(
  fn: () => Promise<unknown>,
  runs: number,
  warmup = 1,
): Promise<{ timing: Timing; last: unknown }> {
  let last: unknown;
  for (let i = 0; i < warmup; i++) last = await fn();
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const stop = stopwatch();
    last = await fn();
    const { wallMs, cpuMs } = stop();
    samples.push(wallMs);
    cpuSamples.push(cpuMs);
  }
  return { timing: timingOf(samples, cpuSamples), last };
}

/** The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them. */
export function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

// ------------------------------------------------------------------ the measuring child

export interface ChildRun<T> {
  measured: T;
  loadAverageBefore: string;
  loadAverageAfter: string;
}

/**
 * Runs `module --measure <args>` under node + tsx with DATABASE_URL set to
 * `dbFile`, and reads back the JSON it writes to `outFile`.
 */
export async function measureInChild<T>(
  ctx: ScalePhaseContext,
  name: string,
  module: string,
  dbFile: string,
  args: string[],
): Promise<ChildRun<T>> {
  const outFile = resolve(ctx.workdir, `${name}.json`);
  const logFile = resolve(ctx.workdir, `${name}.log`);
  const loadAverageBefore = loadAverage();
  const child = startChild(
    name,
    process.execPath,
    ["--import", "tsx", module, "--measure", "--out", outFile, ...args],
    {
      env: { ...ctx.env, DATABASE_URL: `file:${dbFile}`, NODE_ENV: "production", LOG_LEVEL: "warn" },
      logFile,
      logDirectly: true,
    },
  );
  const exitCode = await child.exited;
  if (exitCode !== 0 || !existsSync(outFile)) {
    const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n") : "";
    throw new Error(`${name} exited with ${exitCode}:\n${tail}`);
  }
  return {
    measured: JSON.parse(readFileSync(outFile, "utf8")) as T,
    loadAverageBefore,
    loadAverageAfter: loadAverage(),
  };
}

export interface ScalePhaseRun<Sizes, Measured> {
  sizes: Sizes;
  seedSeconds: number;
  loadAverageBefore: string;
  loadAverageAfter: string;
  measured: Measured;
}

/**
 * A scale phase from the orchestrator's side: a copy of the template as
 * `<name>.sqlite`, seeded in bulk, then measured by `module` in a child.
 */
export async function runScalePhase<Sizes, Measured>(
  ctx: ScalePhaseContext,
  input: { name: string; module: string; sizes: Sizes; seed: (dbFile: string, sizes: Sizes) => void },
): Promise<ScalePhaseRun<Sizes, Measured>> {
  const dbFile = resolve(ctx.workdir, `${input.name}.sqlite`);
  copyTemplate(ctx.templateDb, dbFile);
  const started = performance.now();
  input.seed(dbFile, input.sizes);
  const seedSeconds = (performance.now() - started) / 1000;
  ctx.say(`  seeded in ${seedSeconds.toFixed(1)} s; measuring through the app's models…`);
  const run = await measureInChild<Measured>(ctx, `${input.name}-scale`, input.module, dbFile, [
    "--sizes",
    JSON.stringify(input.sizes),
  ]);
  return { sizes: input.sizes, seedSeconds, ...run };
}

// ------------------------------------------------------------------ printing

export type ResultRow = [measurement: string, result: string, target: string, mark: string];

export const mark = (pass: boolean) => (pass ? "PASS" : "MISS");
export const fmtMs = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
export const count = (value: number) => value.toLocaleString("en-US");

/** "p50 3.1 ms, p95 4.0 ms (20 runs)" */
export function timingText(timing: Timing): string {
  const cpu = timing.cpuP50 === null ? "" : `, CPU p50 ${fmtMs(timing.cpuP50)}`;
  return `p50 ${fmtMs(timing.p50)}, p95 ${fmtMs(timing.p95)}${cpu} (${timing.runs} runs)`;
}

export function printResultTable(say: (line?: string) => void, title: string, rows: ResultRow[]): void {
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length), 6));
  say(`\n${title}`);
  for (const row of rows) say(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`.trimEnd());
}

export function cpuText(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .map(([name, pct]) => `${name} ${pct}%`)
    .join(", ");
}

/**
 * The measuring child's side: when `module` is the script node runs with
 * `--measure --out FILE --sizes JSON`, runs `measure` on DATABASE_URL's file
 * and writes what it returns to FILE as JSON.
 */
export function runAsMeasuringChild<Sizes, Measured>(
  module: string,
  measure: (dbFile: string, sizes: Sizes) => Promise<Measured>,
): void {
  if (!process.argv[1] || resolve(process.argv[1]) !== module) return;
  const argv = process.argv.slice(2);
  const valueOf = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? (argv[index + 1] ?? "") : "";
  };
  if (!argv.includes("--measure")) return;
  const sizes = JSON.parse(valueOf("sizes") || "{}") as Sizes;
  const dbFile = (process.env.DATABASE_URL ?? "").replace(/^file:/, "");
  measure(dbFile, sizes)
    .then((measured) => {
      writeFileSync(valueOf("out"), JSON.stringify(measured));
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}
`);
      process.exit(1);
    });
}
