// Test helpers for the database. Each worker already has a database of its
// own (tests/setup/test-env.ts); resetDatabase empties it between tests:
//
//   beforeEach(() => resetDatabase(prisma));
import { createRequire } from "node:module";

import type { PrismaClient } from "@prisma/client";

import { adapterOf, databaseKind } from "../../app/db.server";
import { SqliteAdapterFactory, type BetterSqlite3Database } from "../../app/db/driver-adapter.server";
import { forgetSessionsOf } from "../../app/integrations/shopify-session-storage.server";

const MIGRATIONS_TABLE = "_prisma_migrations";

/** Deletes every row of every app table; the schema and migration history stay. */
export async function resetDatabase(prisma: PrismaClient): Promise<void> {
  // Sessions this process read a moment ago are gone with the table.
  forgetSessionsOf(prisma);
  if (databaseKind() === "postgresql") {
    const tables = await prisma.$queryRawUnsafe<Array<{ name: string }>>(
      `SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> $1`,
      MIGRATIONS_TABLE,
    );
    if (tables.length === 0) return;
    const list = tables.map(({ name }) => `"${name.replaceAll('"', '""')}"`).join(", ");
    await prisma.$executeRawUnsafe(`TRUNCATE TABLE ${list} RESTART IDENTITY CASCADE`);
    return;
  }

  const tables = await prisma.$queryRawUnsafe<Array<{ name: string }>>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ?`,
    MIGRATIONS_TABLE,
  );
  // One transaction; foreign keys are checked at its end, when every table is
  // empty, so the order of the deletes does not matter.
  await prisma.$transaction([
    prisma.$executeRawUnsafe("PRAGMA defer_foreign_keys = ON"),
    ...tables.map(({ name }) => prisma.$executeRawUnsafe(`DELETE FROM "${name.replaceAll('"', '""')}"`)),
  ]);
}

// better-sqlite3 comes with Prisma's SQLite adapter (and has no types of its own here).
const Database = createRequire(require.resolve("@prisma/adapter-better-sqlite3"))("better-sqlite3") as new (
  file: string,
) => BetterSqlite3Database & { close(): void };

/**
 * Another connection to the SQLite test database (another process, the
 * worker, in production) takes the write lock and holds it until `release()`,
 * or for `releaseAfterMs`. `release()` may be called again: it does nothing.
 */
export async function holdSqliteWriteLock(
  prisma: PrismaClient,
  options: { releaseAfterMs?: number } = {},
): Promise<{ release(): void }> {
  await prisma.$connect();
  const { adapter } = adapterOf(prisma);
  if (!(adapter instanceof SqliteAdapterFactory)) throw new Error("expected SQLite");
  const other = new Database(adapter.file);
  other.prepare("BEGIN IMMEDIATE").run();
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    clearTimeout(timer);
    other.prepare("COMMIT").run();
    other.close();
  };
  const timer =
    options.releaseAfterMs === undefined ? undefined : setTimeout(release, options.releaseAfterMs);
  return { release };
}
