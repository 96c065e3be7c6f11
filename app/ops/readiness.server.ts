import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

import type { PrismaClient } from "@prisma/client";

import prisma, { databaseKind } from "../db.server";
import { logger } from "../logger.server";
import { workerStatus } from "./worker-heartbeat.server";

export type ReadinessCheck = "database" | "migrations" | "worker";

export interface Readiness {
  ready: boolean;
  /** The checks that failed, in the order they ran. */
  failed: ReadinessCheck[];
  /** Each check's result in words: "ok", or what is wrong. */
  checks: Record<ReadinessCheck, string>;
}

export interface ReadinessOptions {
  /** A worker heartbeat older than this (or none) fails the worker check. */
  staleAfterMs: number;
  db?: PrismaClient;
  /** The active provider's folder unless given (relative to the working directory, as DATABASE_URL's files are). */
  migrationsDir?: string;
  /** Each check's limit; a database that takes longer is not ready. */
  timeoutMs?: number;
  now?: Date;
}

/** Where `npm run setup` takes the migrations of the database DATABASE_URL names (scripts/db/paths.ts). */
export function migrationsDirFor(kind = databaseKind()): string {
  return resolve(kind === "postgresql" ? "prisma/postgresql/migrations" : "prisma/migrations");
}

const migrationFolders = new Map<string, string[] | null>();

/** The migrations in `dir` (folders with a migration.sql), read once: they change only with a deploy. */
function migrationNames(dir: string): string[] | null {
  let names = migrationFolders.get(dir);
  if (names === undefined) {
    names = existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true })
          .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "migration.sql")))
          .map((entry) => entry.name)
          .sort()
      : null;
    migrationFolders.set(dir, names);
  }
  return names;
}

/**
 * The web process's readiness: the database answers, it has every migration
 * of the folder applied, and a worker was seen lately. Database errors are
 * logged, never answered: the body is public.
 */
export async function checkReadiness(options: ReadinessOptions): Promise<Readiness> {
  const db = options.db ?? prisma;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const checks: Record<ReadinessCheck, string> = { database: "ok", migrations: "ok", worker: "ok" };
  try {
    await within(timeoutMs, db.$queryRaw`SELECT 1`);
  } catch (error) {
    logger.warn({ err: error }, "readiness: the database did not answer");
    checks.database = "the database did not answer";
    checks.migrations = checks.worker = "not checked: the database did not answer";
    return { ready: false, failed: ["database"], checks };
  }
  const [migrations, worker] = await Promise.all([
    within(timeoutMs, missingMigrations(db, options.migrationsDir ?? migrationsDirFor())).then(
      (missing) => missing,
      (error: unknown) => {
        logger.warn({ err: error }, "readiness: the applied migrations could not be read");
        return "the applied migrations could not be read";
      },
    ),
    within(timeoutMs, workerStatus(options.staleAfterMs, { db, now: options.now })).then(
      (status) => (status.running ? "ok" : workerGone(status.lastSeenAt, options.now ?? new Date())),
      (error: unknown) => {
        logger.warn({ err: error }, "readiness: worker heartbeats could not be read");
        return "worker heartbeats could not be read";
      },
    ),
  ]);
  checks.migrations = migrations;
  checks.worker = worker;
  const failed = (["migrations", "worker"] as const).filter((check) => checks[check] !== "ok");
  return { ready: failed.length === 0, failed, checks };
}

/** "ok", or which migrations of `dir` the database has not applied. */
async function missingMigrations(db: PrismaClient, dir: string): Promise<string> {
  const expected = migrationNames(dir);
  if (expected === null) {
    logger.warn({ dir }, "readiness: no migrations folder");
    return "the migrations folder is missing";
  }
  const applied = await db.$queryRaw<Array<{ migration_name: string }>>`
    SELECT "migration_name" FROM "_prisma_migrations"
    WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;
  const done = new Set(applied.map((row) => row.migration_name));
  const missing = expected.filter((name) => !done.has(name));
  if (missing.length === 0) return "ok";
  const named = missing.slice(0, 5).join(", ");
  return `not applied: ${named}${missing.length > 5 ? ` and ${missing.length - 5} more` : ""}`;
}

function workerGone(lastSeenAt: Date | null, now: Date): string {
  if (!lastSeenAt) return "no worker heartbeat yet";
  return `no worker heartbeat for ${Math.round((now.getTime() - lastSeenAt.getTime()) / 1000)} s`;
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
