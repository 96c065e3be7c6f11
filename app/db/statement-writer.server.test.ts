import type { Worker } from "node:worker_threads";

import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { holdSqliteWriteLock, resetDatabase } from "../../tests/helpers/db";
import prisma, { databaseKind } from "../db.server";
import { logger } from "../logger.server";
import { closeStatementWriter, statementWriterFor, type SqlStatement } from "./statement-writer.server";

const shop = "statement-writer.myshopify.com";

/** An order row, and its first transition only when a second statement is given an id. */
function orderWrite(id: string, transitionId?: string): SqlStatement[] {
  const at = new Date("2026-11-26T08:00:00.123Z");
  const statements: SqlStatement[] = [
    {
      sql: `INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "payload", "nextAttemptAt", "createdAt", "updatedAt")
            VALUES (?, ?, ?, ?, '{}', ?, ?, ?) RETURNING "id", "deliveries"`,
      params: [id, shop, id, `#${id}`, at, at, at],
      returns: true,
    },
  ];
  if (transitionId) {
    statements.push({
      sql: `INSERT INTO "OrderTransition" ("id", "orderId", "shop", "toState", "reason", "actor", "at")
            VALUES (?, ?, ?, 'received', 'test', 'test', ?)`,
      params: [transitionId, id, shop, at],
    });
  }
  return statements;
}

const warnings = (spy: ReturnType<typeof vi.spyOn>, message: string) =>
  spy.mock.calls
    .filter(([, logged]) => logged === message)
    .map(([context]) => context as Record<string, unknown>);

/** How many transactions the writer has handed to its thread and not yet had answered. */
const inFlightOf = (writer: ReturnType<typeof statementWriterFor>) =>
  (writer as unknown as { inFlight: unknown[] }).inFlight.length;
/**
 * Waits until the writer has handed `count` transactions to its thread (not a
 * fixed time, which a busy machine outlasts).
 */
const inTheThread = (writer: ReturnType<typeof statementWriterFor>, count: number) =>
  vi.waitFor(() => expect(inFlightOf(writer)).toBe(count), { timeout: 5_000, interval: 2 });

describe("statement writer (app/db/statement-writer.server.ts)", () => {
  beforeEach(() => resetDatabase(prisma));
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await closeStatementWriter();
    await prisma.$disconnect();
  });

  it("answers each statement's rows once committed, and stores values as Prisma reads them", async () => {
    const [inserted, transition] = await statementWriterFor().write(orderWrite("w1", "t1"));

    expect(inserted).toEqual([{ id: "w1", deliveries: 1 }]);
    expect(transition).toEqual([]);
    const order = await prisma.order.findUniqueOrThrow({ where: { id: "w1" } });
    expect(order.nextAttemptAt?.toISOString()).toBe("2026-11-26T08:00:00.123Z");
    expect(await prisma.orderTransition.count({ where: { orderId: "w1" } })).toBe(1);
  });

  it("commits writes submitted together in one transaction; a failing write fails alone and leaves nothing of itself", async () => {
    const warn = vi.spyOn(logger, "warn");
    const writer = statementWriterFor();

    // The third write's second statement collides with the first write's transition (same id).
    const results = await Promise.allSettled([
      writer.write(orderWrite("a", "ta")),
      writer.write(orderWrite("b")),
      writer.write(orderWrite("c", "ta")),
      writer.write(orderWrite("d")),
    ]);

    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({
      message: expect.stringMatching(/UNIQUE|unique|duplicate/),
    });
    // Its first statement was rolled back with it.
    expect((await prisma.order.findMany({ orderBy: { id: "asc" } })).map((order) => order.id)).toEqual([
      "a",
      "b",
      "d",
    ]);
    // One transaction failed as a whole, holding all four writes.
    expect(
      warnings(warn, "a group commit failed as a whole; its writes are tried again one by one"),
    ).toMatchObject([{ writes: 4 }]);
  });

  it.runIf(databaseKind() === "sqlite")(
    "on SQLite, writes on a thread: the event loop runs on while another process holds the write lock",
    async () => {
      // GIVEN another connection holding the write lock for 1.2 s
      const lock = await holdSqliteWriteLock(prisma, { releaseAfterMs: 1_200 });
      const warn = vi.spyOn(logger, "warn");
      try {
        // WHEN this process writes meanwhile
        let ticks = 0;
        const ticker = setInterval(() => (ticks += 1), 5);
        const writing = statementWriterFor().write(orderWrite("w2"));
        await new Promise((resolve) => setTimeout(resolve, 300));

        // THEN its timers kept running while the write waited, nothing is written yet,
        expect(ticks).toBeGreaterThan(20);
        expect(await prisma.order.count()).toBe(0);
        // and it commits once the lock is free, its wait logged
        await writing;
        clearInterval(ticker);
        expect(await prisma.order.count()).toBe(1);
        const waits = warnings(warn, "a write waited over a second for SQLite's write lock");
        expect(waits).toHaveLength(1);
        expect(waits[0]!.waitedMs).toBeGreaterThanOrEqual(1_000);
      } finally {
        lock.release();
      }
    },
  );

  it.runIf(databaseKind() === "sqlite")(
    "on SQLite, writes that pile up behind a transaction go to the thread before it commits, and all commit",
    async () => {
      // GIVEN a write held in the thread by another connection's lock
      const lock = await holdSqliteWriteLock(prisma);
      const writer = statementWriterFor();
      const first = writer.write(orderWrite("p-first"));
      await inTheThread(writer, 1);

      // WHEN 20 more come (a second transaction goes to the thread meanwhile), then 5 more
      const piled = Array.from({ length: 20 }, (_, i) => writer.write(orderWrite(`p-${i}`, `pt-${i}`)));
      const after = Array.from({ length: 5 }, (_, i) => writer.write(orderWrite(`q-${i}`)));
      const sent = inFlightOf(writer);
      lock.release();

      // THEN two transactions were in the thread at once, and every write committed with its rows
      expect(sent).toBe(2);
      const rows = await Promise.all([first, ...piled, ...after]);
      expect(rows.map(([inserted]) => inserted![0]!.id)).toEqual([
        "p-first",
        ...piled.map((_, i) => `p-${i}`),
        ...after.map((_, i) => `q-${i}`),
      ]);
      expect(await prisma.order.count()).toBe(26);
      expect(await prisma.orderTransition.count()).toBe(20);
    },
  );

  it.runIf(databaseKind() === "sqlite")(
    "on SQLite, a writer thread that dies fails the writes it held, and the next write starts another",
    async () => {
      const writer = statementWriterFor();
      await writer.write(orderWrite("before"));
      const error = vi.spyOn(logger, "error");

      // GIVEN a write waiting in the thread for another connection's lock, a
      // message after it that kills the thread (an error it does not catch),
      // and a second transaction sent after that
      const lock = await holdSqliteWriteLock(prisma);
      const first = writer.write(orderWrite("first"));
      await inTheThread(writer, 1);
      const thread = (writer as unknown as { worker: Worker }).worker;
      thread.postMessage({ id: -1, texts: null, writes: [] });
      const held = Promise.allSettled(
        Array.from({ length: 16 }, (_, i) => writer.write(orderWrite(`held-${i}`))),
      );
      await inTheThread(writer, 2);

      // WHEN the lock is free: the first commits, then the thread dies (its
      // answer and its death reach this thread in either order)
      lock.release();
      await Promise.allSettled([first]);

      // THEN the writes it held fail (their webhooks are answered with an error; Shopify sends them again), logged once
      const outcomes = await held;
      expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(16).fill("rejected"));
      expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
      expect(
        error.mock.calls.filter(([, message]) => message === "the SQLite writer thread failed"),
      ).toHaveLength(1);
      // and the next write goes through a new thread
      await writer.write(orderWrite("after"));
      expect((await prisma.order.findMany({ orderBy: { id: "asc" } })).map((order) => order.id)).toEqual([
        "after",
        "before",
        "first",
      ]);
    },
  );

  it.runIf(databaseKind() === "sqlite")(
    "on SQLite, closing stops a write waiting for the write lock at once and ends the thread without terminating it",
    async () => {
      // GIVEN a write waiting in the thread for another connection's lock
      // (a thread terminated while it waits can abort the whole process)
      const lock = await holdSqliteWriteLock(prisma);
      try {
        const writer = statementWriterFor();
        const waiting = writer.write(orderWrite("waiting")).then(
          () => null,
          (error: unknown) => error,
        );
        await inTheThread(writer, 1);
        const thread = (writer as unknown as { worker: Worker }).worker;
        const terminate = vi.spyOn(thread, "terminate");
        const exited = new Promise<number>((resolve) => thread.once("exit", resolve));

        // WHEN the writer is closed
        await closeStatementWriter();

        // THEN the write fails as stopped, and the thread ended by itself
        expect(await waiting).toMatchObject({ code: "WRITER_STOPPING" });
        expect(await exited).toBe(0);
        expect(terminate).not.toHaveBeenCalled();
      } finally {
        lock.release();
      }
      expect(await prisma.order.count()).toBe(0);
      // and the next write opens a new thread
      await statementWriterFor().write(orderWrite("later"));
      expect(await prisma.order.count()).toBe(1);
    },
  );

  it.runIf(databaseKind() === "sqlite")(
    "on SQLite, a closed writer fails the writes it had not handed to its thread yet, and any written after, and starts no other thread",
    async () => {
      const outcome = (write: Promise<unknown>) =>
        write.then(
          () => "written",
          (error: { code?: string }) => error.code,
        );
      const lock = await holdSqliteWriteLock(prisma);
      const writer = statementWriterFor();
      let queued: Promise<string | undefined>;
      let inThread: Promise<string | undefined>;
      try {
        // GIVEN one write in the thread, waiting for the lock, and one queued behind it
        inThread = outcome(writer.write(orderWrite("in-thread")));
        await inTheThread(writer, 1);
        queued = outcome(writer.write(orderWrite("queued")));

        // WHEN the writer is closed
        await closeStatementWriter();
      } finally {
        lock.release();
      }

      // THEN both fail as stopping, as does a write to the closed writer
      expect(await inThread).toBe("WRITER_STOPPING");
      expect(await queued).toBe("WRITER_STOPPING");
      expect(await outcome(writer.write(orderWrite("after-close")))).toBe("WRITER_STOPPING");
      // and no thread was started for them
      await new Promise((resolve) => setImmediate(resolve));
      expect((writer as unknown as { worker: Worker | null }).worker).toBeNull();
      expect(await prisma.order.count()).toBe(0);
    },
  );
});
