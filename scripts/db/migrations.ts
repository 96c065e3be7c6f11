// Shared by `npm run db:check` and `npm run db:migration`: both migration
// folders, and what Prisma says is missing from them.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { runPrisma } from "./prisma-cli";
import type { SchemaTarget } from "./paths";

/** SQLite diffs need no server: the shadow database is in memory. */
export const SQLITE_DIFF_URL = "file::memory:";

/** A PostgreSQL server whose role may CREATE DATABASE, for shadow databases. */
export const DEFAULT_SHADOW_POSTGRES_URL = "postgresql://brilliant:brilliant@127.0.0.1:5432/brilliant_test";

export function migrationNames(target: SchemaTarget): string[] {
  if (!existsSync(target.migrations)) return [];
  return readdirSync(target.migrations, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(target.migrations, entry.name, "migration.sql")),
    )
    .map((entry) => entry.name)
    .sort();
}

export function lockProvider(target: SchemaTarget): string | null {
  const file = join(target.migrations, "migration_lock.toml");
  if (!existsSync(file)) return null;
  return /^provider\s*=\s*"([^"]+)"/m.exec(readFileSync(file, "utf8"))?.[1] ?? null;
}

/**
 * The SQL that would bring a database migrated with every migration in the
 * folder up to the schema; "" when there is nothing to do. Replays the
 * migrations in a shadow database (in memory for SQLite, a throwaway database
 * on the given server for PostgreSQL).
 */
export function pendingSchemaChanges(target: SchemaTarget, databaseUrl: string): string {
  const { stdout } = runPrisma(
    [
      "migrate",
      "diff",
      "--from-migrations",
      target.migrations,
      "--to-schema-datamodel",
      target.schema,
      "--script",
    ],
    { databaseUrl },
  );
  const sql = stdout.trim();
  return sql === "" || sql === "-- This is an empty migration." ? "" : `${sql}\n`;
}
