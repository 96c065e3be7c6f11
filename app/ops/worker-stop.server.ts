/**
 * What a stopping worker does with the orders still in its hands when its
 * grace (SHUTDOWN_GRACE_MS) has run out, so that it leaves no lease behind
 * and nothing can be sent twice (decision 003).
 */
import { placeholders, sqlFor, toDate, type Row } from "../db/sql.server";
import type { Logger } from "../logger.server";
import type { ClaimedOrder, Forwarder } from "../orders/forwarder.server";
import { transition } from "../orders/state.server";

/** Passes over the orders, in case a run moved one between a read and a hand-back. */
const HAND_BACK_ROUNDS = 3;

export const STOPPED_MID_SEND_REASON =
  "The worker sending this order stopped before Brilliant answered. Checking whether Brilliant has it before sending again.";

/**
 * Hands back the orders this worker still holds: one being sent becomes
 * `unknown`, due when its lease would have run out, so whoever takes it
 * looks it up at Brilliant first and no sooner than crash recovery would
 * have; any other is let go in its state. Every move is a compare-and-set on
 * this worker's lease, so a run that settles the order meanwhile wins, and
 * once the lease is gone that run can move the order no more. Returns how
 * many of each.
 */
export async function handBackOrders(
  forwarder: Forwarder,
  orders: readonly ClaimedOrder[],
  log: Logger,
): Promise<{ toLookUp: number; released: number }> {
  const { workerId, leaseMs } = forwarder.settings;
  const handedBack = { toLookUp: 0, released: 0 };
  const ids = orders.map((order) => order.id);
  for (let round = 0; round < HAND_BACK_ROUNDS && ids.length > 0; round++) {
    const held = await sqlFor().all<Row>(
      `SELECT "id", "shop", "state", "leaseExpiresAt" FROM "Order"
       WHERE "id" IN (${placeholders(ids.length)}) AND "leaseOwner" = ?`,
      [...ids, workerId],
    );
    if (held.length === 0) break;
    for (const row of held) {
      const order = { id: String(row.id), shop: String(row.shop) };
      if (row.state !== "sending") {
        await forwarder.release(order as ClaimedOrder);
        handedBack.released += 1;
        continue;
      }
      const moved = await transition({
        shop: order.shop,
        orderId: order.id,
        from: "sending",
        to: "unknown",
        actor: "worker",
        leaseOwner: workerId,
        reason: STOPPED_MID_SEND_REASON,
        nextAttemptAt: toDate(row.leaseExpiresAt) ?? new Date(Date.now() + leaseMs),
      });
      if (moved) handedBack.toLookUp += 1;
    }
  }
  if (handedBack.toLookUp + handedBack.released > 0) {
    log.warn(handedBack, "stopping: orders still in hand handed back (those mid-send are looked up first)");
  }
  return handedBack;
}
