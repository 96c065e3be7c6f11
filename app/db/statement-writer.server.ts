import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import type { PrismaClient } from "@prisma/client";

import prisma, { adapterOf } from "../db.server";
import { logger } from "../logger.server";
import { SqliteAdapterFactory } from "./driver-adapter.server";
import { TransactionBatcher } from "./group-commit.server";
import {
  LOCK_WAIT_LIMIT_MS,
  SLOW_LOCK_WAIT_MS,
  sqlFor,
  sqliteValue,
  type Row,
  type SqlRunner,
  type SqlValue,
} from "./sql.server";

/** One SQL statement of a write; `returns`: its rows are wanted (a SELECT, or RETURNING). */
export interface SqlStatement {
  sql: string;
  params: readonly SqlValue[];
  returns?: boolean;
}

/**
 * Writes made of fixed statements (none depends on another's result in
 * JavaScript; SQL can), group-committed: `write` resolves with each
 * statement's rows once the transaction holding the write committed.
 */
export interface StatementWriter {
  write(statements: readonly SqlStatement[]): Promise<Row[][]>;
  close(): Promise<void>;
}

const writers = new WeakMap<PrismaClient, StatementWriter>();

/**
 * The statement writer for the database `client` uses (decision 008): on a
 * SQLite file, a thread of its own runs the writes, so that this process's
 * event loop never waits on SQLite's inserts and commits; on PostgreSQL
 * (whose driver already waits off the event loop) and in-memory SQLite, the
 * process's own connection does, through a TransactionBatcher.
 */
export function statementWriterFor(client: PrismaClient = prisma): StatementWriter {
  let writer = writers.get(client);
  if (!writer) {
    const { adapter } = adapterOf(client);
    writer =
      adapter instanceof SqliteAdapterFactory && adapter.file !== ":memory:"
        ? new SqliteWriterThread(adapter.file)
        : new TransactionWriter(() => sqlFor(client));
    writers.set(client, writer);
  }
  return writer;
}

/** Closes `client`'s statement writer (its thread, on SQLite); the next write opens a new one. */
export async function closeStatementWriter(client: PrismaClient = prisma): Promise<void> {
  const writer = writers.get(client);
  writers.delete(client);
  await writer?.close();
}

class TransactionWriter implements StatementWriter {
  private readonly batcher: TransactionBatcher;

  constructor(sql: ConstructorParameters<typeof TransactionBatcher>[0]) {
    this.batcher = new TransactionBatcher(sql);
  }

  write(statements: readonly SqlStatement[]): Promise<Row[][]> {
    return this.batcher.run((tx) => runStatements(tx, statements));
  }

  async close(): Promise<void> {}
}

/** Runs `statements` in order on `tx` (inside a transaction the caller holds): each one's rows. */
export async function runStatements(tx: SqlRunner, statements: readonly SqlStatement[]): Promise<Row[][]> {
  const rows: Row[][] = [];
  for (const statement of statements) {
    if (statement.returns) {
      rows.push(await tx.all(statement.sql, statement.params));
    } else {
      await tx.run(statement.sql, statement.params);
      rows.push([]);
    }
  }
  return rows;
}

interface Pending {
  /** Until sent to the thread; then let go (a webhook's body need not live until its commit). */
  statements: readonly SqlStatement[] | null;
  resolve(rows: Row[][]): void;
  reject(error: unknown): void;
}

type ThreadResult = { rows: Row[][] } | { error: { message: string; code: string | null } };

interface ThreadAnswer {
  id: number;
  waitedMs: number;
  results: ThreadResult[];
  failedAsAWhole?: { message: string; code: string | null };
}

/** An error from the writer thread, as better-sqlite3 threw it there (its message and code). */
class SqliteWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = "SqliteWriteError";
  }
}

/**
 * Group commit on a thread of its own (app/db/sqlite-writer.thread.mjs):
 * writes submitted while a transaction is in the thread wait for the next
 * one, and go in together, at most `maxBatch` to a transaction. Once
 * `pipelineAt` writes wait, they go to the thread at once, to start the
 * moment the transaction before them commits: otherwise the thread idles
 * while its answer waits for this busy event loop, and the next batch with
 * it. The thread starts with the first write
 * and is started again after it died; it keeps the process alive only while
 * writes are pending.
 */
class SqliteWriterThread implements StatementWriter {
  private worker: Worker | null = null;
  /** The thread's control words (sqlite-writer.thread.mjs): STOP, BUSY. */
  private control: Int32Array | null = null;
  private queue: Pending[] = [];
  /** Sent and not yet answered, oldest first: at most two (the thread answers in order). */
  private inFlight: Array<{ id: number; batch: Pending[] }> = [];
  private scheduled = false;
  /** Set by `close()`: no write is taken, and no thread started, after it. */
  private closed = false;
  private nextId = 1;
  /** Each SQL text goes to the thread once, then by its number (in the order sent). */
  private readonly texts = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly maxBatch = 256,
    private readonly pipelineAt = 16,
  ) {}

  write(statements: readonly SqlStatement[]): Promise<Row[][]> {
    if (this.closed) return Promise.reject(stoppingError());
    return new Promise((resolve, reject) => {
      this.queue.push({ statements, resolve, reject });
      if (this.inFlight.length === 1 && this.queue.length >= this.pipelineAt) this.send();
      else if (this.inFlight.length === 0 && !this.scheduled) {
        this.scheduled = true;
        // Let the other writes of this turn join the transaction.
        setImmediate(() => {
          this.scheduled = false;
          this.send();
        });
      }
    });
  }

  /**
   * Stops the thread without terminating it in the middle of a SQLite call:
   * a write waiting for the write lock fails at once (WRITER_STOPPING), one
   * being written commits, and the thread closes its connection and ends.
   * Terminated only if it has not ended after CLOSE_GRACE_MS. Writes not yet
   * handed to the thread, and any written after, fail as stopping too: a
   * closed writer never starts another thread.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(stoppingError());
    const { worker, control } = this;
    if (!worker || !control) return;
    this.worker = null;
    this.control = null;
    requestStop(control);
    const ended = new Promise((resolve) => worker.once("exit", resolve));
    worker.postMessage({ close: true });
    const deadline = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
    await ended;
    clearTimeout(deadline);
  }

  private send(): void {
    if (this.closed || this.inFlight.length >= 2 || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    const id = this.nextId++;
    this.inFlight.push({ id, batch });
    const worker = this.thread();
    worker.ref();
    const texts: string[] = [];
    const writes = batch.map((pending) => {
      const statements = pending.statements ?? [];
      pending.statements = null;
      return statements.map(({ sql, params, returns }) => {
        let text = this.texts.get(sql);
        if (text === undefined) {
          text = this.texts.size;
          this.texts.set(sql, text);
          texts.push(sql);
        }
        return { text, params: params.map(sqliteValue), returns: returns ?? false };
      });
    });
    worker.postMessage({ id, texts, writes });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    this.texts.clear();
    const control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    stopWhenTheProcessExits(control);
    const worker = new Worker(writerThreadFile(), {
      workerData: { file: this.file, lockWaitLimitMs: LOCK_WAIT_LIMIT_MS, control: control.buffer },
      // Plain JavaScript: none of the process's loaders or preloads (tsx, a profiler's).
      execArgv: [],
    });
    worker.on("message", (answer: ThreadAnswer) => this.settle(answer));
    worker.on("error", (error) => this.failAll(worker, error));
    worker.on("exit", (code) => {
      liveControls.delete(control);
      this.failAll(worker, new Error(`the SQLite writer thread exited (code ${code})`));
    });
    this.worker = worker;
    this.control = control;
    return worker;
  }

  private settle(answer: ThreadAnswer): void {
    const inFlight = this.inFlight[0];
    if (!inFlight || inFlight.id !== answer.id) return;
    this.inFlight.shift();
    if (answer.waitedMs >= SLOW_LOCK_WAIT_MS) {
      logger.warn({ waitedMs: answer.waitedMs }, "a write waited over a second for SQLite's write lock");
    }
    if (answer.failedAsAWhole) {
      logger.warn(
        { err: answer.failedAsAWhole, writes: inFlight.batch.length },
        "a group commit failed as a whole; its writes are tried again one by one",
      );
    }
    inFlight.batch.forEach((pending, index) => {
      const result = answer.results[index];
      if (result && "rows" in result) pending.resolve(result.rows);
      else
        pending.reject(
          new SqliteWriteError(result?.error.message ?? "no answer", result?.error.code ?? null),
        );
    });
    if (this.inFlight.length === 0 || this.queue.length >= this.pipelineAt) this.send();
    if (this.inFlight.length === 0) this.worker?.unref();
  }

  /** The thread died: what it held and what waited for it fail; the next write starts a new one. */
  private failAll(worker: Worker, error: unknown): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const failed = [...this.inFlight.flatMap((sent) => sent.batch), ...this.queue.splice(0)];
    this.inFlight = [];
    if (failed.length > 0)
      logger.error({ err: error, writes: failed.length }, "the SQLite writer thread failed");
    for (const pending of failed) pending.reject(error);
  }
}

/** What a write gets from a writer that is closing or closed: the thread's own code for it. */
function stoppingError(): SqliteWriteError {
  return new SqliteWriteError("the SQLite writer is closed", "WRITER_STOPPING");
}

/** The writer thread's control words (shared memory; sqlite-writer.thread.mjs). */
const STOP = 0;
const BUSY = 1;
/** How long `close()` lets the thread finish what it is writing before terminating it. */
const CLOSE_GRACE_MS = 5_000;
/** How long the exiting process waits for a thread to be between SQLite calls. */
const EXIT_GRACE_MS = 250;
/** The control words of the threads running. */
const liveControls = new Set<Int32Array>();
let exitHookInstalled = false;

/** Tells the thread to stop: it starts no transaction, and stops waiting for the write lock. */
function requestStop(control: Int32Array): void {
  Atomics.store(control, STOP, 1);
  Atomics.notify(control, STOP);
}

/**
 * When the process exits, Node terminates its threads wherever they are; a
 * thread terminated while better-sqlite3 throws (as it does every
 * millisecond or so while waiting for the write lock) aborts the whole
 * process with "FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal". On exit,
 * each live thread is told to stop, and the process waits (at most
 * EXIT_GRACE_MS) until it is between messages, where no SQLite call is left.
 */
function stopWhenTheProcessExits(control: Int32Array): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const live of liveControls) requestStop(live);
      for (const live of liveControls) Atomics.wait(live, BUSY, 1, EXIT_GRACE_MS);
    });
  }
  liveControls.add(control);
}

/**
 * app/db/sqlite-writer.thread.mjs, found from this module's place: beside it
 * when run from source, above it from the server build (build/server/index.js):
 * `npm start` runs the build from the project's folder, sources included.
 */
function writerThreadFile(): string {
  const relative = "app/db/sqlite-writer.thread.mjs";
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = resolve(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${relative} not found above ${import.meta.url}`);
  }
}
