import { beforeEach, describe, expect, it, vi } from "vitest";
import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { testOrder } from "../../tests/helpers/forwarding";
import {
  countInbox,
  INBOX_MOVE_LIMIT,
  type InboxMove,
  moveReceivedOrdersWhenQuiet,
  QuietInboxMover,
  recordPaidOrder,
} from "./ingest.server";
import { parseShopifyOrder } from "./shopify-order";

// A file of its own: the mover, once started, runs for the rest of the process.
const SHOP = "quiet-mover.myshopify.com";

beforeEach(() => resetDatabase(prisma));

async function receive(number: number) {
  const body = testOrder(number, [{ variant: 73002, quantity: 1 }]);
  const parsed = parseShopifyOrder(body);
  if (!parsed.success) throw new Error(parsed.error.message);
  return recordPaidOrder({
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
  moveReceivedOrdersWhenQuiet(5);
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

describe("QuietInboxMover", () => {
  /** A mover (quiet after 5 ms) whose nth move answers `answer(n, mover)`; started by one webhook. */
  function startMover(answer: (move: number, mover: QuietInboxMover) => InboxMove) {
    let moves = 0;
    const mover: QuietInboxMover = new QuietInboxMover(5, async () => answer(++moves, mover));
    mover.received();
    return () => moves;
  }

  /** Waits for the `count`th move, then checks that no other follows. */
  async function expectMovesToStopAt(moves: () => number, count: number) {
    await vi.waitFor(() => expect(moves()).toBe(count), { timeout: 5_000, interval: 5 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(moves()).toBe(count);
  }

  it("GIVEN a webhook committed while it moves WHEN that move was its last THEN it moves again at the next quiet moment", async () => {
    const moves = startMover((move, mover) => {
      // The first move: a webhook commits meanwhile, and the move takes less than a full batch.
      if (move === 1) mover.received();
      return { moved: 1, created: 1 };
    });
    await expectMovesToStopAt(moves, 2);
  });

  it("GIVEN a move that fails THEN it tries again at the next quiet moment", async () => {
    const moves = startMover((move) => {
      if (move === 1) throw new Error("the database is away");
      return { moved: 0, created: 0 };
    });
    await expectMovesToStopAt(moves, 2);
  });

  it("GIVEN full batches THEN it keeps moving until one is not full, unless webhooks come again", async () => {
    const moves = startMover((move, mover) => {
      if (move === 3) mover.received();
      // Full batches until the fifth.
      const moved = move < 5 ? INBOX_MOVE_LIMIT : 1;
      return { moved, created: moved };
    });
    // Three full moves; the third saw a webhook, so the mover stopped and
    // waited for quiet again; then full moves until one was not full.
    await expectMovesToStopAt(moves, 5);
  });
});
