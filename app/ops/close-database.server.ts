import prisma from "../db.server";
import { sqlFor } from "../db/sql.server";
import { closeStatementWriter } from "../db/statement-writer.server";

/**
 * Closes this process's connections to the database as it stops: the SQLite
 * writer thread first (it commits what it holds), then the direct-SQL pool
 * (PostgreSQL) and Prisma's client, so the database sees clean disconnects.
 */
export async function closeDatabase(): Promise<void> {
  await closeStatementWriter();
  // Only PostgreSQL's direct SQL has a pool of its own to end.
  const direct = sqlFor() as ReturnType<typeof sqlFor> & { close?: () => Promise<void> };
  await direct.close?.();
  await prisma.$disconnect();
}
