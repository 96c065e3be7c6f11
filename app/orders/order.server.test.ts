import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { orderInState } from "../../tests/helpers/admin-orders";
import { countOrdersByState } from "./order.server";

const SHOP = "counts.myshopify.com";
const OTHER = "counts-other.myshopify.com";

beforeEach(() => resetDatabase(prisma));

describe("countOrdersByState", () => {
  it("counts every state of the shop's orders, and only that shop's", async () => {
    for (const state of [
      "forwarded",
      "forwarded",
      "held",
      "retrying",
      "unknown",
      "skipped",
      "received",
    ] as const)
      await orderInState(SHOP, state);
    await orderInState(OTHER, "held");
    expect(await countOrdersByState(SHOP)).toEqual({
      received: 1,
      waiting: 0,
      ready: 0,
      sending: 0,
      forwarded: 2,
      held: 1,
      retrying: 1,
      unknown: 1,
      cancelled: 0,
      skipped: 1,
    });
  });

  it("GIVEN a shop with many settled orders THEN their counts are reused for a minute while the states to watch stay exact", async () => {
    const t0 = Date.now();
    const big = { cachedFrom: 3 };
    for (let n = 0; n < 3; n++) await orderInState(SHOP, "forwarded");
    await orderInState(SHOP, "held");
    expect(await countOrdersByState(SHOP, { ...big, now: t0 })).toMatchObject({ forwarded: 3, held: 1 });

    await orderInState(SHOP, "forwarded");
    await orderInState(SHOP, "held");
    expect(await countOrdersByState(SHOP, { ...big, now: t0 + 30_000 })).toMatchObject({
      forwarded: 3,
      held: 2,
    });
    expect(await countOrdersByState(SHOP, { ...big, now: t0 + 61_000 })).toMatchObject({
      forwarded: 4,
      held: 2,
    });

    // Below the threshold (a small shop, the default): always exact.
    await orderInState(OTHER, "forwarded");
    expect(await countOrdersByState(OTHER, { now: t0 })).toMatchObject({ forwarded: 1 });
    await orderInState(OTHER, "forwarded");
    expect(await countOrdersByState(OTHER, { now: t0 + 1 })).toMatchObject({ forwarded: 2 });
  });
});
