import { Prisma } from "@prisma/client";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { resetDatabase } from "../tests/helpers/db";
import prisma, { createPrismaClient, databaseKind } from "./db.server";

const shop = "brilliant-test.myshopify.com";

function orderInput(shopifyOrderId: string) {
  return {
    shop,
    shopifyOrderId,
    name: `#${shopifyOrderId}`,
    payload: JSON.stringify({ id: Number(shopifyOrderId), line_items: [] }),
  };
}

/** An order with its first create attempt, as the forwarder records one. */
function createOrderWithAttempt(
  shopifyOrderId: string,
  attempt: { startedAt: Date; durationMs: number; outcome: string; httpStatus?: number },
) {
  return prisma.order.create({
    data: {
      ...orderInput(shopifyOrderId),
      attempts: { create: { shop, number: 1, kind: "create", ...attempt } },
    },
  });
}

describe("db.server", () => {
  beforeEach(() => resetDatabase(prisma));
  afterAll(() => prisma.$disconnect());

  it("uses this worker's own test database", () => {
    const url = process.env.DATABASE_URL ?? "";
    if (databaseKind() === "sqlite") expect(url).toMatch(/\.tmp\/test-db\/run-\d+\/worker-\d+_\d+\.sqlite$/);
    else expect(url).toMatch(/_w\d+_\d+(\?|$)/);
  });

  it("writes shop settings and an order with its attempt, and reads them back", async () => {
    // GIVEN a shop and a paid order that was sent to Brilliant once
    const startedAt = new Date("2025-01-02T03:04:05.678Z");
    await prisma.shopSettings.create({
      data: { shop, statusWebhookToken: "token-1", holdTags: "vip,wholesale" },
    });
    const created = await createOrderWithAttempt("1001", {
      startedAt,
      durationMs: 120,
      outcome: "accepted",
      httpStatus: 201,
    });

    // WHEN they are read back
    const settings = await prisma.shopSettings.findUniqueOrThrow({ where: { shop } });
    const order = await prisma.order.findUniqueOrThrow({
      where: { shop_shopifyOrderId: { shop, shopifyOrderId: "1001" } },
      include: { attempts: true },
    });

    // THEN defaults, dates and the relation survive the round trip
    expect(settings).toMatchObject({
      forwardingMode: "automatic",
      forwardingDelaySeconds: 0,
      holdTags: "vip,wholesale",
      lowStockThreshold: 5,
      fulfillmentWriteBack: false,
      uninstalledAt: null,
    });
    expect(settings.installedAt).toBeInstanceOf(Date);
    expect(order.id).toBe(created.id);
    expect(order).toMatchObject({ state: "received", deliveries: 1, attemptCount: 0 });
    expect(order.attempts).toHaveLength(1);
    expect(order.attempts[0]).toMatchObject({
      number: 1,
      outcome: "accepted",
      httpStatus: 201,
      durationMs: 120,
    });
    expect(order.attempts[0]?.startedAt.toISOString()).toBe(startedAt.toISOString());
  });

  it("rejects a second order with the same (shop, shopifyOrderId) with P2002", async () => {
    // GIVEN an order already recorded (webhooks can arrive more than once)
    await prisma.order.create({ data: orderInput("2002") });

    // WHEN the same order is inserted again
    const duplicate = prisma.order.create({ data: orderInput("2002") });

    // THEN the unique constraint refuses it with Prisma's unique-violation code
    await expect(duplicate).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    await expect(duplicate).rejects.toMatchObject({ code: "P2002" });
    expect(await prisma.order.count({ where: { shop } })).toBe(1);
    // …while the same Shopify order id in another shop is fine
    await prisma.order.create({ data: { ...orderInput("2002"), shop: "other.myshopify.com" } });
  });

  it("deletes an order's attempts with it (foreign keys are enforced)", async () => {
    const order = await createOrderWithAttempt("3003", {
      startedAt: new Date(),
      durationMs: 5,
      outcome: "retryable",
    });
    await prisma.order.delete({ where: { id: order.id } });
    expect(await prisma.forwardAttempt.count()).toBe(0);
  });

  it("shares committed writes with a second client (another process in production)", async () => {
    const other = createPrismaClient(process.env.DATABASE_URL);
    try {
      await prisma.order.create({ data: orderInput("4004") });
      expect(await other.order.count({ where: { shopifyOrderId: "4004" } })).toBe(1);
    } finally {
      await other.$disconnect();
    }
  });

  it.runIf(databaseKind() === "sqlite")("runs SQLite in WAL mode with a busy timeout", async () => {
    const [journal] = await prisma.$queryRawUnsafe<Array<{ journal_mode: string }>>("PRAGMA journal_mode");
    const [busy] = await prisma.$queryRawUnsafe<Array<{ timeout: number | bigint }>>("PRAGMA busy_timeout");
    const [foreignKeys] =
      await prisma.$queryRawUnsafe<Array<{ foreign_keys: number | bigint }>>("PRAGMA foreign_keys");
    expect(journal?.journal_mode).toBe("wal");
    expect(Number(busy?.timeout)).toBe(5000);
    expect(Number(foreignKeys?.foreign_keys)).toBe(1);
  });
});
