import prisma from "../db.server";
import { logger } from "../logger.server";
import { sqlFor } from "./sql.server";

/**
 * Opens the database and loads Prisma's query compiler before a process
 * takes work, so that the first burst after a start does not wait seconds on
 * them (decision 005): the web server runs it before it listens, the worker
 * before it claims.
 */
export async function warmUpDatabase(): Promise<void> {
  const started = Date.now();
  await prisma.session.findFirst({ select: { id: true } });
  await sqlFor().all(`SELECT "id" FROM "Session" LIMIT 1`);
  logger.debug({ ms: Date.now() - started }, "database warmed up");
}
