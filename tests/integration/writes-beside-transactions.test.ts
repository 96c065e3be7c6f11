/**
 * A write that succeeded stays written, whatever a concurrent transaction does.
 *
 * The web server and the worker each run many requests and orders at once on
 * one Prisma client. Transactions (the forwarder's moves, Prisma's nested
 * writes such as recordPaidOrder's create) roll back on purpose: a lost lease,
 * a redelivered webhook's unique violation. A write made at the same moment by
 * another request or order, outside that transaction, must not be rolled back
 * with it.
 *
 * On PostgreSQL every query has a connection of its own, so this holds. On
 * SQLite (better-sqlite3, one connection per client) these tests fail today:
 * the other task's statement runs inside the open BEGIN … ROLLBACK and
 * disappears after it was reported done, e.g. a redelivery's `deliveries`
 * count, or any other plain update (a cancellation's cancelledAt, a lease).
 */
import { beforeEach, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { ensureShopSettings } from "../../app/models/shop.server";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { resetDatabase } from "../helpers/db";
import { ingest, testOrder } from "../helpers/forwarding";
import { sleep } from "./support";

const SHOP = "beside-transactions.myshopify.com";

beforeEach(async () => {
  await resetDatabase(prisma);
  await ensureShopSettings(SHOP);
});

describe("writes beside a transaction that rolls back", () => {
  it("GIVEN a transaction that will roll back WHEN another task updates a row meanwhile THEN that update is kept", async () => {
    const rolledBack = prisma
      .$transaction(async (tx) => {
        await tx.shopSettings.update({ where: { shop: SHOP }, data: { skipTags: "inside" } });
        await sleep(100);
        throw new Error("rolled back on purpose");
      })
      .catch((error: unknown) => error);

    await sleep(20);
    await prisma.shopSettings.update({ where: { shop: SHOP }, data: { holdTags: "beside" } });

    expect(await rolledBack).toBeInstanceOf(Error);
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      skipTags: "",
      holdTags: "beside",
    });
  });

  it("GIVEN one order delivered ten times at once THEN it is recorded once, counting ten deliveries", async () => {
    const order = testOrder(1, [{ variant: V.untracked, quantity: 1 }]);
    const results = await Promise.all(Array.from({ length: 10 }, () => ingest(SHOP, order)));

    expect(results.filter((result) => result.kind === "recorded")).toHaveLength(1);
    const rows = await prisma.order.findMany({ where: { shop: SHOP } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.deliveries).toBe(10);
  });
});
