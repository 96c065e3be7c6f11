/**
 * A write that succeeded stays written, whatever a concurrent transaction does.
 *
 * The web server and the worker each run many requests and orders at once on
 * one Prisma client. Transactions roll back on purpose: the forwarder's move
 * when it lost its lease, Prisma's nested create in recordPaidOrder when a
 * redelivered webhook hits the unique index. A write made meanwhile by another
 * request or order, outside that transaction, must not be rolled back with it.
 *
 * On PostgreSQL every query has a connection of its own, so this holds. On
 * SQLite (better-sqlite3: one connection per client) both tests fail today:
 * the other task's statement runs inside the open BEGIN … ROLLBACK and is
 * undone after it was reported done. Measured outside this file: ten
 * concurrent deliveries of one order count 2 deliveries, not 10.
 */
import { beforeEach, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { recordCancellation } from "../../app/orders/order.server";
import { ensureShopSettings } from "../../app/models/shop.server";
import { parseShopifyOrder } from "../../app/orders/shopify-order";
import { NOTABLE_VARIANT_IDS as V } from "../../simulator/catalog";
import { resetDatabase } from "../helpers/db";
import { ingest, testOrder } from "../helpers/forwarding";
import { sleep } from "./support";

const SHOP = "beside-transactions.myshopify.com";

beforeEach(async () => {
  await resetDatabase(prisma);
  await ensureShopSettings(SHOP);
});

/**
 * Opens a transaction that writes, then waits for `release` and rolls back.
 * `opened` resolves once its write has run, so the transaction is surely open.
 */
function transactionThatRollsBack() {
  let markOpened!: () => void;
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (markOpened = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const done = prisma
    .$transaction(async (tx) => {
      await tx.shopSettings.update({ where: { shop: SHOP }, data: { skipTags: "inside" } });
      markOpened();
      await released;
      throw new Error("rolled back on purpose");
    })
    .catch((error: unknown) => error);
  return { opened, release, done };
}

/**
 * The write beside may run at once (inside the open transaction, the bug) or
 * wait for the transaction to end (the fix): let it do either before the
 * transaction is told to roll back.
 */
async function besideHadItsChance(write: Promise<unknown>): Promise<void> {
  await Promise.race([write, sleep(200)]);
}

describe("writes beside a transaction that rolls back", () => {
  it("GIVEN an open transaction that will roll back WHEN another task updates a row meanwhile THEN that update is kept", async () => {
    const transaction = transactionThatRollsBack();
    await transaction.opened;

    const beside = prisma.shopSettings.update({ where: { shop: SHOP }, data: { holdTags: "beside" } });
    await besideHadItsChance(beside);
    transaction.release();
    await beside;

    expect(await transaction.done).toBeInstanceOf(Error);
    expect(await prisma.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
      skipTags: "",
      holdTags: "beside",
    });
  });

  it("GIVEN an order being sent WHEN its cancellation is recorded while another transaction rolls back THEN the cancellation is kept", async () => {
    const body = testOrder(1, [{ variant: V.untracked, quantity: 1 }]);
    const { orderId } = await ingest(SHOP, body);
    await prisma.order.update({ where: { id: orderId }, data: { state: "sending" } });
    const cancelled = parseShopifyOrder({ ...body, cancelled_at: "2026-11-25T11:00:00Z" });
    if (!cancelled.success) throw new Error("the cancelled test order does not parse");

    const transaction = transactionThatRollsBack();
    await transaction.opened;
    const cancellation = recordCancellation({
      shop: SHOP,
      order: cancelled.data,
      payload: body,
      webhookId: "cancel-1",
    });
    await besideHadItsChance(cancellation);
    transaction.release();
    const result = await cancellation;
    await transaction.done;

    // The webhook was answered on this result: Shopify will not send it again.
    expect(result).toBe("flagged_in_flight");
    const order = await prisma.order.findUniqueOrThrow({ where: { id: orderId } });
    expect(order.cancelledAt).not.toBeNull();
  });
});
