// Direct SQL for the few hot paths where Prisma's per-query cost is the
// bottleneck (ingest, claiming, state transitions; see docs/performance.md and
// docs/decisions/004-direct-sql-on-hot-paths.md). Everything else uses Prisma.
//
// One SQL text serves both databases: identifiers are double-quoted (both
// accept that), parameters are `?` (rewritten to $1, $2… for PostgreSQL), and
// values are written exactly as Prisma writes them, so Prisma reads these rows
// back unchanged:
//   - DateTime: SQLite stores ISO-8601 text with "+00:00" (the adapter's
//     default format); PostgreSQL `timestamp(3)` holds UTC wall-clock time;
//   - Boolean: 0/1 in SQLite.
// On SQLite the statements run on Prisma's own connection, inside its lock
// (app/db/driver-adapter.server.ts), so they never land inside one of
// Prisma's open transactions. On PostgreSQL they use a small pool of their own.
import { Prisma, type PrismaClient } from "@prisma/client";
import pg from "pg";

import prisma, { adapterOf } from "../db.server";
import { logger } from "../logger.server";
import {
  SqliteAdapterFactory,
  postgresClientConfig,
  postgresConnectionFromUrl,
  SQLITE_BUSY_TIMEOUT_MS,
  type BetterSqlite3Database,
  type DatabaseKind,
} from "./driver-adapter.server";

/** How long a SQLite transaction waits for the write lock without blocking the process. */
const BUSY_WAIT_LIMIT_MS = 2_000;
/** How long a SQLite write waits for the write lock in all before it fails. */
export const LOCK_WAIT_LIMIT_MS = BUSY_WAIT_LIMIT_MS + SQLITE_BUSY_TIMEOUT_MS;
/** A write that waited this long for SQLite's lock is logged: webhooks answer only after theirs. */
export const SLOW_LOCK_WAIT_MS = 1_000;

export type SqlValue = string | number | boolean | Date | null;
export type Row = Record<string, unknown>;

export interface SqlRunner {
  /** Rows of a SELECT or of a statement with RETURNING. */
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement; the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface Sql extends SqlRunner {
  readonly kind: DatabaseKind;
  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE on SQLite). `fn` must
   * only run SQL through `tx`: on SQLite the write lock is held until it ends.
   */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/** A DateTime column as read back: a Date from PostgreSQL, ISO text from SQLite. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(String(value));
}

export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === "number" ? value : Number(value);
}

const scalarKinds = new Map<string, Map<string, string>>();

/**
 * A row read by direct SQL (`SELECT *` / `RETURNING *`) as Prisma would return
 * it for `model`: DateTime columns as Date, Int as number, Boolean as boolean.
 */
export function rowAs<T>(model: Prisma.ModelName, row: Row): T {
  let kinds = scalarKinds.get(model);
  if (!kinds) {
    const fields = Prisma.dmmf.datamodel.models.find((candidate) => candidate.name === model)?.fields ?? [];
    kinds = new Map(
      fields.filter((field) => field.kind === "scalar").map((field) => [field.name, field.type]),
    );
    scalarKinds.set(model, kinds);
  }
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) {
    const kind = kinds.get(column);
    out[column] =
      value === null || value === undefined
        ? null
        : kind === "DateTime"
          ? toDate(value)
          : kind === "Int" || kind === "Float"
            ? toNumber(value)
            : kind === "Boolean"
              ? value === true || value === 1 || value === "1"
              : value;
  }
  return out as T;
}

/** `?, ?, ?` for a list of `count` parameters (at least one, so `IN ()` never happens). */
export function placeholders(count: number): string {
  return Array.from({ length: Math.max(1, count) }, () => "?").join(", ");
}

const cache = new WeakMap<PrismaClient, Sql>();

/** Direct SQL on the database `client` (the app's shared client by default) uses. */
export function sqlFor(client: PrismaClient = prisma): Sql {
  let sql = cache.get(client);
  if (!sql) {
    const { adapter, url } = adapterOf(client);
    sql = adapter instanceof SqliteAdapterFactory ? sqliteSql(client, adapter) : postgresSql(url);
    cache.set(client, sql);
  }
  return sql;
}

/**
 * SQLite: copies every page of the write-ahead log into the database file and
 * truncates the log to nothing, so the old text of rewritten or deleted rows
 * (a redaction's) leaves no copy in the -wal file. It never waits for a lock,
 * which would block the process: false when another connection is writing or
 * still reading from the log (try again a moment later). True on PostgreSQL,
 * which has no such file.
 */
export async function truncateWal(client: PrismaClient = prisma): Promise<boolean> {
  const { adapter } = adapterOf(client);
  if (!(adapter instanceof SqliteAdapterFactory)) return true;
  if (!adapter.connection) await client.$connect();
  const connection = adapter.connection;
  if (!connection) throw new Error("Prisma did not connect to SQLite");
  return connection.exclusive(() => {
    const { database } = connection;
    database.prepare("PRAGMA busy_timeout = 0").run();
    try {
      const checkpoint = database.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
      checkpoint.safeIntegers(false);
      const [row] = checkpoint.all() as Array<{ busy: number }>;
      return row?.busy === 0;
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_BUSY") return false;
      throw error;
    } finally {
      database.prepare(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`).run();
    }
  });
}

/**
 * The same SQL inside one of Prisma's interactive transactions, for a write
 * that must commit together with Prisma-made ones (an alert beside a hold).
 */
export function prismaRunner(tx: Prisma.TransactionClient, kind: DatabaseKind): SqlRunner {
  const text = (sql: string) => (kind === "postgresql" ? postgresText(sql) : sql);
  const values = (params: readonly SqlValue[]) =>
    params.map(kind === "postgresql" ? postgresValue : (v) => v);
  return {
    all: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await tx.$queryRawUnsafe(text(sql), ...values(params))) as T[],
    run: (sql: string, params: readonly SqlValue[] = []) =>
      tx.$executeRawUnsafe(text(sql), ...values(params)),
  };
}

// ---------------------------------------------------------------- SQLite

let lastTime = Number.NaN;
let lastTimeText = "";

/** A value as better-sqlite3 takes it, written as Prisma writes it. */
export function sqliteValue(value: SqlValue): unknown {
  if (value instanceof Date) {
    // A write gives the same time several times (createdAt, updatedAt…), and
    // writes of the same millisecond come together: each is formatted once.
    const time = value.getTime();
    if (time !== lastTime) {
      lastTime = time;
      lastTimeText = value.toISOString().replace("Z", "+00:00");
    }
    return lastTimeText;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

type Statement = ReturnType<BetterSqlite3Database["prepare"]>;

function sqliteSql(client: PrismaClient, factory: SqliteAdapterFactory): Sql {
  const statements = new WeakMap<BetterSqlite3Database, Map<string, Statement>>();
  const prepare = (database: BetterSqlite3Database, text: string): Statement => {
    let byText = statements.get(database);
    if (!byText) statements.set(database, (byText = new Map()));
    let statement = byText.get(text);
    if (!statement) {
      statement = database.prepare(text);
      // Prisma turns safe integers on for the whole connection; these paths read plain numbers.
      if (statement.reader) statement.safeIntegers(false);
      byText.set(text, statement);
    }
    return statement;
  };
  const runnerOn = (database: BetterSqlite3Database): SqlRunner => ({
    all: async <T>(text: string, params: readonly SqlValue[] = []) =>
      prepare(database, text).all(...params.map(sqliteValue)) as T[],
    run: async (text: string, params: readonly SqlValue[] = []) =>
      prepare(database, text).run(...params.map(sqliteValue)).changes,
  });
  const connection = async () => {
    if (!factory.connection) await client.$connect();
    const connected = factory.connection;
    if (!connected) throw new Error("Prisma did not connect to SQLite");
    return connected;
  };
  return {
    kind: "sqlite",
    all: async (text, params) => {
      const { database, exclusive } = await connection();
      return exclusive(() => runnerOn(database).all(text, params));
    },
    run: async (text, params) => {
      const { database, exclusive } = await connection();
      return exclusive(() => runnerOn(database).run(text, params));
    },
    transaction: async (fn) => {
      const startedAt = Date.now();
      for (let tries = 0; ; tries += 1) {
        const { database, exclusive } = await connection();
        // Another process holding the write lock would make BEGIN IMMEDIATE
        // wait in SQLite's busy handler, which blocks this whole process (its
        // HTTP server too). So ask without waiting, and wait here instead,
        // asynchronously; after BUSY_WAIT_LIMIT_MS, wait in SQLite after all.
        const block = Date.now() - startedAt >= BUSY_WAIT_LIMIT_MS;
        const outcome = await exclusive(async () => {
          if (!begin(database, block)) return BUSY;
          const waitedMs = Date.now() - startedAt;
          if (waitedMs >= SLOW_LOCK_WAIT_MS) {
            logger.warn({ waitedMs, tries }, "a write waited over a second for SQLite's write lock");
          }
          try {
            const result = await fn(runnerOn(database));
            prepare(database, "COMMIT").run();
            return { result };
          } catch (error) {
            prepare(database, "ROLLBACK").run();
            throw error;
          }
        });
        if (outcome !== BUSY) return outcome.result;
        await new Promise((resolve) => setTimeout(resolve, 0.5 + Math.random() * Math.min(1 + tries, 10)));
      }
    },
  };

  /** BEGIN IMMEDIATE; false when another process holds the write lock and `block` is off. */
  function begin(database: BetterSqlite3Database, block: boolean): boolean {
    if (block) {
      prepare(database, "BEGIN IMMEDIATE").run();
      return true;
    }
    prepare(database, "PRAGMA busy_timeout = 0").run();
    try {
      prepare(database, "BEGIN IMMEDIATE").run();
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_BUSY") return false;
      throw error;
    } finally {
      prepare(database, `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`).run();
    }
  }
}

const BUSY = Symbol("busy");

// ------------------------------------------------------------ PostgreSQL

const PG_TIMESTAMP_OID = 1114;

function postgresText(text: string): string {
  let index = 0;
  return text.replace(/\?/g, () => `$${++index}`);
}

function postgresValue(value: SqlValue): unknown {
  // timestamp(3) without time zone ignores the zone in its input: the UTC
  // wall-clock time is stored, as Prisma stores it.
  return value instanceof Date ? value.toISOString() : value;
}

function postgresSql(url: string): Sql & { close(): Promise<void> } {
  const pool = new pg.Pool({
    ...postgresClientConfig(postgresConnectionFromUrl(url)),
    application_name: "brilliant-sync-direct",
    max: 4,
    allowExitOnIdle: true,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === PG_TIMESTAMP_OID
          ? (value: string) => new Date(`${value.replace(" ", "T")}Z`)
          : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  const runnerOn = (queryable: pg.Pool | pg.PoolClient): SqlRunner => ({
    all: async <T>(text: string, params: readonly SqlValue[] = []) =>
      (await queryable.query(postgresText(text), params.map(postgresValue))).rows as T[],
    run: async (text: string, params: readonly SqlValue[] = []) =>
      (await queryable.query(postgresText(text), params.map(postgresValue))).rowCount ?? 0,
  });
  const direct = runnerOn(pool);
  return {
    kind: "postgresql",
    all: direct.all,
    run: direct.run,
    transaction: async (fn) => {
      const connection = await pool.connect();
      try {
        await connection.query("BEGIN");
        const result = await fn(runnerOn(connection));
        await connection.query("COMMIT");
        return result;
      } catch (error) {
        await connection.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}
