// The database as its own catalog describes it (sqlite_master / pg_catalog),
// not as the test author remembers it: a table or column added later is
// counted and scanned without anyone updating a list.
//
//   const before = await tableRowCounts(prisma);   // { Order: 3, Alert: 1, … }
//   const hits = await findInTextColumns(prisma, ["jane@example.com"]);
import type { PrismaClient } from "@prisma/client";

import { databaseKind } from "../../app/db.server";

const MIGRATIONS_TABLE = "_prisma_migrations";

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** Every table of the app (the migration history aside), sorted by name. */
export async function appTables(prisma: PrismaClient): Promise<string[]> {
  const rows =
    databaseKind() === "postgresql"
      ? await prisma.$queryRawUnsafe<Array<{ name: string }>>(
          `SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> $1`,
          MIGRATIONS_TABLE,
        )
      : await prisma.$queryRawUnsafe<Array<{ name: string }>>(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ?`,
          MIGRATIONS_TABLE,
        );
  return rows.map((row) => row.name).sort();
}

/** Rows per table, for "nothing was written" checks. */
export async function tableRowCounts(prisma: PrismaClient): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await appTables(prisma)) {
    const [row] = await prisma.$queryRawUnsafe<Array<{ count: number | bigint | string }>>(
      `SELECT COUNT(*) AS count FROM ${quote(table)}`,
    );
    counts[table] = Number(row?.count ?? 0);
  }
  return counts;
}

/** Every column of `table`. */
export async function tableColumns(prisma: PrismaClient, table: string): Promise<string[]> {
  const rows =
    databaseKind() === "postgresql"
      ? await prisma.$queryRawUnsafe<Array<{ name: string }>>(
          `SELECT column_name::text AS name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = $1`,
          table,
        )
      : await prisma.$queryRawUnsafe<Array<{ name: string }>>(`SELECT name FROM pragma_table_info(?)`, table);
  return rows.map((row) => row.name);
}

/**
 * Every row of every table with a `shop` column that belongs to `shop`, as
 * sorted JSON per table: compare two snapshots to see that nothing of the
 * shop changed.
 */
export async function shopRows(prisma: PrismaClient, shop: string): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  const param = databaseKind() === "postgresql" ? "$1" : "?";
  for (const table of await appTables(prisma)) {
    if (!(await tableColumns(prisma, table)).includes("shop")) continue;
    const rows = await prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `SELECT * FROM ${quote(table)} WHERE "shop" = ${param}`,
      shop,
    );
    snapshot[table] = rows
      .map((row) => JSON.stringify(row, (_, value) => (typeof value === "bigint" ? String(value) : value)))
      .sort();
  }
  return snapshot;
}

/** The columns of `table` that hold text or JSON. */
export async function textColumns(prisma: PrismaClient, table: string): Promise<string[]> {
  if (databaseKind() === "postgresql") {
    const rows = await prisma.$queryRawUnsafe<Array<{ name: string }>>(
      `SELECT column_name::text AS name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $1
         AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')`,
      table,
    );
    return rows.map((row) => row.name);
  }
  const rows = await prisma.$queryRawUnsafe<Array<{ name: string; type: string }>>(
    `SELECT name, type FROM pragma_table_info(?)`,
    table,
  );
  return rows.filter((row) => /TEXT|CHAR|CLOB|JSON/i.test(row.type)).map((row) => row.name);
}

export interface TextHit {
  table: string;
  column: string;
  needle: string;
  /** The start of the value, for the failure message. */
  excerpt: string;
}

/**
 * Every place in any text or JSON column of any table where one of `needles`
 * appears (case-insensitive, also JSON-escaped, as a body stores it).
 */
export async function findInTextColumns(prisma: PrismaClient, needles: string[]): Promise<TextHit[]> {
  const forms = needles.flatMap((needle) => {
    const escaped = JSON.stringify(needle).slice(1, -1);
    return [...new Set([needle, escaped])].map((form) => ({ needle, form: form.toLowerCase() }));
  });
  const hits: TextHit[] = [];
  for (const table of await appTables(prisma)) {
    const columns = await textColumns(prisma, table);
    if (columns.length === 0) continue;
    const rows = await prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `SELECT ${columns.map(quote).join(", ")} FROM ${quote(table)}`,
    );
    for (const row of rows) {
      for (const column of columns) {
        const value = row[column];
        if (value === null || value === undefined) continue;
        const text = (typeof value === "string" ? value : JSON.stringify(value)).toLowerCase();
        for (const { needle, form } of forms) {
          if (text.includes(form)) {
            const at = text.indexOf(form);
            hits.push({ table, column, needle, excerpt: text.slice(Math.max(0, at - 40), at + 60) });
          }
        }
      }
    }
  }
  return hits;
}
