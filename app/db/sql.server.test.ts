import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

import { holdSqliteWriteLock, resetDatabase } from "../../tests/helpers/db";
import prisma, { databaseKind } from "../db.server";
import { TransactionBatcher } from "./group-commit.server";
import { rowAs, sqlFor, sqliteValue, type Sql } from "./sql.server";
import { logger } from "../logger.server";

const shop = "direct-sql.myshopify.com";

async function insertOrder(id: string, at: Date) {
  await sqlFor().transaction((tx) =>
    tx.run(
      `INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "payload", "state", "nextAttemptAt",
         "createdAt", "updatedAt") VALUES (?, ?, ?, ?, '{}', 'received', ?, ?, ?)`,
      [id, shop, id, `#${id}`, at, at, at],
    ),
  );
}

describe("direct SQL (app/db/sql.server.ts)", () => {
  beforeEach(() => resetDatabase(prisma));
  afterAll(() => prisma.$disconnect());

  it("writes rows Prisma reads back unchanged: dates, numbers, nulls", async () => {
    // GIVEN an order written by direct SQL with a millisecond-precise date
    const at = new Date("2026-03-04T05:06:07.891Z");
    await insertOrder("o1", at);

    // WHEN Prisma reads it, and direct SQL reads it as Prisma would
    const viaPrisma = await prisma.order.findUniqueOrThrow({ where: { id: "o1" } });
    const [row] = await sqlFor().all(`SELECT * FROM "Order" WHERE "id" = ?`, ["o1"]);
    const viaSql = rowAs<typeof viaPrisma>("Order", row!);

    // THEN both see the same values, and Prisma-made filters on the dates match
    expect(viaPrisma.nextAttemptAt?.toISOString()).toBe(at.toISOString());
    expect(viaSql).toEqual(viaPrisma);
    expect(await prisma.order.count({ where: { nextAttemptAt: { lte: at } } })).toBe(1);
    expect(await prisma.order.count({ where: { nextAttemptAt: { lt: at } } })).toBe(0);
  });

  it("gives each date as Prisma writes it on SQLite, whichever came before it", () => {
    const first = new Date("2026-03-04T05:06:07.891Z");
    const same = new Date(first.getTime());
    expect(sqliteValue(first)).toBe("2026-03-04T05:06:07.891+00:00");
    expect(sqliteValue(same)).toBe("2026-03-04T05:06:07.891+00:00");
    first.setTime(first.getTime() + 1);
    expect(sqliteValue(first)).toBe("2026-03-04T05:06:07.892+00:00");
    expect(sqliteValue(same)).toBe("2026-03-04T05:06:07.891+00:00");
    expect(() => sqliteValue(new Date(Number.NaN))).toThrow(RangeError);
    expect([sqliteValue(true), sqliteValue(false), sqliteValue("x"), sqliteValue(null)]).toEqual([
      1,
      0,
      "x",
      null,
    ]);
  });

  it("rolls back everything a failed transaction wrote", async () => {
    await expect(
      sqlFor().transaction(async (tx) => {
        await tx.run(
          `INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "payload", "createdAt", "updatedAt")
           VALUES ('o2', ?, 'o2', '#o2', '{}', ?, ?)`,
          [shop, new Date(), new Date()],
        );
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await prisma.order.count()).toBe(0);
  });

  it("group commit: writes submitted together commit together, and a failing one fails alone", async () => {
    const batcher = new TransactionBatcher(() => sqlFor());
    const at = new Date();
    const write = (id: string) =>
      batcher.run((tx) =>
        tx.run(
          `INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "payload", "createdAt", "updatedAt")
           VALUES (?, ?, ?, ?, '{}', ?, ?)`,
          [id, shop, id, `#${id}`, at, at],
        ),
      );
    // The third one collides with the first (same primary key).
    const warn = vi.spyOn(logger, "warn");
    const results = await Promise.allSettled([write("a"), write("b"), write("a"), write("c")]);
    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    // The failed batch is logged once, with how many writes it held.
    expect(
      warn.mock.calls.filter(
        ([context, message]) =>
          message === "a group commit failed as a whole; its writes are tried again one by one" &&
          (context as { writes?: number }).writes === 4,
      ),
    ).toHaveLength(1);
    warn.mockRestore();
    expect((await prisma.order.findMany({ orderBy: { id: "asc" } })).map((order) => order.id)).toEqual([
      "a",
      "b",
      "c",
    ]);
  });

  it("group commit with a gap: writes that come while it waits go into the next transaction together", async () => {
    const sizes: number[] = [];
    const counting = (): Sql => {
      const sql = sqlFor();
      return {
        ...sql,
        transaction: (fn) =>
          sql.transaction(async (tx) => {
            sizes.push(0);
            return fn(tx);
          }),
      };
    };
    const at = new Date();
    let count = 0;
    const writeWith = (batcher: TransactionBatcher, gate?: Promise<void>, started?: () => void) => {
      const id = `g${++count}`;
      return batcher.run(async (tx) => {
        sizes[sizes.length - 1]! += 1;
        started?.();
        await gate;
        return tx.run(
          `INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "payload", "createdAt", "updatedAt")
           VALUES (?, ?, ?, ?, '{}', ?, ?)`,
          [id, shop, id, `#${id}`, at, at],
        );
      });
    };
    const scenario = async (gapMs: number) => {
      sizes.length = 0;
      const batcher = new TransactionBatcher(counting, { gapMs });
      let open!: () => void;
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      // The first transaction stays open until the gate opens; the second write, submitted once
      // the first is running inside it (not after a fixed wait, which a busy machine outlasts),
      // queues behind it.
      const first = writeWith(batcher, new Promise<void>((resolve) => (open = resolve)), started);
      await running;
      const second = writeWith(batcher);
      open();
      await first;
      // Written right after the first commit: with a gap they join the second write's transaction.
      await Promise.all([second, writeWith(batcher), writeWith(batcher)]);
      return [...sizes];
    };
    expect(await scenario(0)).toEqual([1, 1, 2]);
    expect(await scenario(30)).toEqual([1, 3]);
    expect(await prisma.order.count()).toBe(8);
  });

  it.runIf(databaseKind() === "sqlite")(
    "waits for another process's write lock without blocking the event loop",
    async () => {
      // GIVEN another connection (another process, in production) holding the write lock
      const lock = await holdSqliteWriteLock(prisma);

      // WHEN this process starts a write transaction
      let ticks = 0;
      const ticker = setInterval(() => (ticks += 1), 5);
      const writing = insertOrder("o3", new Date());
      await new Promise((resolve) => setTimeout(resolve, 150));

      // THEN its timers kept running while it waited, and it commits once the lock is free
      expect(ticks).toBeGreaterThan(5);
      expect(await prisma.order.count()).toBe(0);
      lock.release();
      await writing;
      clearInterval(ticker);
      expect(await prisma.order.count()).toBe(1);
    },
  );

  it.runIf(databaseKind() === "sqlite")(
    "logs a write that waited over a second for the write lock, and only such a write",
    async () => {
      // GIVEN another connection holding the write lock for a little over a second
      const lock = await holdSqliteWriteLock(prisma, { releaseAfterMs: 1_100 });
      const warn = vi.spyOn(logger, "warn");
      try {
        // WHEN this process writes meanwhile, and again once the lock is free
        await insertOrder("o4", new Date());
        await insertOrder("o5", new Date());

        // THEN the first write's wait is logged, with how long and how many tries
        const waits = warn.mock.calls.filter(
          ([, message]) => message === "a write waited over a second for SQLite's write lock",
        );
        expect(waits).toHaveLength(1);
        expect(waits[0]![0]).toMatchObject({ waitedMs: expect.any(Number), tries: expect.any(Number) });
        expect((waits[0]![0] as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(1_000);
        expect(await prisma.order.count()).toBe(2);
      } finally {
        warn.mockRestore();
        lock.release();
      }
    },
  );
});
