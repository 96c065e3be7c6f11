/**
 * `npm run bench`: how fast Brilliant Sync takes webhooks and forwards orders,
 * all on loopback, each figure measured in the same run:
 *
 * 1. Ingest: signed orders/paid webhooks at 200 keep-alive connections, in
 *    rounds, to a bare node:http server that only checks the HMAC, to the
 *    app's /webhooks/orders/paid (the real Remix build behind server.ts,
 *    fresh SQLite, no worker running), to the app's own webhook lane doing
 *    nothing but `authenticate.webhook` (scripts/bench/authenticate-only-server.ts:
 *    the least the app can cost here) and to the peer a user would otherwise
 *    write (scripts/bench/template-peer-server.ts: the app template's
 *    `authenticate.webhook` with PrismaSessionStorage, then one Prisma
 *    insert). Acks/s, p50/p99 ack latency, app / peer and app / bare; then
 *    the same app paced at Shopify's peak-minute rate (700/s) and at twice
 *    it (1,400/s), for the acks at those paces.
 * 2. End to end: N signed webhooks with the workers running against the
 *    Brilliant simulator; orders/s from the first send until the database
 *    holds all N as forwarded with code 1200, and a duplicate check at the
 *    simulator. The scale-out phase (scripts/bench/scale-out.ts) runs it with
 *    two web processes and 1, 2 and 4 workers, on SQLite or PostgreSQL.
 * 3. Worker memory: 100k orders backlogged in a fresh database, one worker
 *    draining them; its RSS every second.
 *
 * It prints the targets beside the results and writes them as JSON to
 * .tmp/bench-<time>.json. It always exits 0 when it ran: the targets are for
 * people to read, nothing asserts on timings. See docs/performance.md.
 */
import { randomBytes } from "node:crypto";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, release } from "node:os";
import { basename, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import type { PrismaClient } from "@prisma/client";
import { ensureAppBuild } from "./lib/app-build";
import { parseCommandLine, stringOptions } from "./lib/cli-options";
import { freePort, run, startChild, waitForHttp, type Child } from "./lib/processes";
import { seedBenchShops } from "./bench/bench-shops";
import { mergeLoadResults, runLoad, type LoadResult } from "./bench/load-generator";
import { CpuWindow, rssMiB } from "./bench/proc-stats";
import { formatProfileSummary, summariseProfile, type ProfileSummary } from "./bench/profile-summary";
import { orderBodyFactory, signedOrderRequests } from "./bench/webhook-bodies";
import type { AcceptedOrderRecord } from "../simulator/server";
import { mappingScalePhase, type MappingScaleResults } from "./bench/mapping-scale";
import { orderListScalePhase, type OrderListScaleResults } from "./bench/order-list-scale";
import { productUpdatesPhase, type ProductUpdatesResults } from "./bench/product-updates";
import type { ChildDatabase } from "./bench/postgres-databases";
import { scaleOutPhase, type BenchDatabaseKind, type ScaleOutResults } from "./bench/scale-out";

const USAGE = `Usage: npm run bench -- [options]
  --quick                   a smoke run in seconds (small numbers)
  --only LIST               phases to run, of: ingest,e2e,rss,mapping,order-list,product-updates,scale-out (default all)
  --connections N           concurrent keep-alive connections (default 200)
  --duration S              seconds measured per ingest server, over all rounds (default 10)
  --warmup S                seconds of warm-up before an ingest server's first round (default 2; later rounds at most 1)
  --rounds N                ingest rounds: the bare server, the app, its authenticate-only lane and the template peer take turns N times (default 3)
  --orders N                orders sent end to end (default 5000)
  --workers N               worker processes end to end (default 1: on SQLite a second one mostly waits for the write lock)
  --shops N                 shops the orders are spread over (default 8)
  --backlog N               orders backlogged for the memory phase (default 100000)
  --rss-seconds S           seconds the worker's RSS is sampled (default 60)
  --worker-concurrency N    WORKER_CONCURRENCY (default: the app's)
  --per-shop-concurrency N  WORKER_PER_SHOP_CONCURRENCY (default: the app's)
  --poll-ms N               WORKER_POLL_MS (default: the app's)
  --e2e-timeout S           give up waiting for the end-to-end orders after S seconds (default 300)
  --database KIND           the scale-out phase's database: sqlite or postgresql (default sqlite; the other
                            phases always run on SQLite). PostgreSQL is BENCH_DATABASE_URL's server (a role with
                            CREATEDB), else the one .ci/postgres.sh starts (as root)
  --scale-workers LIST      scale-out: worker processes in each run (default 1,2,4)
  --web-processes N         scale-out: web processes taking the webhooks in turn (default 2)
  --profile                 CPU profiles (--cpu-prof) and SQL statement counts of the app and workers
  --keep-db                 keep the SQLite files in .tmp/bench-<time>/ (and the scale-out phase's PostgreSQL databases)
  --rebuild                 rebuild the app even when build/ is fresh
  --app-node-flags="FLAGS"  Node flags for the web process instead of npm start's (to try V8 settings)
`;

const commandLine = parseCommandLine(USAGE, {
  ...stringOptions(
    "only",
    "connections",
    "duration",
    "warmup",
    "rounds",
    "orders",
    "workers",
    "shops",
    "backlog",
    "rss-seconds",
    "worker-concurrency",
    "per-shop-concurrency",
    "poll-ms",
    "e2e-timeout",
    "app-node-flags",
    "database",
    "scale-workers",
    "web-processes",
  ),
  quick: { type: "boolean", default: false },
  profile: { type: "boolean", default: false },
  "keep-db": { type: "boolean", default: false },
  rebuild: { type: "boolean", default: false },
});
const args = commandLine.values;

function numberArg(name: keyof typeof args, fallback: number, quickFallback: number): number {
  return commandLine.number(name, { nonNegative: true }) ?? (args.quick ? quickFallback : fallback);
}

function databaseArg(): BenchDatabaseKind {
  const value = args.database ?? "sqlite";
  if (value !== "sqlite" && value !== "postgresql") {
    process.stderr.write(`--database takes sqlite or postgresql, got "${value}"\n`);
    process.exit(2);
  }
  return value;
}

function scaleWorkersArg(): number[] {
  const counts = (args["scale-workers"] ?? "1,2,4").split(",").map((count) => Number(count.trim()));
  if (counts.length === 0 || counts.some((count) => !Number.isInteger(count) || count < 1)) {
    process.stderr.write(
      `--scale-workers takes worker counts such as 1,2,4, got "${args["scale-workers"]}"\n`,
    );
    process.exit(2);
  }
  return counts;
}

const config = {
  connections: numberArg("connections", 200, 200),
  durationMs: numberArg("duration", 10, 3) * 1000,
  warmupMs: numberArg("warmup", 2, 1) * 1000,
  ingestRounds: Math.max(1, Math.round(numberArg("rounds", 3, 1))),
  orders: Math.round(numberArg("orders", 5000, 300)),
  workers: Math.max(1, Math.round(numberArg("workers", 1, 1))),
  shops: Math.max(1, Math.round(numberArg("shops", 8, 8))),
  backlog: Math.round(numberArg("backlog", 100_000, 2_000)),
  rssSeconds: numberArg("rss-seconds", 60, 6),
  e2eTimeoutMs: numberArg("e2e-timeout", 300, 60) * 1000,
  profile: args.profile,
  database: databaseArg(),
  scaleWorkers: scaleWorkersArg(),
  webProcesses: Math.max(1, Math.round(numberArg("web-processes", 2, 2))),
};
const PHASES = ["ingest", "e2e", "rss", "mapping", "order-list", "product-updates", "scale-out"] as const;
type Phase = (typeof PHASES)[number];
const phases = new Set<Phase>(
  args.only
    ? args.only.split(",").map((name) => {
        const phase = name.trim() as Phase;
        if (!PHASES.includes(phase)) {
          process.stderr.write(`--only takes ${PHASES.join(",")}, got "${name}"\n`);
          process.exit(2);
        }
        return phase;
      })
    : PHASES,
);

// The worker's knobs: the app's defaults unless asked for (or already exported).
const workerKnobs: Record<string, string> = {};
if (args["worker-concurrency"]) workerKnobs.WORKER_CONCURRENCY = args["worker-concurrency"];
if (args["per-shop-concurrency"]) workerKnobs.WORKER_PER_SHOP_CONCURRENCY = args["per-shop-concurrency"];
if (args["poll-ms"]) workerKnobs.WORKER_POLL_MS = args["poll-ms"];

const TARGETS = {
  /** The app's acks (200s) per second flat out, on `--connections` (200) connections. */
  appAcksPerSecond: 1_400,
  /** …and at least this many times the template peer's, measured in the same rounds. */
  appOverPeer: 5,
  /** p99 of the app's acks paced at each of PACED_WEBHOOKS_PER_SECOND. */
  ackP99Ms: 50,
  endToEndOrdersPerSecond: 700,
  workerRssMiB: 256,
};

/**
 * Shopify's peak-minute order rate, as the issue puts it (the end-to-end
 * target), and twice it: the app is measured at these paces after the
 * flat-out rounds, for the acks a merchant's webhooks get at their busiest
 * minute rather than the queueing of a server driven past its capacity
 * (flat out on 200 connections, a closed loop, the mean ack is 200 /
 * throughput whatever the app does).
 */
const PEAK_WEBHOOKS_PER_SECOND = TARGETS.endToEndOrdersPerSecond;
const PACED_WEBHOOKS_PER_SECOND = [PEAK_WEBHOOKS_PER_SECOND, 2 * PEAK_WEBHOOKS_PER_SECOND] as const;

const SECRET = `bench-secret-${randomBytes(8).toString("hex")}`;
const SHOPS = Array.from({ length: config.shops }, (_, i) => `bench-shop-${i + 1}.myshopify.com`);
const ROOT = process.cwd();
const STAMP = new Date().toISOString().replace(/[:.]/g, "-");
const WORKDIR = resolve(ROOT, ".tmp", `bench-${STAMP}`);
const PROFILE_DIR = resolve(WORKDIR, "profiles");
const PRELOAD = resolve(ROOT, "scripts/bench/profile-preload.ts");

const children = new Set<Child>();
/** The measured window of each profiled process, on the monotonic clock in µs. */
const profileWindows: Record<string, { fromUs: number; toUs: number }> = {};
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const clients = new Set<PrismaClient>();

const say = (line = "") => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ setup

const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  HOST: "127.0.0.1",
  SHOPIFY_API_KEY: "brilliant-sync-bench",
  SHOPIFY_API_SECRET: SECRET,
  SHOPIFY_APP_URL: "http://127.0.0.1:1",
  CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
  BRILLIANT_API_BASE_URL: "http://127.0.0.1:1/V2",
  LOG_LEVEL: "warn",
};

let serverBuild = "";
let templateDb = "";

/** A migrated database with the benchmark's shops installed and their variant mapped. */
async function prepareTemplate(): Promise<void> {
  templateDb = resolve(WORKDIR, "template.sqlite");
  const env = { ...baseEnv, DATABASE_URL: `file:${templateDb}` };
  await run("npx", ["prisma", "migrate", "deploy"], env);
  // The app's modules read the environment when first imported.
  Object.assign(process.env, env);
  await seedBenchShops(SHOPS);
  const { default: prisma } = await import("../app/db.server");
  // Everything into the main file, so a plain copy is a complete database.
  await prisma.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
  await prisma.$disconnect();
}

/** A fresh database for one phase: a copy of the template. */
function freshDatabase(name: string): string {
  const file = resolve(WORKDIR, `${name}.sqlite`);
  copyFileSync(templateDb, file);
  for (const suffix of ["-wal", "-shm"]) {
    if (existsSync(templateDb + suffix)) copyFileSync(templateDb + suffix, file + suffix);
  }
  return file;
}

async function openDatabase(file: string): Promise<PrismaClient> {
  const { createPrismaClient } = await import("../app/db.server");
  const client = createPrismaClient(`file:${file}`);
  clients.add(client);
  return client;
}

async function closeDatabase(client: PrismaClient): Promise<void> {
  clients.delete(client);
  await client.$disconnect();
}

/** Node flags for a child measured with --profile. */
function profileFlags(name: string): string[] {
  if (!config.profile) return [];
  return [
    "--import",
    "tsx",
    "--import",
    PRELOAD,
    "--cpu-prof",
    // One folder per process: tsx's loader thread writes a profile of its own.
    `--cpu-prof-dir=${resolve(PROFILE_DIR, name)}`,
  ];
}

function profileEnv(name: string): Record<string, string> {
  if (!config.profile) return {};
  return {
    BENCH_SQL_STATS_FILE: resolve(PROFILE_DIR, `${name}.sql.json`),
    BENCH_MEMORY_FILE: resolve(PROFILE_DIR, `${name}.memory.json`),
    BENCH_EXIT_ON_SIGTERM: "1",
  };
}

/** A child's database: a SQLite file of this run, or as the scale-out phase hands it over (PostgreSQL). */
function childDatabase(database: string | ChildDatabase): ChildDatabase {
  return typeof database === "string" ? { url: `file:${database}`, nodeFlags: [], env: {} } : database;
}

/**
 * The app's web server (server.ts with the build, as `npm start` runs it),
 * or `entry` (a script and its arguments) with the same flags and environment.
 */
async function startApp(
  name: string,
  database: string | ChildDatabase,
  { brilliantUrl, entry }: { brilliantUrl?: string; entry?: string[] } = {},
) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const db = childDatabase(database);
  const child = startChild(
    name,
    process.execPath,
    [
      ...APP_NODE_FLAGS,
      ...(config.profile ? profileFlags(name) : ["--import", "tsx"]),
      ...db.nodeFlags,
      ...(entry ?? [resolve(ROOT, "server.ts"), serverBuild]),
    ],
    {
      env: {
        ...baseEnv,
        ...profileEnv(name),
        ...db.env,
        PORT: String(port),
        DATABASE_URL: db.url,
        SHOPIFY_APP_URL: url,
        ...(brilliantUrl ? { BRILLIANT_API_BASE_URL: brilliantUrl } : {}),
      },
      logFile: resolve(WORKDIR, `${name}.log`),
      logDirectly: true,
    },
  );
  children.add(child);
  await waitForHttp(`${url}/`, 60_000, child);
  return { child, url };
}

const PACKAGE_SCRIPTS = (
  JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

/**
 * The heap limit `npm run worker` gives the worker (package.json), so that the
 * bench measures its memory as production runs it.
 */
const WORKER_HEAP_FLAGS = PACKAGE_SCRIPTS.worker!.split(/\s+/).filter(
  (word) => word.startsWith("--max-old-space-size") || word.startsWith("--max-semi-space-size"),
);

/** The V8 flags `npm start` gives the web server (package.json): the bench runs it as production does. */
const APP_NODE_FLAGS =
  args["app-node-flags"] !== undefined
    ? args["app-node-flags"].split(/\s+/).filter(Boolean)
    : PACKAGE_SCRIPTS.start!.split(/\s+/).filter((word) => /^--(max|single|min)-/.test(word));

async function startWorker(name: string, database: string | ChildDatabase, brilliantUrl: string) {
  const logFile = resolve(WORKDIR, `${name}.log`);
  const db = childDatabase(database);
  // `node --import tsx` (what `npm run worker` runs, minus the tsx launcher
  // process) so that this pid is the worker itself.
  const child = startChild(
    name,
    process.execPath,
    [
      ...WORKER_HEAP_FLAGS,
      ...(config.profile ? profileFlags(name) : ["--import", "tsx"]),
      ...db.nodeFlags,
      "app/worker/main.ts",
    ],
    {
      env: {
        ...baseEnv,
        ...profileEnv(name),
        ...workerKnobs,
        ...db.env,
        DATABASE_URL: db.url,
        BRILLIANT_API_BASE_URL: brilliantUrl,
        BRILLIANT_SYNC_SERVICE: "worker",
        WORKER_ID: name,
        // The worker logs nothing per order at info; "worker started" says it is up.
        LOG_LEVEL: "info",
      },
      logFile,
      logDirectly: true,
    },
  );
  children.add(child);
  const deadline = Date.now() + 60_000;
  while (!readLog(logFile).includes("worker started")) {
    if (child.process.exitCode !== null) throw new Error(`${name} exited: see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`${name} did not start within 60 s: see ${logFile}`);
    await sleep(100);
  }
  return child;
}

/**
 * A worker's first minutes read every shop's Brilliant catalog (the bench's
 * database has none yet; an installed app has them from the last 15 minutes,
 * so a restarted worker skips them). Those reads took the first ~1–2 s of the
 * end-to-end phase, which measures the pipeline's steady rate: it starts once
 * the workers have logged a catalog sync for every shop.
 */
async function startUpChoresDone(workerNames: string[]): Promise<void> {
  const started = performance.now();
  const deadline = Date.now() + 60_000;
  const synced = () =>
    workerNames.reduce(
      (sum, name) =>
        sum + readLog(resolve(WORKDIR, `${name}.log`)).split('"msg":"catalog synced"').length - 1,
      0,
    );
  while (synced() < SHOPS.length) {
    if (Date.now() > deadline) throw new Error(`the workers' catalog syncs did not end within 60 s`);
    await sleep(50);
  }
  say(`  workers' start-up catalog syncs done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

async function stop(child: Child) {
  await child.stop();
  children.delete(child);
}

/** The Brilliant simulator as a process of its own (`npm run simulator`), read through its control API. */
interface BenchSimulator {
  child: Child;
  /** Brilliant's base URL, as the app is configured with it. */
  url: string;
  acceptedCount(): Promise<number>;
  acceptedOrders(): Promise<AcceptedOrderRecord[]>;
  /** TCP connections the simulator accepted since it started. */
  connectionsOpened(): Promise<number>;
}

/**
 * Brilliant is another machine to the worker: its simulator runs in a process
 * of its own, so that its answers do not wait on this process's load
 * generator (200 connections' worth of work on one event loop).
 */
async function startBrilliant(name: string): Promise<BenchSimulator> {
  const port = await freePort();
  const child = startChild(
    name,
    process.execPath,
    ["--import", "tsx", "simulator/cli.ts", "--port", String(port), "--latency-ms", "0"],
    {
      env: { ...process.env, NODE_ENV: "production" },
      logFile: resolve(WORKDIR, `${name}.log`),
      logDirectly: true,
    },
  );
  children.add(child);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/__sim/health`, 60_000, child);
  const control = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${origin}/__sim${path}`);
    if (!response.ok) throw new Error(`simulator control ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    child,
    url: `${origin}/V2`,
    acceptedCount: async () => (await control<{ accepted: number }>("/orders/count")).accepted,
    connectionsOpened: async () => (await control<{ opened: number }>("/connections")).opened,
    acceptedOrders: async () => (await control<{ orders: AcceptedOrderRecord[] }>("/orders")).orders,
  };
}

// ------------------------------------------------------------------ phase 1: ingest

interface IngestRun extends LoadResult {
  cpu: Record<string, number>;
  /**
   * CPU time the server spent per answered request. Unlike req/s it hardly
   * depends on what else the machine is doing, so it is the steadier figure
   * on a shared machine.
   */
  serverCpuMsPerRequest: number | null;
}

interface IngestResults {
  /** The bare server's rounds together. */
  bare: IngestRun;
  /** The app's rounds together. */
  app: IngestRun & { storedOrders: number };
  /**
   * The app's webhook lane with an action that only authenticates
   * (scripts/bench/authenticate-only-server.ts), its rounds together: the
   * most the app can reach here while every webhook goes through
   * `authenticate.webhook`.
   */
  authenticateOnly: IngestRun;
  /**
   * The peer a user would otherwise write (scripts/bench/template-peer-server.ts:
   * the template's `authenticate.webhook`, then one Prisma insert), its
   * rounds together; `storedRows`: rows in its table at the end (one per 200).
   */
  templatePeer: IngestRun & { storedRows: number };
  /** The same app at each of PACED_WEBHOOKS_PER_SECOND over the same connections, after the flat-out rounds. */
  appPaced: Array<IngestRun & { ratePerSecond: number }>;
  /** Acks (200s) per second flat out, over all rounds: the app and the template peer. */
  appAcksPerSecond: number;
  peerAcksPerSecond: number;
  /** App / peer acks per second, over all rounds, and of each round. */
  appOverPeer: number;
  roundAppOverPeer: number[];
  /** peer / app CPU time per request: app / peer with a core each to themselves. */
  cpuAppOverPeer: number | null;
  /** App / bare req/s, over all rounds (information; no longer a target). */
  ratio: number;
  /** App / bare req/s of each round (the app against the bare server measured just before it). */
  roundRatios: number[];
  /** bare / app CPU time per request: the ratio the servers would reach with a core each to themselves. */
  cpuRatio: number | null;
}

/** 200 answers per second in a run's measured window. */
const acksPerSecond = (run: LoadResult) => (run.durationMs > 0 ? (run.ok / run.durationMs) * 1000 : 0);
const ratioOf = (a: number, b: number) => (b > 0 ? a / b : 0);

async function measureIngest(
  name: string,
  url: string,
  processes: Record<string, number>,
  firstOrderId: number,
  window: { warmupMs: number; durationMs: number; ratePerSecond?: number },
): Promise<IngestRun> {
  let cpuWindow: CpuWindow | null = null;
  let fromUs = 0;
  const result = await runLoad({
    url: `${url}/webhooks/orders/paid`,
    connections: config.connections,
    ratePerSecond: window.ratePerSecond,
    warmupMs: window.warmupMs,
    durationMs: window.durationMs,
    request: signedOrderRequests({ shops: SHOPS, secret: SECRET, firstOrderId }),
    onWindowStart: () => {
      fromUs = nowUs();
      cpuWindow = new CpuWindow({ ...processes, "bench (load generator)": process.pid }, ["app"]);
    },
  });
  // Over all of a server's rounds (--profile summarises the process over this span).
  profileWindows[name] = { fromUs: profileWindows[name]?.fromUs ?? fromUs, toUs: nowUs() };
  const cpu = (cpuWindow as CpuWindow | null)?.close() ?? {};
  const server = cpu[Object.keys(processes)[0]!];
  return {
    ...result,
    cpu,
    serverCpuMsPerRequest:
      server === undefined || result.requests === 0
        ? null
        : ((server / 100) * result.durationMs) / result.requests,
  };
}

/** One server's rounds as one run: CPU shares weighted by each round's time, CPU per request over all. */
function mergeIngestRuns(runs: readonly IngestRun[]): IngestRun {
  const merged = mergeLoadResults(runs);
  const cpu: Record<string, number> = {};
  for (const run of runs) {
    for (const [name, share] of Object.entries(run.cpu)) {
      cpu[name] = (cpu[name] ?? 0) + (share * run.durationMs) / merged.durationMs;
    }
  }
  for (const name of Object.keys(cpu)) cpu[name] = Math.round(cpu[name]!);
  const measured = runs.filter((run) => run.serverCpuMsPerRequest !== null);
  const measuredRequests = measured.reduce((sum, run) => sum + run.requests, 0);
  return {
    ...merged,
    cpu,
    serverCpuMsPerRequest:
      measuredRequests === 0
        ? null
        : measured.reduce((sum, run) => sum + run.serverCpuMsPerRequest! * run.requests, 0) /
          measuredRequests,
  };
}

/**
 * The servers take turns (`--rounds`, 3 by default): bare, app, (the app
 * moves its inbox), authenticate-only lane, template peer, then again… each
 * measured for its share of `--duration`. This VM's speed drifts by tens of
 * percent within a minute; measured one after the other, the servers could
 * each meet a different stretch of it, and the ratios moved with that
 * (docs/performance.md).
 */
async function ingestPhase(): Promise<IngestResults> {
  const rounds = config.ingestRounds;
  const windowMs = config.durationMs / rounds;
  const laterWarmupMs = Math.min(config.warmupMs, 1_000);
  say(
    `\n[1/3] Ingest: ${config.connections} connections; the bare server, the app, its authenticate-only lane and the template peer take turns, ${rounds} round${rounds === 1 ? "" : "s"} of ${seconds1(windowMs / 1000)} each (warm-up ${seconds1(config.warmupMs / 1000)}, then ${seconds1(laterWarmupMs / 1000)})`,
  );

  const barePort = await freePort();
  const bareUrl = `http://127.0.0.1:${barePort}`;
  const bare = startChild(
    "bare-hmac-server",
    process.execPath,
    ["--import", "tsx", resolve(ROOT, "scripts/bench/bare-hmac-server.ts")],
    {
      env: { ...process.env, SHOPIFY_API_SECRET: SECRET, PORT: String(barePort) },
      logFile: resolve(WORKDIR, "bare-hmac-server.log"),
      logDirectly: true,
    },
  );
  children.add(bare);
  await waitForHttp(`${bareUrl}/`, 30_000, bare);
  const dbFile = freshDatabase("ingest");
  const app = await startApp("app-ingest", dbFile);
  // The app's environment and database (its sessions); it writes nothing.
  const authOnly = await startApp("authenticate-only-server", dbFile, {
    entry: [resolve(ROOT, "scripts/bench/authenticate-only-server.ts")],
  });
  // A database of its own (a copy of the template: the same sessions), so it
  // disturbs nothing of the app's; the same flags and environment.
  const peerDbFile = freshDatabase("template-peer");
  const peer = await startApp("template-peer-server", peerDbFile, {
    entry: [resolve(ROOT, "scripts/bench/template-peer-server.ts")],
  });

  const bareRuns: IngestRun[] = [];
  const appRuns: IngestRun[] = [];
  const authRuns: IngestRun[] = [];
  const peerRuns: IngestRun[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const window = { warmupMs: round === 0 ? config.warmupMs : laterWarmupMs, durationMs: windowMs };
    // Each round's orders are new to the app: a repeated order id would be a cheaper duplicate.
    const firstOrderId = 7_100_000_000 + round * 100_000_000;
    const measure = (name: string, url: string, server: string, pid: number) =>
      measureIngest(name, url, { [server]: pid }, firstOrderId, window);
    bareRuns.push(await measure("bare-hmac-server", bareUrl, "bare server", bare.process.pid!));
    appRuns.push(await measure("app-ingest", app.url, "app", app.child.process.pid!));
    const drain = await inboxDrained(dbFile);
    // After the app's moves, which would take CPU from it.
    authRuns.push(
      await measure(
        "authenticate-only-server",
        authOnly.url,
        "authenticate-only lane",
        authOnly.child.process.pid!,
      ),
    );
    peerRuns.push(await measure("template-peer-server", peer.url, "template peer", peer.child.process.pid!));
    say(
      `  round ${round + 1}: bare ${rate(bareRuns[round]!.requestsPerSecond)} req/s, app ${rate(appRuns[round]!.requestsPerSecond)} req/s; then the app moved its inbox into Order, ${drain}; authenticate-only lane ${rate(authRuns[round]!.requestsPerSecond)} req/s; template peer ${rate(acksPerSecond(peerRuns[round]!))} acks/s`,
    );
  }
  await stop(bare);
  await stop(authOnly.child);
  await stop(peer.child);
  const bareRun = mergeIngestRuns(bareRuns);
  const appRun = mergeIngestRuns(appRuns);
  const authRun = mergeIngestRuns(authRuns);
  const peerRun = mergeIngestRuns(peerRuns);
  const peerClient = await openDatabase(peerDbFile);
  const counted = await peerClient.$queryRawUnsafe<Array<{ rows: bigint | number }>>(
    `SELECT COUNT(*) AS "rows" FROM "TemplatePeerOrder"`,
  );
  await closeDatabase(peerClient);
  const storedPeerRows = Number(counted[0]?.rows ?? 0);
  say(
    `  bare node:http + HMAC: ${rate(bareRun.requestsPerSecond)} req/s, p50 ${ms(bareRun.latencyMs.p50)}, p99 ${ms(bareRun.latencyMs.p99)}`,
  );
  say(
    `  the app's lane, authenticate.webhook only: ${rate(authRun.requestsPerSecond)} req/s, p50 ${ms(authRun.latencyMs.p50)}, p99 ${ms(authRun.latencyMs.p99)}`,
  );
  say(
    `  template peer (authenticate.webhook + one Prisma insert): ${rate(acksPerSecond(peerRun))} acks/s, p50 ${ms(peerRun.latencyMs.p50)}, p99 ${ms(peerRun.latencyMs.p99)}; ${storedPeerRows} rows stored for ${peerRun.okIncludingWarmup} acks (all rounds)`,
  );

  const pacedRuns: IngestResults["appPaced"] = [];
  for (const [i, ratePerSecond] of PACED_WEBHOOKS_PER_SECOND.entries()) {
    // Each paced run starts with the app's inbox moved, as the rounds do.
    if (i > 0) say(`  then the app moved its inbox into Order, ${await inboxDrained(dbFile)}`);
    const run = await measureIngest(
      `app-ingest-paced-${ratePerSecond}`,
      app.url,
      { app: app.child.process.pid! },
      7_000_000_000 - i * 100_000_000,
      { warmupMs: config.warmupMs, durationMs: config.durationMs, ratePerSecond },
    );
    pacedRuns.push({ ...run, ratePerSecond });
  }
  await stop(app.child);
  const client = await openDatabase(dbFile);
  const storedOrders = await storedOrderCount(client);
  // No worker runs in this phase: the web process moves its inbox once webhooks pause.
  const inInbox = await client.orderInbox.count();
  await closeDatabase(client);
  say(
    `  app /webhooks/orders/paid: ${rate(acksPerSecond(appRun))} acks/s, p50 ${ms(appRun.latencyMs.p50)}, p99 ${ms(appRun.latencyMs.p99)}; ${storedOrders} orders stored (${inInbox} in the inbox) for ${appRun.okIncludingWarmup + pacedRuns.reduce((sum, run) => sum + run.okIncludingWarmup, 0)} acks (all runs)`,
  );
  for (const run of pacedRuns) {
    say(
      `  app at ${rate(run.ratePerSecond)} webhooks/s: ${rate(acksPerSecond(run))} acks/s, p50 ${ms(run.latencyMs.p50)}, p99 ${ms(run.latencyMs.p99)}`,
    );
  }

  return {
    bare: bareRun,
    app: { ...appRun, storedOrders },
    authenticateOnly: authRun,
    templatePeer: { ...peerRun, storedRows: storedPeerRows },
    appPaced: pacedRuns,
    appAcksPerSecond: acksPerSecond(appRun),
    peerAcksPerSecond: acksPerSecond(peerRun),
    appOverPeer: ratioOf(acksPerSecond(appRun), acksPerSecond(peerRun)),
    roundAppOverPeer: appRuns.map((run, round) =>
      ratioOf(acksPerSecond(run), acksPerSecond(peerRuns[round]!)),
    ),
    cpuAppOverPeer:
      peerRun.serverCpuMsPerRequest && appRun.serverCpuMsPerRequest
        ? peerRun.serverCpuMsPerRequest / appRun.serverCpuMsPerRequest
        : null,
    ratio: ratioOf(appRun.requestsPerSecond, bareRun.requestsPerSecond),
    roundRatios: appRuns.map((run, round) =>
      ratioOf(run.requestsPerSecond, bareRuns[round]!.requestsPerSecond),
    ),
    cpuRatio:
      bareRun.serverCpuMsPerRequest && appRun.serverCpuMsPerRequest
        ? bareRun.serverCpuMsPerRequest / appRun.serverCpuMsPerRequest
        : null,
  };
}

/**
 * Waits until the app's web process has moved its orders/paid inbox into
 * Order (it does once webhooks pause: decision 012), so that the moves use
 * no CPU during the next measurement (the bare server's, which they would
 * slow). Says how many orders that was and how long it took.
 */
async function inboxDrained(dbFile: string, timeoutMs = 120_000): Promise<string> {
  const client = await openDatabase(dbFile);
  try {
    const started = performance.now();
    const first = await client.orderInbox.count();
    let left = first;
    while (left > 0 && performance.now() - started < timeoutMs) {
      await sleep(100);
      left = await client.orderInbox.count();
    }
    if (left > 0) throw new Error(`the app's inbox still held ${left} orders after ${timeoutMs / 1000} s`);
    const seconds = (performance.now() - started) / 1000;
    return `the ${first.toLocaleString("en-US")} orders still there after the round in ${seconds1(seconds)}${first > 0 ? ` (~${rate(first / seconds)}/s)` : ""}`;
  } finally {
    await closeDatabase(client);
  }
}

/**
 * Orders the app holds: in Order, and still in the inbox (decision 012),
 * where an orders/paid webhook puts them until the worker moves them.
 */
async function storedOrderCount(client: PrismaClient): Promise<number> {
  return (await client.order.count()) + (await client.orderInbox.count());
}

// ------------------------------------------------------------------ phase 2: end to end

interface EndToEndResults {
  orders: number;
  workers: number;
  sent: LoadResult;
  storedOrders: number;
  forwarded1200: number;
  completed: boolean;
  /** First send until every stored order is forwarded with 1200. */
  seconds: number;
  ordersPerSecond: number;
  /** First send until the last webhook was acknowledged. */
  ackSeconds: number;
  /** First send until half, and 99%, of the orders were forwarded. */
  halfSeconds: number | null;
  p99Seconds: number | null;
  statesAtEnd: Record<string, number>;
  brilliantReceived: number;
  brilliantDistinct: number;
  duplicates: number;
  /** TCP connections the simulator accepted during the run (the workers', and the bench's own reads). */
  brilliantConnections: number;
  progress: Array<{ second: number; forwarded: number }>;
  /** Orders each worker sent (ForwardAttempt.workerId). */
  attemptsByWorker: Record<string, number>;
  cpu: Record<string, number>;
  /** CPU time per forwarded order: the app (ingest), the workers, and the two together. */
  cpuMsPerOrder: { app: number; workers: number; appAndWorkers: number } | null;
  /** 2 cores divided by the app's and the workers' CPU per order: the rate if CPU were all that limited it. */
  cpuBoundOrdersPerSecond: number | null;
}

async function endToEndPhase(): Promise<EndToEndResults> {
  say(
    `\n[2/3] End to end: ${config.orders} orders over ${config.shops} shops, ${config.workers} worker process(es)`,
  );
  const dbFile = freshDatabase("e2e");
  const simulator = await startBrilliant("simulator-e2e");
  const app = await startApp("app-e2e", dbFile, { brilliantUrl: simulator.url });
  const workers = await Promise.all(
    Array.from({ length: config.workers }, (_, i) =>
      startWorker(`worker-e2e-${i + 1}`, dbFile, simulator.url),
    ),
  );
  await startUpChoresDone(workers.map((worker) => worker.name));
  const client = await openDatabase(dbFile);
  const processes: Record<string, number> = { app: app.child.process.pid! };
  workers.forEach((worker) => (processes[worker.name] = worker.process.pid!));
  processes.simulator = simulator.child.process.pid!;
  processes["bench (load generator)"] = process.pid;

  const connectionsBefore = await simulator.connectionsOpened();
  const window = new CpuWindow(processes, ["app"]);
  const t0 = performance.now();
  const t0Us = nowUs();
  let ackedAt = 0;
  let allAcked = false;
  const load = runLoad({
    url: `${app.url}/webhooks/orders/paid`,
    connections: config.connections,
    requests: config.orders,
    request: signedOrderRequests({ shops: SHOPS, secret: SECRET, firstOrderId: 7_200_000_000 }),
  }).then((result) => {
    ackedAt = performance.now();
    allAcked = true;
    return result;
  });

  const forwardedNow = () => client.order.count({ where: { state: "forwarded", lastCode: 1200 } });
  const progress: EndToEndResults["progress"] = [];
  let storedOrders = -1;
  let forwarded = 0;
  let doneAt = 0;
  let halfAt = 0;
  let p99At = 0;
  let nextProgress = 1;
  // Progress is read from the simulator (its count of the orders Brilliant
  // accepted), not from the database: this process also runs the load
  // generator, and a query every 50 ms on SQLite (synchronous here) stalled
  // it. The database is asked only once Brilliant has as many orders as were
  // stored: the run ends when it holds every stored order as forwarded with 1200.
  const acceptedNow = () => simulator.acceptedCount();
  while (performance.now() - t0 < config.e2eTimeoutMs) {
    await sleep(50);
    const accepted = await acceptedNow();
    const elapsed = (performance.now() - t0) / 1000;
    if (elapsed >= nextProgress) {
      progress.push({ second: Math.round(elapsed * 10) / 10, forwarded: accepted });
      nextProgress += 1;
    }
    if (allAcked && storedOrders < 0) storedOrders = await storedOrderCount(client);
    // Of the orders stored once all were sent; of those sent until then.
    const base = storedOrders > 0 ? storedOrders : config.orders;
    if (!halfAt && accepted >= base * 0.5) halfAt = performance.now();
    if (!p99At && accepted >= base * 0.99) p99At = performance.now();
    if (!allAcked || accepted < base) continue;
    // Requests the load generator gave up on may still be stored late: count again each time.
    storedOrders = await storedOrderCount(client);
    forwarded = await forwardedNow();
    if (forwarded >= storedOrders) {
      doneAt = performance.now();
      break;
    }
  }
  if (!doneAt) forwarded = await forwardedNow();
  const cpu = window.close();
  for (const name of Object.keys(processes)) profileWindows[name] = { fromUs: t0Us, toUs: nowUs() };
  const loadResult = await load;
  if (storedOrders < 0) storedOrders = await storedOrderCount(client);
  const end = doneAt || performance.now();
  const groups = await client.order.groupBy({ by: ["state"], _count: { _all: true } });
  const statesAtEnd = Object.fromEntries(groups.map((group) => [group.state, group._count._all]));
  const attemptsByWorker = await countAttemptsByWorker(client);

  const received = await simulator.acceptedOrders();
  const brilliantConnections = (await simulator.connectionsOpened()) - connectionsBefore;
  const distinct = new Set(
    received.map(
      (record) =>
        `${String(record.order.custom_data?.["shopify_shop"])}/${String(record.order.custom_data?.["shopify_order_id"])}`,
    ),
  );
  await Promise.all(workers.map(stop));
  await stop(app.child);
  await stop(simulator.child);
  await closeDatabase(client);

  const seconds = (end - t0) / 1000;
  const result: EndToEndResults = {
    orders: config.orders,
    workers: config.workers,
    sent: loadResult,
    storedOrders,
    forwarded1200: forwarded,
    completed: doneAt > 0,
    seconds,
    ordersPerSecond: seconds > 0 ? forwarded / seconds : 0,
    ackSeconds: (ackedAt - t0) / 1000,
    halfSeconds: halfAt ? (halfAt - t0) / 1000 : null,
    p99Seconds: p99At ? (p99At - t0) / 1000 : null,
    statesAtEnd,
    brilliantReceived: received.length,
    brilliantDistinct: distinct.size,
    duplicates: received.length - distinct.size,
    brilliantConnections,
    progress,
    attemptsByWorker,
    cpu,
    ...perOrderCpu(cpu, seconds, forwarded),
  };
  say(
    `  ${forwarded}/${storedOrders} forwarded with 1200 in ${seconds.toFixed(1)} s: ${rate(result.ordersPerSecond)} orders/s (all acked after ${result.ackSeconds.toFixed(1)} s; 50% forwarded after ${seconds1(result.halfSeconds)}, 99% after ${seconds1(result.p99Seconds)}); Brilliant received ${received.length} on ${brilliantConnections} connections, duplicates ${result.duplicates}`,
  );
  return result;
}

// ------------------------------------------------------------------ phase 3: worker memory

interface RssResults {
  backlog: number;
  insertSeconds: number;
  seconds: number;
  samples: Array<{ second: number; rssMiB: number; forwarded?: number }>;
  minMiB: number;
  maxMiB: number;
  lastMiB: number;
  firstHalfMaxMiB: number;
  secondHalfMaxMiB: number;
  /** Least-squares slope over the samples after the warm-up, MiB per minute. */
  slopeMiBPerMinute: number;
  flat: boolean;
  forwarded: number;
  ordersPerSecond: number;
  attemptsByWorker: Record<string, number>;
  cpu: Record<string, number>;
  workerCpuMsPerOrder: number | null;
}

async function rssPhase(): Promise<RssResults> {
  say(
    `\n[3/3] Worker memory: ${config.backlog.toLocaleString("en-US")} orders backlogged, one worker, RSS sampled for ${config.rssSeconds} s`,
  );
  const dbFile = freshDatabase("rss");
  const client = await openDatabase(dbFile);
  const insertStart = performance.now();
  insertBacklog(dbFile, config.backlog);
  const insertSeconds = (performance.now() - insertStart) / 1000;
  say(
    `  inserted ${config.backlog.toLocaleString("en-US")} received orders in ${insertSeconds.toFixed(1)} s`,
  );

  const simulator = await startBrilliant("simulator-rss");
  const worker = await startWorker("worker-rss", dbFile, simulator.url);
  const pid = worker.process.pid!;
  const window = new CpuWindow({ worker: pid, simulator: simulator.child.process.pid! });
  const forwardedNow = () => client.order.count({ where: { state: "forwarded" } });
  const forwardedAtStart = await forwardedNow();
  const samples: RssResults["samples"] = [];
  const t0 = performance.now();
  const t0Us = nowUs();
  for (let second = 0; second <= config.rssSeconds; second++) {
    const wait = t0 + second * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
    const rss = rssMiB(pid);
    if (rss === null)
      throw new Error(`the worker exited during the memory phase: see ${WORKDIR}/worker-rss.log`);
    const sample: RssResults["samples"][number] = { second, rssMiB: round1(rss) };
    if (second % 5 === 0) sample.forwarded = await forwardedNow();
    samples.push(sample);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = window.close();
  profileWindows["worker-rss"] = { fromUs: t0Us, toUs: nowUs() };
  const forwarded = (await forwardedNow()) - forwardedAtStart;
  const attemptsByWorker = await countAttemptsByWorker(client);
  await stop(worker);
  await stop(simulator.child);
  await closeDatabase(client);

  const values = samples.map((sample) => sample.rssMiB);
  // The first seconds are start-up (JIT, first queries); flatness is judged after them.
  const warm = samples.filter((sample) => sample.second >= Math.min(5, config.rssSeconds / 4));
  const half = Math.floor(warm.length / 2);
  const firstHalfMax = Math.max(...warm.slice(0, half).map((sample) => sample.rssMiB));
  const secondHalfMax = Math.max(...warm.slice(half).map((sample) => sample.rssMiB));
  const slope = slopePerMinute(warm.map((sample) => [sample.second, sample.rssMiB]));
  const result: RssResults = {
    backlog: config.backlog,
    insertSeconds,
    seconds,
    samples,
    minMiB: Math.min(...values),
    maxMiB: Math.max(...values),
    lastMiB: values[values.length - 1] ?? 0,
    firstHalfMaxMiB: firstHalfMax,
    secondHalfMaxMiB: secondHalfMax,
    slopeMiBPerMinute: round1(slope),
    // Flat: the second half never rises more than 10% (or 8 MiB) above the first half's peak.
    flat: secondHalfMax <= Math.max(firstHalfMax * 1.1, firstHalfMax + 8),
    forwarded,
    ordersPerSecond: seconds > 0 ? forwarded / seconds : 0,
    attemptsByWorker,
    cpu,
    workerCpuMsPerOrder:
      cpu.worker !== undefined && forwarded > 0 ? ((cpu.worker / 100) * seconds * 1000) / forwarded : null,
  };
  say(
    `  RSS min ${result.minMiB} / max ${result.maxMiB} / last ${result.lastMiB} MiB; 1st half max ${firstHalfMax}, 2nd half max ${secondHalfMax} MiB; drained ${forwarded} orders (${rate(result.ordersPerSecond)}/s)`,
  );
  return result;
}

function perOrderCpu(
  cpu: Record<string, number>,
  seconds: number,
  orders: number,
): Pick<EndToEndResults, "cpuMsPerOrder" | "cpuBoundOrdersPerSecond"> {
  if (orders === 0 || cpu.app === undefined) return { cpuMsPerOrder: null, cpuBoundOrdersPerSecond: null };
  const msPerOrder = (percent: number) => ((percent / 100) * seconds * 1000) / orders;
  const workers = Object.entries(cpu)
    .filter(([name]) => name.startsWith("worker"))
    .reduce((sum, [, percent]) => sum + percent, 0);
  const app = msPerOrder(cpu.app);
  const workerMs = msPerOrder(workers);
  return {
    cpuMsPerOrder: { app, workers: workerMs, appAndWorkers: app + workerMs },
    cpuBoundOrdersPerSecond: app + workerMs > 0 ? (availableParallelism() * 1000) / (app + workerMs) : null,
  };
}

async function countAttemptsByWorker(client: PrismaClient): Promise<Record<string, number>> {
  const rows = await client.forwardAttempt.groupBy({ by: ["workerId"], _count: { _all: true } });
  return Object.fromEntries(rows.map((row) => [row.workerId ?? "?", row._count._all]));
}

/**
 * 100k `received` orders straight into the table, as ingest would leave them
 * (the ingest path is not what this phase measures), through better-sqlite3
 * itself in one transaction: through Prisma this takes a minute. Dates are
 * written as the driver adapter writes them (ISO 8601 with +00:00).
 */
function insertBacklog(dbFile: string, count: number): void {
  // The copy Prisma's SQLite adapter uses; this project does not depend on it directly.
  const require = createRequire(resolve(ROOT, "node_modules/@prisma/adapter-better-sqlite3/package.json"));
  const Database = require("better-sqlite3") as new (file: string) => {
    prepare(sql: string): { run(...values: unknown[]): unknown };
    transaction(fn: () => void): () => void;
    pragma(sql: string): unknown;
    close(): void;
  };
  const bodyFor = orderBodyFactory();
  const now = new Date().toISOString().replace("Z", "+00:00");
  const db = new Database(dbFile);
  try {
    db.pragma("busy_timeout = 5000");
    const insert = db.prepare(
      `INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "payload", "firstWebhookId", "state",
         "stateReason", "nextAttemptAt", "shopifyCreatedAt", "createdAt", "updatedAt")
       VALUES (?, ?, ?, ?, ?, ?, 'received', 'Received from Shopify; waiting for the forwarder.', ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const shopifyOrderId = 7_300_000_000 + i;
        insert.run(
          `bench-backlog-${String(i).padStart(7, "0")}`,
          SHOPS[i % SHOPS.length],
          String(shopifyOrderId),
          `#${300_000 + i}`,
          bodyFor(shopifyOrderId, 300_000 + i),
          `bench-${shopifyOrderId}`,
          now,
          now,
          now,
          now,
        );
      }
    })();
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------ profiles

interface ProfileReport {
  cpu: Record<string, ProfileSummary>;
  sql: Record<string, SqlReport>;
}

interface SqlReport {
  statements: number;
  sqliteMs: number;
  slowStatements: number;
  top: Array<{ sql: string; count: number; totalMs: number; maxMs: number; slow: number }>;
}

function collectProfiles(): ProfileReport {
  const report: ProfileReport = { cpu: {}, sql: {} };
  if (!existsSync(PROFILE_DIR)) return report;
  for (const file of readdirSync(PROFILE_DIR).sort()) {
    const path = resolve(PROFILE_DIR, file);
    if (statSync(path).isDirectory()) {
      // The main thread's profile: thread id 0 in V8's default file name.
      const main = readdirSync(path).find((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name));
      if (main) report.cpu[file] = summariseProfile(resolve(path, main), 15, profileWindows[file]);
    } else if (file.endsWith(".sql.json")) {
      const stats = JSON.parse(readFileSync(path, "utf8")) as {
        statements: Array<{ sql: string; count: number; totalMs: number; maxMs: number; slow: number }>;
      };
      report.sql[basename(file, ".sql.json")] = {
        statements: stats.statements.reduce((sum, row) => sum + row.count, 0),
        sqliteMs: stats.statements.reduce((sum, row) => sum + row.totalMs, 0),
        slowStatements: stats.statements.reduce((sum, row) => sum + row.slow, 0),
        top: stats.statements.slice(0, 25),
      };
    }
  }
  return report;
}

function printProfiles(report: ProfileReport, perOrder: Record<string, number>) {
  say("\nProfiles (self time; see profiles/ in the run's folder for the .cpuprofile files):");
  for (const [name, summary] of Object.entries(report.cpu)) say(`\n${formatProfileSummary(name, summary)}`);
  say("\nSQL statements (better-sqlite3, synchronous: time inside SQLite includes waiting for locks):");
  for (const [name, sql] of Object.entries(report.sql)) {
    const orders = perOrder[name];
    say(
      `\n${name}: ${sql.statements} statements${orders ? ` (${(sql.statements / orders).toFixed(1)} per order)` : ""}, ${(sql.sqliteMs / 1000).toFixed(2)} s inside SQLite, ${sql.slowStatements} took ≥ 10 ms`,
    );
    for (const row of sql.top.slice(0, 12)) {
      say(
        `  ${String(row.count).padStart(7)}× ${row.totalMs.toFixed(0).padStart(6)} ms (max ${row.maxMs.toFixed(0)} ms)  ${row.sql.slice(0, 140)}`,
      );
    }
  }
}

// ------------------------------------------------------------------ report

function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  const meminfo = readFileSync("/proc/meminfo", "utf8");
  const memKiB = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  return {
    nproc: availableParallelism(),
    cpuModel: model,
    memoryGiB: Math.round((memKiB / 1024 / 1024) * 10) / 10,
    node: process.version,
    kernel: release(),
    loadAverageAtStart: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
  };
}

const rate = (value: number) => Math.round(value).toLocaleString("en-US");
const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
const round1 = (value: number) => Math.round(value * 10) / 10;
const cpuMs = (value: number | null) => (value === null ? "n/a" : `${value.toFixed(2)} ms CPU`);
const seconds1 = (value: number | null) => (value === null ? "never" : `${value.toFixed(1)} s`);
const mark = (pass: boolean) => (pass ? "PASS" : "MISS");

function slopePerMinute(points: Array<[number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const meanX = points.reduce((s, [x]) => s + x, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

function printTable(results: { ingest?: IngestResults; e2e?: EndToEndResults; rss?: RssResults }) {
  const rows: Array<[string, string, string, string]> = [];
  const { ingest, e2e, rss } = results;
  if (ingest) {
    const line = (run: IngestRun, unit = "req/s") =>
      run.requests === 0
        ? `no answer within the ${config.durationMs / 1000} s measured (${run.okIncludingWarmup} acks in all)`
        : `${rate(unit === "acks/s" ? acksPerSecond(run) : run.requestsPerSecond)} ${unit}, p50 ${ms(run.latencyMs.p50)}, p99 ${ms(run.latencyMs.p99)}, non-200 ${run.non200}, no answer ${run.failures}, ${cpuMs(run.serverCpuMsPerRequest)} per webhook`;
    const rounds = (ratios: number[]) =>
      ratios.length > 1 ? ` (rounds: ${ratios.map((ratio) => ratio.toFixed(2)).join(", ")})` : "";
    const clean = (run: LoadResult) => run.requests > 0 && run.non200 + run.failures === 0;
    rows.push(["Ingest, bare node:http + HMAC", line(ingest.bare), "", ""]);
    rows.push([
      `Ingest, app /webhooks/orders/paid, flat out, ${config.connections} conns`,
      line(ingest.app, "acks/s"),
      `≥ ${rate(TARGETS.appAcksPerSecond)} acks/s`,
      mark(clean(ingest.app) && ingest.appAcksPerSecond >= TARGETS.appAcksPerSecond),
    ]);
    // What the app cannot go below on this machine: no target of its own.
    rows.push(["  the app's lane, authenticate.webhook only", line(ingest.authenticateOnly), "", ""]);
    rows.push([
      "Ingest, peer (template route: authenticate.webhook + one Prisma insert)",
      `${line(ingest.templatePeer, "acks/s")}; ${ingest.templatePeer.storedRows} rows for ${ingest.templatePeer.okIncludingWarmup} acks`,
      "",
      "",
    ]);
    rows.push([
      "Ingest acks app / peer",
      `${ingest.appOverPeer.toFixed(2)}×${rounds(ingest.roundAppOverPeer)}`,
      `≥ ${TARGETS.appOverPeer}×`,
      mark(clean(ingest.app) && ingest.appOverPeer >= TARGETS.appOverPeer),
    ]);
    rows.push([
      "  by CPU per request (peer / app)",
      ingest.cpuAppOverPeer === null
        ? "n/a"
        : `${ingest.cpuAppOverPeer.toFixed(2)}× (${cpuMs(ingest.templatePeer.serverCpuMsPerRequest)} vs ${cpuMs(ingest.app.serverCpuMsPerRequest)} per webhook)`,
      "",
      "",
    ]);
    // Information since the targets above replaced it.
    rows.push(["Ingest ratio app / bare", `${ingest.ratio.toFixed(2)}${rounds(ingest.roundRatios)}`, "", ""]);
    rows.push([
      "  by CPU per request (bare / app)",
      ingest.cpuRatio === null
        ? "n/a"
        : `${ingest.cpuRatio.toFixed(3)} (${cpuMs(ingest.bare.serverCpuMsPerRequest)} vs ${cpuMs(ingest.app.serverCpuMsPerRequest)} per webhook)`,
      "",
      "",
    ]);
    // Information, not a target: in a closed loop every connection always has
    // a request waiting, so the acks queue for ~connections / throughput.
    rows.push([
      `Ack latency p99, app flat out, ${config.connections} conns`,
      ingest.app.requests === 0
        ? "n/a: no answer in the window"
        : `${ms(ingest.app.latencyMs.p99)} (closed loop: ≈ 2 × ${config.connections} / ${rate(ingest.app.requestsPerSecond)} req/s = ${ms((2 * config.connections * 1000) / Math.max(ingest.app.requestsPerSecond, 1))})`,
      "",
      "",
    ]);
    for (const run of ingest.appPaced) {
      rows.push([
        `Ack latency p99, app paced at ${rate(run.ratePerSecond)} webhooks/s`,
        line(run, "acks/s"),
        `≤ ${TARGETS.ackP99Ms} ms`,
        mark(clean(run) && run.latencyMs.p99 <= TARGETS.ackP99Ms),
      ]);
    }
  }
  if (e2e) {
    rows.push([
      `End to end, ${e2e.orders} orders, ${e2e.workers} workers`,
      `${rate(e2e.ordersPerSecond)} orders/s (${e2e.forwarded1200}/${e2e.storedOrders} in ${e2e.seconds.toFixed(1)} s)`,
      `≥ ${TARGETS.endToEndOrdersPerSecond}/s`,
      mark(e2e.completed && e2e.ordersPerSecond >= TARGETS.endToEndOrdersPerSecond),
    ]);
    if (e2e.cpuMsPerOrder) {
      rows.push([
        "  CPU per order (app + workers)",
        `${cpuMs(e2e.cpuMsPerOrder.appAndWorkers)} (app ${e2e.cpuMsPerOrder.app.toFixed(2)}, workers ${e2e.cpuMsPerOrder.workers.toFixed(2)}): at most ${rate(e2e.cpuBoundOrdersPerSecond ?? 0)} orders/s on ${availableParallelism()} idle cores`,
        `≥ ${TARGETS.endToEndOrdersPerSecond}/s`,
        mark((e2e.cpuBoundOrdersPerSecond ?? 0) >= TARGETS.endToEndOrdersPerSecond),
      ]);
    }
    // Flat out on `--connections`, a closed loop like the ingest rounds': information, not a target.
    rows.push([
      "Webhook acks while the workers run",
      `p50 ${ms(e2e.sent.latencyMs.p50)}, p99 ${ms(e2e.sent.latencyMs.p99)}; ${e2e.sent.over5s} of ${e2e.orders} over 5 s or unanswered`,
      "",
      "",
    ]);
    rows.push([
      "Each stored order sent to Brilliant once",
      `${e2e.brilliantReceived} received for ${e2e.storedOrders} stored, ${e2e.duplicates} duplicates`,
      "equal, 0",
      mark(e2e.brilliantReceived === e2e.storedOrders && e2e.duplicates === 0),
    ]);
  }
  if (rss) {
    rows.push([
      `Worker RSS, ${rss.backlog.toLocaleString("en-US")} backlogged`,
      `max ${rss.maxMiB} MiB (min ${rss.minMiB}, last ${rss.lastMiB})`,
      `≤ ${TARGETS.workerRssMiB} MiB`,
      mark(rss.maxMiB <= TARGETS.workerRssMiB),
    ]);
    rows.push([
      "Worker RSS flat",
      `1st half max ${rss.firstHalfMaxMiB}, 2nd half max ${rss.secondHalfMaxMiB} MiB; ${rss.slopeMiBPerMinute >= 0 ? "+" : ""}${rss.slopeMiBPerMinute} MiB/min`,
      "flat",
      mark(rss.flat),
    ]);
    rows.push([
      "Worker drain, 1 worker",
      `${rate(rss.ordersPerSecond)} orders/s, ${cpuMs(rss.workerCpuMsPerOrder)} per order`,
      "",
      "",
    ]);
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length), 6));
  say("\nResults");
  for (const row of rows) say(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`);

  const cpuLine = (label: string, cpu: Record<string, number>) =>
    say(
      `  ${label}: ${Object.entries(cpu)
        .map(([name, pct]) => `${name} ${pct}%`)
        .join(", ")}`,
    );
  say("\nCPU, % of one core during each measurement (2 cores = 200%)");
  if (ingest) {
    cpuLine("ingest, bare", ingest.bare.cpu);
    cpuLine("ingest, app", ingest.app.cpu);
    cpuLine("ingest, authenticate-only lane", ingest.authenticateOnly.cpu);
    cpuLine("ingest, template peer", ingest.templatePeer.cpu);
    for (const run of ingest.appPaced) cpuLine(`ingest, app at ${rate(run.ratePerSecond)}/s`, run.cpu);
  }
  if (e2e) cpuLine("end to end", e2e.cpu);
  if (rss) cpuLine("worker memory", rss.cpu);
}

// ------------------------------------------------------------------ main

/**
 * Builds the app when its sources changed, and copies the server build into
 * the run's folder, so that a rebuild by someone else mid-run changes nothing.
 * The last good build is also kept in .tmp/bench-last-build/: when the build
 * fails (a tree being edited) the existing or last good build is used, with a
 * warning.
 */
async function snapshotServerBuild(): Promise<void> {
  const lastGood = resolve(ROOT, ".tmp", "bench-last-build", "server");
  let built: string;
  try {
    built = await ensureAppBuild({
      root: ROOT,
      env: baseEnv,
      rebuild: args.rebuild,
      onBuild: () => say("Building the app (remix vite:build)…"),
    });
    rmSync(lastGood, { recursive: true, force: true });
    cpSync(resolve(built, ".."), lastGood, { recursive: true });
  } catch (error) {
    const current = resolve(ROOT, "build/server/index.js");
    built = existsSync(current) ? current : resolve(lastGood, "index.js");
    if (!existsSync(built)) throw error;
    const why = String(error instanceof Error ? error.message : error)
      .split("\n")
      .filter((line) => line.trim() && !line.includes("failed ("))
      .slice(2, 5)
      .join(" ");
    say(`WARNING: the app does not build now (${why.trim()}).`);
    say(`         Using ${built}, built ${statSync(built).mtime.toISOString()}.`);
  }
  cpSync(resolve(built, ".."), resolve(WORKDIR, "build/server"), { recursive: true });
  serverBuild = resolve(WORKDIR, "build/server/index.js");
}

async function main(): Promise<void> {
  mkdirSync(WORKDIR, { recursive: true });
  if (config.profile) mkdirSync(PROFILE_DIR, { recursive: true });
  const host = machine();
  say(
    `Brilliant Sync benchmark${args.quick ? " (quick)" : ""}: ${host.nproc} cores, ${host.cpuModel}, ${host.memoryGiB} GiB, Node ${host.node}`,
  );
  say(`Logs and databases: ${WORKDIR}`);
  if (config.database !== "sqlite" && !phases.has("scale-out")) {
    say(
      `--database ${config.database} is the scale-out phase's database, and it is not among the phases run.`,
    );
  }

  if (["ingest", "e2e", "product-updates", "scale-out"].some((phase) => phases.has(phase as Phase)))
    await snapshotServerBuild();
  await prepareTemplate();

  const results: {
    ingest?: IngestResults;
    e2e?: EndToEndResults;
    rss?: RssResults;
    mapping?: MappingScaleResults;
    orderList?: OrderListScaleResults;
    productUpdates?: ProductUpdatesResults;
    scaleOut?: ScaleOutResults;
  } = {};
  if (phases.has("ingest")) results.ingest = await ingestPhase();
  if (phases.has("e2e")) results.e2e = await endToEndPhase();
  if (phases.has("rss")) results.rss = await rssPhase();
  // The scale phases (scripts/bench/*-scale.ts) print their own tables.
  const scale = { workdir: WORKDIR, templateDb, env: baseEnv, quick: args.quick, say };
  if (phases.has("mapping")) results.mapping = await mappingScalePhase(scale);
  if (phases.has("order-list")) results.orderList = await orderListScalePhase(scale);
  // orders/paid acks while Shopify's largest product updates arrive (scripts/bench/product-updates.ts).
  if (phases.has("product-updates")) {
    results.productUpdates = await productUpdatesPhase({
      quick: args.quick,
      say,
      secret: SECRET,
      shops: SHOPS,
      freshDatabase,
      startApp: async (name, dbFile) => {
        const app = await startApp(name, dbFile);
        return { url: app.url, stop: () => stop(app.child) };
      },
      startWorker: async (name, dbFile, brilliantUrl) => {
        const worker = await startWorker(name, dbFile, brilliantUrl);
        return { stop: () => stop(worker) };
      },
      startBrilliant: async (name) => {
        const simulator = await startBrilliant(name);
        return { url: simulator.url, stop: () => stop(simulator.child) };
      },
    });
  }

  // Two web processes and 1, 2, 4 workers, on --database (scripts/bench/scale-out.ts); it prints its own table.
  if (phases.has("scale-out")) {
    results.scaleOut = await scaleOutPhase({
      database: config.database,
      orders: config.orders,
      connections: config.connections,
      workerCounts: config.scaleWorkers,
      webProcesses: config.webProcesses,
      timeoutMs: config.e2eTimeoutMs,
      keepDb: args["keep-db"],
      root: ROOT,
      workdir: WORKDIR,
      env: baseEnv,
      secret: SECRET,
      shops: SHOPS,
      say,
      freshSqliteDatabase: freshDatabase,
      startApp: async (name, database, brilliantUrl) => {
        const app = await startApp(name, database, { brilliantUrl });
        return { name, pid: app.child.process.pid!, url: app.url, stop: () => stop(app.child) };
      },
      startWorker: async (name, database, brilliantUrl) => {
        const worker = await startWorker(name, database, brilliantUrl);
        return { name, pid: worker.process.pid!, stop: () => stop(worker) };
      },
      startBrilliant: async (name) => {
        const simulator = await startBrilliant(name);
        return { ...simulator, name, pid: simulator.child.process.pid!, stop: () => stop(simulator.child) };
      },
      catalogSyncs: (workerName) =>
        readLog(resolve(WORKDIR, `${workerName}.log`)).split('"msg":"catalog synced"').length - 1,
    });
  }

  printTable(results);

  let profiles: ProfileReport | undefined;
  if (config.profile) {
    profiles = collectProfiles();
    printProfiles(profiles, {
      "app-ingest": results.ingest?.app.okIncludingWarmup ?? 0,
      "app-e2e": results.e2e?.storedOrders ?? 0,
      ...results.e2e?.attemptsByWorker,
      "worker-rss": results.rss?.attemptsByWorker["worker-rss"] ?? 0,
    });
  }

  const jsonFile = resolve(ROOT, ".tmp", `bench-${STAMP}.json`);
  writeFileSync(
    jsonFile,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: host,
        config: { ...config, quick: args.quick, phases: [...phases], workerKnobs },
        targets: TARGETS,
        results,
        profiles,
        profileWindows,
      },
      // Every request's latency is in the summaries, not in the file.
      (key, value: unknown) => (key === "latencies" ? undefined : value),
      2,
    ),
  );
  say(`\nJSON: ${jsonFile}`);
}

/** The phases' databases (hundreds of MB with the backlog), unless --keep-db. */
function removeDatabases() {
  if (args["keep-db"] || !existsSync(WORKDIR)) return;
  for (const file of readdirSync(WORKDIR)) {
    if (/\.sqlite(-wal|-shm)?$/.test(file)) rmSync(resolve(WORKDIR, file), { force: true });
  }
}

async function shutdown() {
  await Promise.allSettled([...children].map((child) => child.stop()));
  await Promise.allSettled([...clients].map((client) => client.$disconnect()));
  removeDatabases();
}

process.once("SIGINT", () => {
  void shutdown().then(() => process.exit(130));
});

main()
  .then(async () => {
    await shutdown();
    process.exit(0);
  })
  .catch(async (error) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await shutdown();
    process.exit(1);
  });
