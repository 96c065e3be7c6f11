import { beforeEach, expect, it, vi } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { testOrder } from "../../tests/helpers/forwarding";
import { countInbox, moveInboxWhenQuiet, receivePaidOrder } from "./order-inbox.server";
import { parseShopifyOrder } from "./shopify-order";

// A file of its own: the mover, once started, runs for the rest of the process.
const SHOP = "quiet-mover.myshopify.com";

beforeEach(() => resetDatabase(prisma));

async function receive(number: number) {
  const body = testOrder(number, [{ variant: 73002, quantity: 1 }]);
  const parsed = parseShopifyOrder(body);
  if (!parsed.success) throw new Error(parsed.error.message);
  return receivePaidOrder({
    shop: SHOP,
    order: parsed.data,
    payload: body,
    webhookId: `wh-${number}`,
    source: "webhook",
  });
}

it("GIVEN the web process's mover started WHEN webhooks pause THEN their orders move into Order with no reader and no worker", async () => {
  const before = [await receive(1), await receive(2)];
  expect(await countInbox()).toBe(2);
  moveInboxWhenQuiet(5);
  // Started after those two: it wakes with the next webhook.
  const third = await receive(3);

  await vi.waitFor(async () => expect(await countInbox()).toBe(0), { timeout: 5_000, interval: 10 });
  const orders = await prisma.order.findMany({ select: { id: true, state: true }, orderBy: { id: "asc" } });
  expect(orders).toEqual(
    [...before, third]
      .map((result) => ({ id: result.orderId, state: "received" }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  );
  expect(await prisma.orderTransition.count({ where: { toState: "received" } })).toBe(3);
});
