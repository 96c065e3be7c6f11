/**
 * `npm run bench -- --only scale-out [--database postgresql]`: the end-to-end
 * run with more than one process of each kind. Two web processes take the
 * signed orders/paid webhooks in turn (as a round-robin load balancer in
 * front of them would hand them out) while 1, 2, then 4 worker processes
 * forward the orders to the Brilliant simulator, each run on a fresh copy of
 * the bench's database, SQLite or PostgreSQL.
 *
 * For each run: orders/s from the first send until every stored order is
 * forwarded with 1200; per order, the time from its webhook's send until
 * Brilliant accepted it (p50 / p99); exactly once, checked at the simulator
 * (every order sent accepted once, none twice, none missing); and CPU per
 * order of the web processes, the workers and, on PostgreSQL, the server
 * processes serving the run's database.
 */
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";

import type { AcceptedOrderRecord } from "../../simulator/server";
import { run } from "../lib/processes";
import { runLoad, summariseLatencies, type LatencySummary, type LoadResult } from "./load-generator";
import {
  generatePostgresClient,
  PostgresBackendCpu,
  PostgresBenchDatabases,
  postgresServerUrl,
  type ChildDatabase,
} from "./postgres-databases";
import { CpuWindow } from "./proc-stats";
import { cpuText, openSqlite } from "./scale-common";
import { signedOrderRequests } from "./webhook-bodies";

export type BenchDatabaseKind = "sqlite" | "postgresql";

/** What bench.ts hands this phase: its sizes, its shops and secret, and how it starts its processes. */
export interface ScaleOutContext {
  database: BenchDatabaseKind;
  orders: number;
  connections: number;
  workerCounts: readonly number[];
  webProcesses: number;
  timeoutMs: number;
  keepDb: boolean;
  root: string;
  /** The run's folder (.tmp/bench-<time>/): logs, SQLite copies, the PostgreSQL client. */
  workdir: string;
  /** The app's environment (secrets, LOG_LEVEL), without DATABASE_URL. */
  env: NodeJS.ProcessEnv;
  secret: string;
  shops: readonly string[];
  say: (line?: string) => void;
  /** A fresh copy of the bench's SQLite template, as a file path. */
  freshSqliteDatabase(name: string): string;
  startApp(
    name: string,
    database: ChildDatabase,
    brilliantUrl: string,
  ): Promise<BenchProcess & { url: string }>;
  startWorker(name: string, database: ChildDatabase, brilliantUrl: string): Promise<BenchProcess>;
  startBrilliant(name: string): Promise<
    BenchProcess & {
      url: string;
      acceptedCount(): Promise<number>;
      acceptedOrders(): Promise<AcceptedOrderRecord[]>;
    }
  >;
  /** The "catalog synced" lines in a worker's log so far. */
  catalogSyncs(workerName: string): number;
}

export interface BenchProcess {
  name: string;
  pid: number;
  stop(): Promise<void>;
}

export interface ScaleOutRun {
  database: BenchDatabaseKind;
  webProcesses: number;
  workers: number;
  /** Webhooks sent, each a distinct order. */
  orders: number;
  sent: Omit<LoadResult, "latencies">;
  storedOrders: number;
  forwarded1200: number;
  completed: boolean;
  /** First send until every stored order is forwarded with 1200. */
  seconds: number;
  ordersPerSecond: number;
  /** Per order accepted by Brilliant: from its webhook's send until Brilliant accepted it. */
  toBrilliantMs: LatencySummary | null;
  /** What the simulator holds: orders accepted, beyond the first of the same Shopify order, and sent but not there. */
  accepted: number;
  duplicates: number;
  missing: number;
  exactlyOnce: boolean;
  statesAtEnd: Record<string, number>;
  /** Orders still leased once the run was over (before the workers stopped). */
  leasedAtEnd: number;
  /** ForwardAttempt rows per worker: how the work was shared. */
  attemptsByWorker: Record<string, number>;
  /** % of one core per process over the run ("… main thread": the web processes' event loops). */
  cpu: Record<string, number>;
  cpuMsPerOrder: { web: number; workers: number; database: number | null; total: number } | null;
}

export interface ScaleOutResults {
  database: BenchDatabaseKind;
  runs: ScaleOutRun[];
}

/** The Shopify order id of webhook `seq`: the same in every run, as each has a database and simulator of its own. */
const FIRST_ORDER_ID = 7_400_000_000;
/** How long the workers' start-up catalog syncs must have been quiet before the load starts. */
const SYNCS_QUIET_MS = 1_000;

/** A run's database, as its processes reach it and as the bench reads it. */
interface RunDatabase extends ChildDatabase {
  count(sql: string): Promise<number>;
  rows<T>(sql: string): Promise<T[]>;
  /** CPU of the database's server processes, when they are processes of their own. */
  backendCpu(): PostgresBackendCpu | null;
  close(): Promise<void>;
}

interface RunDatabases {
  fresh(suffix: string): Promise<RunDatabase>;
  cleanUp(): Promise<void>;
}

export async function scaleOutPhase(ctx: ScaleOutContext): Promise<ScaleOutResults> {
  ctx.say(
    `\n[scale-out] End to end on ${ctx.database}: ${ctx.orders} orders over ${ctx.shops.length} shops, ${ctx.webProcesses} web processes, ${ctx.workerCounts.join(", ")} worker processes`,
  );
  const databases = ctx.database === "postgresql" ? await postgresDatabases(ctx) : sqliteDatabases(ctx);
  const runs: ScaleOutRun[] = [];
  try {
    for (const workers of ctx.workerCounts) runs.push(await measure(ctx, databases, workers));
  } finally {
    await databases.cleanUp();
  }
  printScaleOut(ctx, runs);
  return { database: ctx.database, runs };
}

function sqliteDatabases(ctx: ScaleOutContext): RunDatabases {
  return {
    fresh: async (suffix) => {
      const file = ctx.freshSqliteDatabase(`scale-out-${suffix}`);
      const db = openSqlite(file);
      const rows = async <T>(sql: string) => db.prepare(sql).all() as T[];
      return {
        url: `file:${file}`,
        nodeFlags: [],
        env: {},
        rows,
        count: async (sql) => Number((await rows<{ n: number }>(sql))[0]?.n ?? 0),
        backendCpu: () => null,
        close: async () => db.close(),
      };
    },
    // The bench removes its SQLite files at the end (unless --keep-db).
    cleanUp: async () => {},
  };
}

async function postgresDatabases(ctx: ScaleOutContext): Promise<RunDatabases> {
  const serverUrl = await postgresServerUrl(ctx.root);
  const client = await generatePostgresClient(ctx.root, resolve(ctx.workdir, "prisma-postgresql"));
  const databases = new PostgresBenchDatabases(serverUrl, Date.now().toString(36), client);
  ctx.say(
    `  PostgreSQL: ${databases.urlOf(databases.templateName).replace(/:[^:@/]*@/, ":***@")} (the template)`,
  );
  try {
    await databases.createTemplate(ctx.env, async (template) => {
      await run(
        process.execPath,
        ["--import", "tsx", ...template.nodeFlags, resolve(ctx.root, "scripts/bench/bench-shops.ts")],
        { ...ctx.env, ...template.env, DATABASE_URL: template.url, BENCH_SHOPS: ctx.shops.join(",") },
        ctx.root,
      );
    });
  } catch (error) {
    await databases.dropAll();
    throw error;
  }
  return {
    fresh: async (suffix) => {
      const database = await databases.copy(suffix);
      const reader = await databases.connect(database.name);
      const rows = async <T>(sql: string) => (await reader.query(sql)).rows as T[];
      return {
        ...database,
        rows,
        // COUNT(*) is a bigint, which pg reads as a string.
        count: async (sql) => Number((await rows<{ n: string }>(sql))[0]?.n ?? 0),
        backendCpu: () => new PostgresBackendCpu(database.name),
        close: () => reader.end(),
      };
    },
    cleanUp: async () => {
      if (ctx.keepDb)
        ctx.say(`  kept the PostgreSQL databases ${databases.templateName.replace(/_template$/, "_*")}`);
      else await databases.dropAll();
    },
  };
}

async function measure(
  ctx: ScaleOutContext,
  databases: RunDatabases,
  workerCount: number,
): Promise<ScaleOutRun> {
  const label = `${workerCount}w`;
  const db = await databases.fresh(label);
  const simulator = await ctx.startBrilliant(`simulator-scale-out-${label}`);
  const started: BenchProcess[] = [simulator];
  try {
    const apps = [];
    for (let i = 1; i <= ctx.webProcesses; i++) {
      const app = await ctx.startApp(`app-scale-out-${label}-${i}`, db, simulator.url);
      started.push(app);
      apps.push(app);
    }
    const workers = await Promise.all(
      Array.from({ length: workerCount }, (_, i) =>
        ctx.startWorker(`worker-scale-out-${label}-${i + 1}`, db, simulator.url),
      ),
    );
    started.push(...workers);
    await startUpSyncsDone(ctx, workers);

    const processes: Record<string, number> = {};
    for (const child of [...apps, ...workers, simulator]) processes[child.name] = child.pid;
    processes["bench (load generator)"] = process.pid;
    const window = new CpuWindow(
      processes,
      apps.map((app) => app.name),
    );
    const backendCpu = db.backendCpu();

    // When each order's webhook left, to time it to Brilliant.
    const sentAt = new Float64Array(ctx.orders);
    const signed = signedOrderRequests({
      shops: ctx.shops,
      secret: ctx.secret,
      firstOrderId: FIRST_ORDER_ID,
    });
    const t0 = performance.now();
    let allAcked = false;
    const load = runLoad({
      url: apps.map((app) => `${app.url}/webhooks/orders/paid`),
      connections: ctx.connections,
      requests: ctx.orders,
      request: (seq) => {
        if (seq < sentAt.length) sentAt[seq] = Date.now();
        return signed(seq);
      },
    }).then((result) => {
      allAcked = true;
      return result;
    });

    // As the e2e phase: progress from the simulator's count, the database
    // read only once Brilliant holds as many orders as were stored.
    const storedNow = () =>
      db.count(`SELECT (SELECT COUNT(*) FROM "Order") + (SELECT COUNT(*) FROM "OrderInbox") AS n`);
    const forwardedNow = () =>
      db.count(`SELECT COUNT(*) AS n FROM "Order" WHERE "state" = 'forwarded' AND "lastCode" = 1200`);
    let storedOrders = -1;
    let forwarded = 0;
    let doneAt = 0;
    while (performance.now() - t0 < ctx.timeoutMs) {
      await sleep(50);
      const accepted = await simulator.acceptedCount();
      if (allAcked && storedOrders < 0) storedOrders = await storedNow();
      if (!allAcked || accepted < (storedOrders > 0 ? storedOrders : ctx.orders)) continue;
      // Requests the load generator gave up on may still be stored late: count again each time.
      storedOrders = await storedNow();
      forwarded = await forwardedNow();
      if (forwarded >= storedOrders) {
        doneAt = performance.now();
        break;
      }
    }
    if (!doneAt) forwarded = await forwardedNow();
    const cpu = window.close();
    const databaseCpu = backendCpu?.close() ?? null;
    if (databaseCpu !== null) {
      cpu["database server processes"] = databaseCpu;
      // They were counted with everything else the machine did.
      cpu["other processes"] = Math.max(0, (cpu["other processes"] ?? 0) - databaseCpu);
    }
    const seconds = ((doneAt || performance.now()) - t0) / 1000;
    const { latencies: _latencies, ...sent } = await load;
    if (storedOrders < 0) storedOrders = await storedNow();

    const leasedAtEnd = await db.count(`SELECT COUNT(*) AS n FROM "Order" WHERE "leaseOwner" IS NOT NULL`);
    const states = await db.rows<{ state: string; n: number | string }>(
      `SELECT "state", COUNT(*) AS n FROM "Order" GROUP BY "state"`,
    );
    const attempts = await db.rows<{ workerId: string | null; n: number | string }>(
      `SELECT "workerId", COUNT(*) AS n FROM "ForwardAttempt" GROUP BY "workerId"`,
    );
    const accepted = await simulator.acceptedOrders();
    const tally = exactlyOnceTally(accepted, sent.sent, sentAt);

    const result: ScaleOutRun = {
      database: ctx.database,
      webProcesses: ctx.webProcesses,
      workers: workerCount,
      orders: ctx.orders,
      sent,
      storedOrders,
      forwarded1200: forwarded,
      completed: doneAt > 0,
      seconds,
      ordersPerSecond: seconds > 0 ? forwarded / seconds : 0,
      toBrilliantMs: tally.toBrilliantMs,
      accepted: accepted.length,
      duplicates: tally.duplicates,
      missing: tally.missing,
      exactlyOnce: doneAt > 0 && tally.duplicates === 0 && tally.missing === 0,
      statesAtEnd: Object.fromEntries(states.map((row) => [row.state, Number(row.n)])),
      leasedAtEnd,
      attemptsByWorker: Object.fromEntries(attempts.map((row) => [row.workerId ?? "?", Number(row.n)])),
      cpu,
      cpuMsPerOrder: cpuPerOrder(cpu, seconds, forwarded),
    };
    ctx.say(
      `  ${workerCount} worker(s): ${forwarded}/${storedOrders} forwarded with 1200 in ${seconds.toFixed(1)} s: ${Math.round(result.ordersPerSecond)} orders/s; Brilliant accepted ${accepted.length}, duplicates ${tally.duplicates}, missing ${tally.missing}`,
    );
    return result;
  } finally {
    // Workers first, so none is left claiming from a database whose web processes are gone.
    for (const child of [...started].reverse()) await child.stop();
    await db.close();
  }
}

/**
 * The workers read every shop's Brilliant catalog when they start (the
 * bench's database has none yet), several workers each a share of them or
 * the same ones at once. The load starts once every shop was synced and no
 * worker has logged another sync for a second: the runs measure the
 * pipeline's steady rate, as the e2e phase does.
 */
async function startUpSyncsDone(ctx: ScaleOutContext, workers: readonly BenchProcess[]): Promise<void> {
  const deadline = performance.now() + 60_000;
  const synced = () => workers.reduce((sum, worker) => sum + ctx.catalogSyncs(worker.name), 0);
  let last = -1;
  let quietSince = performance.now();
  for (;;) {
    const now = synced();
    if (now !== last) {
      last = now;
      quietSince = performance.now();
    }
    if (now >= ctx.shops.length && performance.now() - quietSince >= SYNCS_QUIET_MS) return;
    if (performance.now() > deadline) throw new Error("the workers' catalog syncs did not end within 60 s");
    await sleep(50);
  }
}

/**
 * Exactly once, at Brilliant: each order sent (webhook `seq` carries Shopify
 * order FIRST_ORDER_ID + seq) accepted once; beyond the first of the same
 * order is a duplicate, an order sent and not there is missing.
 */
function exactlyOnceTally(accepted: readonly AcceptedOrderRecord[], sent: number, sentAt: Float64Array) {
  const seen = new Set<number>();
  let duplicates = 0;
  const toBrilliant: number[] = [];
  for (const record of accepted) {
    const seq = Number(record.order.custom_data?.["shopify_order_id"]) - FIRST_ORDER_ID;
    if (seen.has(seq)) {
      duplicates += 1;
      continue;
    }
    seen.add(seq);
    const sentMs = sentAt[seq];
    if (sentMs) toBrilliant.push(Date.parse(record.receivedAt) - sentMs);
  }
  let missing = 0;
  for (let seq = 0; seq < sent; seq++) if (!seen.has(seq)) missing += 1;
  return {
    duplicates,
    missing,
    toBrilliantMs: toBrilliant.length > 0 ? summariseLatencies(toBrilliant) : null,
  };
}

/** CPU time per forwarded order: the web processes, the workers, the database's server processes. */
function cpuPerOrder(
  cpu: Record<string, number>,
  seconds: number,
  orders: number,
): ScaleOutRun["cpuMsPerOrder"] {
  if (orders === 0) return null;
  const msPerOrder = (percent: number) => ((percent / 100) * seconds * 1000) / orders;
  const sumOf = (prefix: string) =>
    Object.entries(cpu)
      .filter(([name]) => name.startsWith(prefix) && !name.endsWith("main thread"))
      .reduce((sum, [, percent]) => sum + percent, 0);
  const web = msPerOrder(sumOf("app-"));
  const workers = msPerOrder(sumOf("worker-"));
  const databasePercent = cpu["database server processes"];
  const database = databasePercent === undefined ? null : msPerOrder(databasePercent);
  return { web, workers, database, total: web + workers + (database ?? 0) };
}

function printScaleOut(ctx: ScaleOutContext, runs: readonly ScaleOutRun[]): void {
  const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
  const header = [
    "database",
    "web",
    "workers",
    "orders",
    "orders/s",
    "to Brilliant p50 / p99",
    "duplicates",
    "missing",
    "exactly once",
    "CPU per order: web + workers + database = total",
  ];
  const rows = runs.map((run) => [
    run.database,
    String(run.webProcesses),
    String(run.workers),
    String(run.orders),
    `${Math.round(run.ordersPerSecond)}${run.completed ? "" : " (timed out)"}`,
    run.toBrilliantMs ? `${ms(run.toBrilliantMs.p50)} / ${ms(run.toBrilliantMs.p99)}` : "n/a",
    String(run.duplicates),
    String(run.missing),
    run.exactlyOnce ? "PASS" : "MISS",
    run.cpuMsPerOrder
      ? `${run.cpuMsPerOrder.web.toFixed(2)} + ${run.cpuMsPerOrder.workers.toFixed(2)} + ${
          run.cpuMsPerOrder.database === null ? "in process" : run.cpuMsPerOrder.database.toFixed(2)
        } = ${run.cpuMsPerOrder.total.toFixed(2)} ms`
      : "n/a",
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`.trimEnd();
  ctx.say(`\nScale-out, end to end (${ctx.webProcesses} web processes taking the webhooks in turn)`);
  ctx.say(line(header));
  for (const row of rows) ctx.say(line(row));
  ctx.say("\nCPU, % of one core during each run (2 cores = 200%)");
  for (const run of runs) ctx.say(`  ${run.database}, ${run.workers} worker(s): ${cpuText(run.cpu)}`);
  for (const run of runs) {
    if (run.leasedAtEnd > 0 || !run.completed) {
      ctx.say(
        `  ${run.workers} worker(s): ${run.leasedAtEnd} orders still leased at the end; states ${JSON.stringify(run.statesAtEnd)}`,
      );
    }
  }
}

const sleep = (ms: number) => new Promise((resolveTimer) => setTimeout(resolveTimer, ms));
