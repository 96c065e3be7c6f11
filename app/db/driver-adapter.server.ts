// How Brilliant Sync reaches its database, shared by the app (app/db.server.ts),
// the Prisma CLI (prisma.config.ts) and the tests (tests/setup/*). It imports no
// generated Prisma client, so the CLI can load it before `prisma generate` ran.
//
// One variable picks the database: DATABASE_URL.
//   - postgres:// or postgresql://  → PostgreSQL through @prisma/adapter-pg
//   - anything else (file:…)        → SQLite through @prisma/adapter-better-sqlite3
//   - unset                         → DEFAULT_DATABASE_URL (SQLite)
//
// Relative SQLite paths are resolved against the current working directory,
// NOT against prisma/ as Prisma's classic engine does for `url` in a schema.
// The app, the worker, the CLI and the tests all run from the repository root
// (npm scripts always do), so `file:./prisma/dev.sqlite` is the same file for
// all of them. The datasource `url` in the schemas is never used to connect.
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PostgresAdapterFactory, postgresConnectionFromUrl } from "./postgres-adapter.server";

export {
  PostgresAdapterFactory,
  postgresClientConfig,
  postgresConnectionFromUrl,
  postgresUrl,
  type PostgresConnection,
} from "./postgres-adapter.server";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export type DatabaseKind = "sqlite" | "postgresql";

/** The connection the Prisma driver adapters hand to the query/schema engine. */
export type SqlDriverAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;

/** What both `new PrismaClient({ adapter })` and prisma.config.ts accept. */
export type DriverAdapterFactory = SqliteAdapterFactory | PostgresAdapterFactory;

// Several worker processes share one SQLite file: wait for a lock this long
// instead of failing with SQLITE_BUSY at once.
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export function databaseUrlFromEnv(env: Record<string, string | undefined> = process.env): string {
  const url = env.DATABASE_URL?.trim();
  return url ? url : DEFAULT_DATABASE_URL;
}

export function databaseKindOf(url: string): DatabaseKind {
  return /^postgres(ql)?:\/\//i.test(url.trim()) ? "postgresql" : "sqlite";
}

export function createDriverAdapter(url: string): DriverAdapterFactory {
  return databaseKindOf(url) === "postgresql"
    ? new PostgresAdapterFactory(postgresConnectionFromUrl(url))
    : new SqliteAdapterFactory(sqliteFileFromUrl(url));
}

// ---------------------------------------------------------------- SQLite

/**
 * The file a SQLite DATABASE_URL names, absolute. Accepts `file:./x.sqlite`,
 * `file:x.sqlite`, `file:/abs/x.sqlite`, `file:///abs/x.sqlite`, a bare path,
 * and `:memory:`; query parameters (`?connection_limit=1`) are ignored.
 */
export function sqliteFileFromUrl(url: string, cwd: string = process.cwd()): string {
  const trimmed = url.trim();
  if (trimmed === ":memory:" || trimmed === "file::memory:") return ":memory:";
  if (trimmed.startsWith("file://")) return fileURLToPath(trimmed.split("?")[0] ?? trimmed);
  const path = trimmed.replace(/^file:/, "").split("?")[0] ?? "";
  if (path === "") throw new Error(`DATABASE_URL "${url}" does not name a SQLite file`);
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/** better-sqlite3's Database, as much of it as the direct SQL paths use. */
export interface BetterSqlite3Database {
  prepare(sql: string): {
    run(...params: unknown[]): { changes: number };
    all(...params: unknown[]): unknown[];
    reader: boolean;
    safeIntegers(toggle?: boolean): unknown;
  };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F };
}

/** Prisma's SQLite connection, shared with the direct SQL paths of app/db/sql.server.ts. */
export interface SqliteConnection {
  database: BetterSqlite3Database;
  /**
   * Runs `fn` while no Prisma query or transaction is using the connection, and
   * keeps Prisma out until it settles. `fn` must only run statements on
   * `database`: whatever else it awaited would hold up every query of the process.
   */
  exclusive<T>(fn: () => T | Promise<T>): Promise<T>;
}

function isMultipleStatementsError(error: unknown): boolean {
  return error instanceof RangeError && /more than one statement/i.test(error.message);
}

/**
 * PrismaBetterSQLite3 with two fixes:
 * - every connection runs in WAL mode with a busy timeout, so the web server and
 *   several worker processes can share one file (readers never block the writer);
 * - Prisma's JS schema engine sends a whole migration script as one argument-less
 *   `executeRaw`, which better-sqlite3 refuses ("contains more than one
 *   statement"); such a script goes to `executeScript` (better-sqlite3's `exec`)
 *   instead. The refusal happens while preparing, before anything ran, so the
 *   retry cannot apply a statement twice.
 */
export class SqliteAdapterFactory extends PrismaBetterSQLite3 {
  readonly file: string;
  /**
   * The connection Prisma is using now, for the hot paths that speak SQL to it
   * directly (app/db/sql.server.ts); null until Prisma connects, and again
   * after it disconnects.
   */
  connection: SqliteConnection | null = null;

  constructor(file: string) {
    super({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
    this.file = file;
  }

  override async connect(): Promise<SqlDriverAdapter> {
    const raw = withScriptFallback(await super.connect());
    const database = (raw as unknown as { client: BetterSqlite3Database }).client;
    const { adapter, exclusive } = withTransactionIsolation(raw);
    if (this.file !== ":memory:") {
      // journal_mode=WAL is stored in the file; busy_timeout is per connection
      // (better-sqlite3's `timeout` already sets it; stated again to be explicit).
      // synchronous=NORMAL: in WAL mode a commit does not wait for an fsync; the
      // database stays consistent after any crash of the process, and only
      // commits of the last moments can be lost if the machine loses power.
      // temp_store=MEMORY: the statement journal (the pages a statement inside a
      // transaction changed, kept so that statement alone can be undone, e.g.
      // an insert whose last unique index refuses it) stays in memory: on a
      // file it costs a write() per page, most of an insert's CPU. It holds at most a
      // transaction's changed pages. Sorts SQLite makes without an index go
      // to memory too: the app's are of rows it then holds in memory anyway
      // (the mapping exports read whole lists).
      // secure_delete=ON: deleted and rewritten content (a redaction's) is
      // overwritten with zeros in the file, free pages included, not left
      // behind in free space (app/orders/compliance/).
      await adapter.executeScript(
        `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON; PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}; PRAGMA foreign_keys = ON;`,
      );
    }
    const connection: SqliteConnection = { database, exclusive };
    this.connection = connection;
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      if (this.connection === connection) this.connection = null;
      await dispose();
    };
    return adapter;
  }

  override async connectToShadowDb(): Promise<SqlDriverAdapter> {
    // In memory (the adapter's default): `migrate dev` / `migrate diff
    // --from-migrations` replay the migrations there.
    return withScriptFallback(await super.connectToShadowDb());
  }
}

/**
 * One better-sqlite3 connection serves the whole process. The adapter keeps
 * transactions from overlapping each other, but a query made outside a
 * transaction while one is open would run inside it on the shared connection,
 * and vanish if that transaction rolls back (a redelivery's count, another
 * order's lease). So queries outside transactions wait until no transaction is
 * open, and a transaction waits for them: SQLite has one writer anyway.
 *
 * A transaction's callback must use its `tx`, never the global client: a
 * global query inside it would wait for the transaction itself, until
 * Prisma's transaction timeout ends it.
 */
function withTransactionIsolation(adapter: SqlDriverAdapter): {
  adapter: SqlDriverAdapter;
  exclusive: SqliteConnection["exclusive"];
} {
  let tail: Promise<void> = Promise.resolve();
  const acquire = async (): Promise<() => void> => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = tail;
    tail = previous.then(() => held);
    await previous;
    return release;
  };
  const exclusive =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const release = await acquire();
      try {
        return await fn(...args);
      } finally {
        release();
      }
    };

  adapter.queryRaw = exclusive(adapter.queryRaw.bind(adapter));
  adapter.executeRaw = exclusive(adapter.executeRaw.bind(adapter));
  adapter.executeScript = exclusive(adapter.executeScript.bind(adapter));
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const release = await acquire();
    try {
      const transaction = await startTransaction(isolationLevel);
      const commit = transaction.commit.bind(transaction);
      const rollback = transaction.rollback.bind(transaction);
      let released = false;
      const done = () => {
        if (!released) {
          released = true;
          release();
        }
      };
      transaction.commit = async () => {
        try {
          return await commit();
        } finally {
          done();
        }
      };
      transaction.rollback = async () => {
        try {
          return await rollback();
        } finally {
          done();
        }
      };
      return transaction;
    } catch (error) {
      release();
      throw error;
    }
  };
  return { adapter, exclusive: (fn) => exclusive(async () => fn())() };
}

function withScriptFallback(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (error) {
      if (query.args.length > 0 || !isMultipleStatementsError(error)) throw error;
      await adapter.executeScript(query.sql);
      return 0;
    }
  };
  return adapter;
}
