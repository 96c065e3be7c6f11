/**
 * PostgreSQL for the scale-out phase (`npm run bench -- --only scale-out
 * --database postgresql`): the server, a Prisma client of the run's own, a
 * migrated template with the bench's shops, a fresh copy of it for each
 * measured run, and the CPU its server processes spent on that copy.
 *
 * The server is BENCH_DATABASE_URL's (its role needs CREATEDB) or, without
 * it, the one `.ci/postgres.sh` installs and starts (as root, as CI runs).
 * Every database the bench makes is named `<that database>_bench_<run>_…`
 * and dropped at the end unless --keep-db.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";

import pg from "pg";

import {
  postgresClientConfig,
  postgresConnectionFromUrl,
  postgresUrl,
  type PostgresConnection,
} from "../../app/db/postgres-adapter.server";
import { dropDatabase } from "../../tests/setup/test-database";
import { run } from "../lib/processes";
import { cpuSeconds } from "./proc-stats";

/** How a child process of the bench reaches its database. */
export interface ChildDatabase {
  /** DATABASE_URL. */
  url: string;
  /** Node flags it needs beside the bench's own. */
  nodeFlags: readonly string[];
  env: Record<string, string>;
}

const REDIRECT_HOOK = "scripts/bench/prisma-client-redirect.mjs";

/** BENCH_DATABASE_URL, or the URL `.ci/postgres.sh` prints once the local server is up. */
export async function postgresServerUrl(root: string): Promise<string> {
  const given = process.env.BENCH_DATABASE_URL?.trim();
  if (given) return given;
  const { stdout } = await promisify(execFile)("bash", [resolve(root, ".ci/postgres.sh")], {
    cwd: root,
    env: { ...process.env, POSTGRES_DB: process.env.POSTGRES_DB ?? "brilliant_bench" },
  }).catch((error: unknown) => {
    throw new Error(
      `no PostgreSQL: set BENCH_DATABASE_URL (a role with CREATEDB), or run the bench as root so that .ci/postgres.sh can start one (${String(error)})`,
    );
  });
  const url = stdout.trim().split("\n").at(-1) ?? "";
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`.ci/postgres.sh printed no URL: ${stdout}`);
  return url;
}

/**
 * The PostgreSQL Prisma client, generated into `dir`: node_modules holds the
 * one the working tree was set up for, and others may be using it
 * (scripts/bench/prisma-client-redirect.mjs). Returns what a child needs to
 * load it.
 */
export async function generatePostgresClient(
  root: string,
  dir: string,
): Promise<Pick<ChildDatabase, "nodeFlags" | "env">> {
  mkdirSync(dir, { recursive: true });
  const clientDir = resolve(dir, "client");
  const schema = readFileSync(resolve(root, "prisma/postgresql/schema.prisma"), "utf8");
  if (!/generator client \{/.test(schema))
    throw new Error("prisma/postgresql/schema.prisma has no client generator");
  writeFileSync(
    resolve(dir, "schema.prisma"),
    schema.replace(/generator client \{/, `generator client {\n  output = ${JSON.stringify(clientDir)}`),
  );
  // A config of its own, so that nothing can send this generate to
  // node_modules; generate reads no database, so it gets no adapter to use.
  writeFileSync(
    resolve(dir, "prisma.config.ts"),
    `import { defineConfig } from "prisma/config";
export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: "schema.prisma",
  adapter: async () => {
    throw new Error("this configuration only generates the client");
  },
});
`,
  );
  await run(
    process.execPath,
    [
      resolve(root, "node_modules/prisma/build/index.js"),
      "generate",
      "--config",
      "prisma.config.ts",
      "--schema",
      "schema.prisma",
    ],
    {
      ...process.env,
      // Never connected to; unresolved, `env("DATABASE_URL")` in the schema
      // sends generate to download a query engine (prisma.config.ts).
      DATABASE_URL: "postgresql://generate-only@127.0.0.1:1/none",
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
    dir,
  );
  if (!readdirSync(clientDir).includes("index.js")) throw new Error(`no Prisma client in ${clientDir}`);
  return {
    nodeFlags: ["--import", resolve(root, REDIRECT_HOOK)],
    env: { BENCH_PRISMA_CLIENT_DIR: clientDir },
  };
}

/** The bench's databases on one server: a template and a copy per measured run. */
export class PostgresBenchDatabases {
  private readonly server: PostgresConnection;
  private readonly prefix: string;
  private readonly made: string[] = [];

  constructor(
    serverUrl: string,
    run: string,
    private readonly child: Pick<ChildDatabase, "nodeFlags" | "env">,
  ) {
    this.server = postgresConnectionFromUrl(serverUrl);
    // PostgreSQL cuts names at 63 bytes.
    this.prefix = `${this.server.database}_bench_${run}`.slice(0, 50).toLowerCase();
  }

  get templateName(): string {
    return `${this.prefix}_template`;
  }

  childDatabase(name: string): ChildDatabase {
    return { ...this.child, url: this.urlOf(name) };
  }

  urlOf(name: string): string {
    return postgresUrl({ ...this.server, database: name });
  }

  /**
   * The template: migrated as `npm run setup` does (prisma migrate deploy),
   * then `seed` run against it.
   */
  async createTemplate(env: NodeJS.ProcessEnv, seed: (database: ChildDatabase) => Promise<void>) {
    await this.admin((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(this.templateName)}`));
    this.made.push(this.templateName);
    await run("npx", ["prisma", "migrate", "deploy"], {
      ...env,
      DATABASE_URL: this.urlOf(this.templateName),
    });
    await seed(this.childDatabase(this.templateName));
  }

  /** A fresh copy of the template (CREATE DATABASE … TEMPLATE: a file copy, in a second or so). */
  async copy(suffix: string): Promise<ChildDatabase & { name: string }> {
    const name = `${this.prefix}_${suffix}`;
    await this.admin(async (client) => {
      await dropDatabase(client, name);
      await client.query(
        `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(this.templateName)}`,
      );
    });
    this.made.push(name);
    return { ...this.childDatabase(name), name };
  }

  async dropAll(): Promise<void> {
    await this.admin(async (client) => {
      for (const name of this.made.splice(0).reverse()) await dropDatabase(client, name);
    });
  }

  /** A plain client on `database`, for the bench's reads. */
  async connect(database: string): Promise<pg.Client> {
    const client = new pg.Client(postgresClientConfig({ ...this.server, database }));
    await client.connect();
    return client;
  }

  private async admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = await this.connect(this.server.database);
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}

/** `postgres: [<cluster name>: ]<user> <database> <client> <state>`, a backend's process title. */
const BACKEND_TITLE = /^postgres: (?:[^\s:]+: )?(\S+) (\S+) /;

/**
 * CPU of the PostgreSQL server processes serving one database (found by
 * their process titles), as a share of one core over a
 * window. Its shared processes (WAL writer, checkpointer) serve other
 * databases too and are left under "other processes".
 */
export class PostgresBackendCpu {
  private readonly start = new Map<number, number>();
  private readonly startedAt = performance.now();

  constructor(private readonly database: string) {
    for (const pid of this.backends()) {
      const used = cpuSeconds(pid);
      if (used !== null) this.start.set(pid, used);
    }
  }

  /** Percent of one core; a backend that began during the window counts from its start. */
  close(): number {
    const seconds = (performance.now() - this.startedAt) / 1000;
    let used = 0;
    for (const pid of this.backends()) used += (cpuSeconds(pid) ?? 0) - (this.start.get(pid) ?? 0);
    return seconds > 0 ? Math.round((used / seconds) * 100) : 0;
  }

  private backends(): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const title = readFileSync(`/proc/${entry}/cmdline`, "utf8");
        if (BACKEND_TITLE.exec(title)?.[2] === this.database) pids.push(Number(entry));
      } catch {
        // Gone since the listing.
      }
    }
    return pids;
  }
}
