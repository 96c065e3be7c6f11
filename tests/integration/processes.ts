/**
 * Real processes for the trust suites: the worker as `npm run worker` runs it
 * (`node --import tsx app/worker/main.ts`) and the web server as production
 * runs it (the Remix build behind `remix-serve`), on this test file's
 * database. Every process started here is SIGKILLed if the test process exits
 * first, so none outlives a run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

import { repoRoot } from "../../scripts/db/paths";
import { appServerCommand, ensureAppBuild } from "../../scripts/lib/app-build";

export interface RealProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<unknown>;
  alive: () => boolean;
  /** The tail of its stdout and stderr, for a failure message. */
  output: () => string;
}

const running = new Set<RealProcess>();

process.once("exit", () => {
  for (const real of running) real.child.kill("SIGKILL");
});

/** The environment both processes share: this test's app, database and Brilliant. */
export function appProcessEnv(input: { brilliantUrl: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    DATABASE_URL: process.env.DATABASE_URL,
    SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY,
    SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET,
    SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL,
    CREDENTIALS_ENCRYPTION_KEY: process.env.CREDENTIALS_ENCRYPTION_KEY,
    BRILLIANT_API_BASE_URL: input.brilliantUrl,
    LOG_LEVEL: "warn",
  };
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): RealProcess {
  const child = spawn(command, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const alive = () => child.exitCode === null && child.signalCode === null;
  const real: RealProcess = {
    name,
    child,
    exited: alive() ? once(child, "exit") : Promise.resolve(),
    alive,
    output: () =>
      `${name} (pid ${child.pid ?? "?"}${
        alive() ? ", running" : `, exited: ${child.exitCode ?? child.signalCode}`
      }) said: ${output || "(nothing)"}`,
  };
  running.add(real);
  void real.exited.then(() => running.delete(real));
  return real;
}

/** A worker process with short leases and retries, so a run recovers from a kill in seconds. */
export function startWorkerProcess(
  name: string,
  input: { brilliantUrl: string; leaseMs: number; concurrency?: number; env?: Record<string, string> },
): RealProcess {
  const concurrency = String(input.concurrency ?? 8);
  return startProcess(name, process.execPath, ["--import", "tsx", "app/worker/main.ts"], {
    ...appProcessEnv(input),
    BRILLIANT_SYNC_SERVICE: "worker",
    BRILLIANT_TIMEOUT_MS: "1000",
    WORKER_ID: name,
    WORKER_LEASE_MS: String(input.leaseMs),
    WORKER_POLL_MS: "50",
    WORKER_CONCURRENCY: concurrency,
    WORKER_PER_SHOP_CONCURRENCY: concurrency,
    RETRY_BASE_MS: "50",
    RETRY_MAX_MS: "200",
    // Nothing but forwarding: no catalog, status or product syncs during the run.
    CATALOG_SYNC_INTERVAL_MS: "0",
    STATUS_POLL_INTERVAL_MS: "0",
    SHOPIFY_SYNC_INTERVAL_MS: "0",
    ...input.env,
  });
}

/** The production server build, built once if missing or older than app/. */
export async function appServerBuild(): Promise<string> {
  return ensureAppBuild({ root: repoRoot, env: { ...process.env, NODE_ENV: "production" } });
}

/** The real build behind the production server (server.ts) on `port`; resolves once it answers HTTP. */
export async function startWebProcess(
  name: string,
  input: { serverBuild: string; port: number; brilliantUrl: string; env?: Record<string, string> },
): Promise<RealProcess> {
  const server = appServerCommand(repoRoot, input.serverBuild);
  const web = startProcess(name, server.command, server.args, {
    ...appProcessEnv(input),
    BRILLIANT_SYNC_SERVICE: "web",
    PORT: String(input.port),
    HOST: "127.0.0.1",
    ...input.env,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!web.alive()) throw new Error(`${name} exited before answering: ${web.output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${input.port}/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return web;
    } catch (error) {
      if (Date.now() > deadline) {
        await stopProcess(web, "SIGKILL");
        throw new Error(`${name} did not answer within 60 s (${String(error)}): ${web.output()}`);
      }
      await new Promise((resolveTimer) => setTimeout(resolveTimer, 100));
    }
  }
}

/** Sends `signal` and waits for the exit; a graceful stop that takes over 15 s is cut short. */
export async function stopProcess(real: RealProcess, signal: NodeJS.Signals): Promise<void> {
  if (real.alive()) real.child.kill(signal);
  const timer = setTimeout(() => real.alive() && real.child.kill("SIGKILL"), 15_000);
  await real.exited;
  clearTimeout(timer);
}

/**
 * Sends `signal` and waits for the exit (SIGKILL after `killAfterMs`): the
 * exit code (null when a signal ended it), the signal, and how long it took.
 */
export async function stopTimed(
  real: RealProcess,
  signal: NodeJS.Signals,
  killAfterMs = 15_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  if (real.alive()) real.child.kill(signal);
  const timer = setTimeout(() => real.alive() && real.child.kill("SIGKILL"), killAfterMs);
  await real.exited;
  clearTimeout(timer);
  return { code: real.child.exitCode, signal: real.child.signalCode, ms: Date.now() - started };
}

/** Kills whatever this file started and is still running. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((real) => stopProcess(real, "SIGKILL")));
}
