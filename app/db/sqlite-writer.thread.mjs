// The SQLite writer thread (app/db/statement-writer.server.ts starts it;
// decision 008). Plain JavaScript: it runs in a bare worker thread, with no
// TypeScript loader.
//
// It owns one better-sqlite3 connection and runs each message's writes in one
// transaction, so the web process's event loop never waits on SQLite's
// inserts and commits.
// - A message is { id, texts, writes }. Each write is a list of statements
//   ({ text, params, returns }): `text` is the number of its SQL text (each
//   text comes once, in `texts`, numbered in the order they came), and the
//   values are already in SQLite's form.
// - The answer is { id, results, waitedMs, failedAsAWhole? }: per write, the
//   rows of each of its statements, or the error that failed it.
// - { close: true } closes the connection; the thread then ends.
// - `control` (shared memory) stops it from the outside: once STOP is 1 it
//   starts no transaction and stops waiting for the write lock (those writes
//   fail with code WRITER_STOPPING); BUSY is 1 while it handles a message.
//   A thread terminated while better-sqlite3 throws an error aborts the
//   whole process (the error object cannot be made while V8 terminates the
//   thread: "FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal"), and waiting
//   for the lock throws SQLITE_BUSY every millisecond or so; the web process
//   sets STOP and waits for BUSY to clear before it lets the thread be
//   terminated (app/db/statement-writer.server.ts).
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

const require = createRequire(import.meta.url);
const Database = require("better-sqlite3");

/** @type {{ file: string, lockWaitLimitMs: number, control: SharedArrayBuffer }} */
const { file, lockWaitLimitMs, control: controlMemory } = workerData;
const control = new Int32Array(controlMemory);
const STOP = 0;
const BUSY = 1;

const db = new Database(file);
// As every connection of the app (app/db/driver-adapter.server.ts). The lock
// is waited for below, not in SQLite's busy handler, whose sleeps grow to 100 ms.
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("temp_store = MEMORY");
db.pragma("secure_delete = ON");
db.pragma("foreign_keys = ON");
db.pragma("busy_timeout = 0");

const prepared = new Map();
const prepare = (sql) => {
  let statement = prepared.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    prepared.set(sql, statement);
  }
  return statement;
};

class StoppingError extends Error {
  code = "WRITER_STOPPING";
}

/** BEGIN IMMEDIATE, waiting for another connection's write lock; how long it waited (ms). */
const begin = () => {
  const started = Date.now();
  for (;;) {
    if (Atomics.load(control, STOP) === 1) throw new StoppingError("the SQLite writer thread is stopping");
    try {
      prepare("BEGIN IMMEDIATE").run();
      return Date.now() - started;
    } catch (error) {
      if (error.code !== "SQLITE_BUSY" || Date.now() - started >= lockWaitLimitMs) throw error;
      // This thread only writes: sleeping here holds up nothing else. Short
      // naps: the worker lets go of the lock for ~2 ms between its
      // transactions (WORKER_WRITE_GAP_MS), and a longer nap would miss it.
      // Woken at once by a stop.
      Atomics.wait(control, STOP, 0, 0.2 + Math.random() * 0.8);
    }
  }
};

/** The SQL texts received so far: a statement names its text by its number here. */
const texts = [];

const runWrite = (statements) =>
  statements.map(({ text, params, returns }) => {
    const statement = prepare(texts[text]);
    if (returns) return statement.all(...params);
    statement.run(...params);
    return [];
  });

const transaction = (writes) => {
  const waitedMs = begin();
  try {
    const rows = writes.map(runWrite);
    prepare("COMMIT").run();
    return { waitedMs, rows };
  } catch (error) {
    if (db.inTransaction) prepare("ROLLBACK").run();
    throw error;
  }
};

const describe = (error) => ({ message: String(error?.message ?? error), code: error?.code ?? null });

const handle = ({ id, texts: newTexts, writes }) => {
  texts.push(...newTexts);
  try {
    const { waitedMs, rows } = transaction(writes);
    parentPort.postMessage({ id, waitedMs, results: rows.map((statementRows) => ({ rows: statementRows })) });
  } catch (failure) {
    if (failure?.code === "SQLITE_BUSY" || failure instanceof StoppingError) {
      // The write lock never came (trying each write again would wait as
      // long again), or the thread is stopping.
      parentPort.postMessage({
        id,
        waitedMs: failure instanceof StoppingError ? 0 : lockWaitLimitMs,
        results: writes.map(() => ({ error: describe(failure) })),
      });
      return;
    }
    // One bad write fails only itself: each is tried again on its own.
    let waitedMs = 0;
    const results = writes.map((write) => {
      try {
        const done = transaction([write]);
        waitedMs = Math.max(waitedMs, done.waitedMs);
        return { rows: done.rows[0] };
      } catch (error) {
        return { error: describe(error) };
      }
    });
    parentPort.postMessage({ id, waitedMs, results, failedAsAWhole: describe(failure) });
  }
};

parentPort.on("message", (message) => {
  if (message.close) {
    db.close();
    parentPort.close();
    return;
  }
  Atomics.store(control, BUSY, 1);
  try {
    handle(message);
  } finally {
    Atomics.store(control, BUSY, 0);
    Atomics.notify(control, BUSY);
  }
});
