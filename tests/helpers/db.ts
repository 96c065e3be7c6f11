// Test helpers for the database. Each worker already has a database of its
// own (tests/setup/test-env.ts); resetDatabase empties it between tests:
//
//   beforeEach(() => resetDatabase(prisma));
import type { PrismaClient } from "@prisma/client";

import { databaseKind } from "../../app/db.server";

const MIGRATIONS_TABLE = "_prisma_migrations";

/** Deletes every row of every app table; the schema and migration history stay. */
export async function resetDatabase(prisma: PrismaClient): Promise<void> {
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
