// vitest globalSetup: runs once per `vitest run`, before any worker starts.
//
// SQLite (default): migrates a template database under .tmp/test-db/run-<pid>/;
// tests/setup/test-env.ts copies it for each worker.
// PostgreSQL (TEST_DATABASE_URL=postgresql://…): runs `migrate deploy` on that
// database; each worker then gets its own database cloned from it
// (CREATE DATABASE … TEMPLATE), so the role needs CREATEDB (.ci/postgres.sh).
//
// The generated Prisma client is specific to one provider and one schema: when
// node_modules/.prisma/client was generated from another schema (a PostgreSQL
// run after a SQLite one, or a stale client after a schema change) it is
// regenerated here, and put back to the previous provider after the run.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

import pg from "pg";
import type { TestProject } from "vitest/node";

import {
  databaseKindOf,
  DEFAULT_DATABASE_URL,
  postgresClientConfig,
  postgresConnectionFromUrl,
  type DatabaseKind,
} from "../../app/db/driver-adapter.server";
import { postgresql, repoRoot, sqlite } from "../../scripts/db/paths";
import { runPrisma } from "../../scripts/db/prisma-cli";
import { dropDatabase, workerDatabases, type TestDatabase } from "./test-database";

const generatedSchema = join(repoRoot, "node_modules", ".prisma", "client", "schema.prisma");

function readIfExists(file: string): string | null {
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

function providerOf(schema: string): DatabaseKind {
  return /provider\s*=\s*"postgresql"/.test(schema) ? "postgresql" : "sqlite";
}

/** Regenerates the client unless it was generated from exactly this schema. */
function ensureClientFor(kind: DatabaseKind, databaseUrl: string): void {
  const expected = readFileSync(kind === "postgresql" ? postgresql.schema : sqlite.schema, "utf8");
  if (readIfExists(generatedSchema) === expected) return;
  console.info(`[global-setup] generating the Prisma client for ${kind}`);
  runPrisma(["generate"], { databaseUrl });
}

export default async function globalSetup(project: TestProject) {
  const testUrl = process.env.TEST_DATABASE_URL?.trim();
  const kind = testUrl ? databaseKindOf(testUrl) : "sqlite";
  const previousSchema = readIfExists(generatedSchema);
  const previousKind = previousSchema === null ? null : providerOf(previousSchema);

  let testDatabase: TestDatabase;
  if (kind === "postgresql" && testUrl) {
    ensureClientFor("postgresql", testUrl);
    if (!(await postgresMigrationsApplied(testUrl)))
      runPrisma(["migrate", "deploy"], { databaseUrl: testUrl });
    testDatabase = { kind: "postgresql", templateUrl: testUrl };
  } else {
    const directory = join(repoRoot, ".tmp", "test-db", `run-${process.pid}`);
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    const templateFile = join(directory, "template.sqlite");
    const templateUrl = `file:${templateFile}`;
    ensureClientFor("sqlite", templateUrl);
    runPrisma(["migrate", "deploy"], { databaseUrl: templateUrl });
    // Workers copy the file: make sure nothing is left only in the WAL.
    if (existsSync(`${templateFile}-wal`)) {
      throw new Error(`${templateFile}-wal still exists after migrate deploy; the copy would miss data`);
    }
    testDatabase = { kind: "sqlite", templateFile, directory };
  }
  project.provide("testDatabase", testDatabase);

  return async function teardown() {
    if (testDatabase.kind === "sqlite") {
      rmSync(testDatabase.directory, { recursive: true, force: true });
    } else {
      await dropWorkerDatabases(testDatabase.templateUrl);
    }
    if (previousKind !== null && previousKind !== kind) {
      console.info(`[global-setup] generating the Prisma client for ${previousKind} again`);
      runPrisma(["generate"], {
        databaseUrl: previousKind === "postgresql" && testUrl ? testUrl : DEFAULT_DATABASE_URL,
      });
    }
  };
}

/**
 * True when every migration folder is applied, unchanged, and nothing else is.
 * Lets repeated runs skip `migrate deploy`, which on PostgreSQL lingers ~10 s
 * after finishing (a timer left behind by Prisma's Wasm schema engine).
 */
async function postgresMigrationsApplied(url: string): Promise<boolean> {
  const local = readdirSync(postgresql.migrations, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(postgresql.migrations, entry.name, "migration.sql")),
    )
    .map((entry) => {
      const sql = readFileSync(join(postgresql.migrations, entry.name, "migration.sql"));
      return `${entry.name}:${createHash("sha256").update(sql).digest("hex")}`;
    })
    .sort();
  const client = new pg.Client(postgresClientConfig(postgresConnectionFromUrl(url)));
  await client.connect();
  try {
    const { rows: exists } = await client.query<{ present: boolean }>(
      "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present",
    );
    if (!exists[0]?.present) return false;
    const { rows } = await client.query<{ entry: string }>(
      `SELECT migration_name || ':' || checksum AS entry FROM _prisma_migrations
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1`,
    );
    const applied = rows.map((row) => row.entry).sort();
    return applied.length === local.length && applied.every((entry, i) => entry === local[i]);
  } finally {
    await client.end();
  }
}

async function dropWorkerDatabases(templateUrl: string): Promise<void> {
  const connection = postgresConnectionFromUrl(templateUrl);
  const admin = new pg.Client(postgresClientConfig({ ...connection, database: "postgres" }));
  await admin.connect();
  try {
    for (const name of await workerDatabases(admin, connection.database)) {
      await dropDatabase(admin, name);
    }
  } finally {
    await admin.end();
  }
}
