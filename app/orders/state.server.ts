import type { Prisma } from "@prisma/client";
import prisma, { databaseKind } from "../db.server";
import { newId } from "../db/ids";
import { prismaRunner, sqlFor, toDate, type SqlRunner, type SqlValue } from "../db/sql.server";

/**
 * The forwarding state machine. Every change of an order's state goes through
 * `transition`, which checks the move is allowed, applies it only if the order
 * is still where the caller saw it (compare-and-set, so two workers can never
 * both move one order), and records it in OrderTransition in the same
 * transaction.
 */
export const ORDER_STATES = [
  "received", // recorded from a webhook or the reconciliation sweep; nothing decided yet
  "waiting", // inside the shop's forwarding delay, or waiting for the merchant's review
  "ready", // cleared to go; the worker sends it when due
  "sending", // a worker holds it and a request to Brilliant may be in flight
  "forwarded", // Brilliant answered 1200 (or we found it there): done
  "held", // needs the merchant: stateReason says why and what to do
  "retrying", // Brilliant certainly did not take it; try again at nextAttemptAt
  "unknown", // Brilliant may or may not have it: look it up before any resend
  "cancelled", // cancelled in Shopify before it reached Brilliant
  "skipped", // nothing in it for Brilliant, or the merchant chose not to send it
] as const;

export type OrderState = (typeof ORDER_STATES)[number];

/** What the merchant has to fix for a held order. */
export const HOLD_KINDS = [
  "address", // 2501
  "mapping", // 2502: unmapped variant, or mapped to one Brilliant no longer has
  "stock", // 2503
  "inactive_variant", // 2506
  "credentials", // Brilliant key/secret missing or refused (401)
  "review", // review-first forwarding: the merchant approves each order
  "hold_tag", // the order carries one of the shop's hold tags
  "app_error", // 2504/2505 or an answer we cannot read: ours to fix, never silent
  "fulfillment_hold", // a fulfillment order of it is on hold in Shopify; released with the hold
  "fulfillment_hold_lookup", // a new hold of the shop may be its own; released once Shopify says whose it is
  "order_edit", // edited in Shopify and the edit not read yet; released once it is (app/orders/order-edit.server.ts)
  "refund", // refunded in Shopify before it went: the merchant decides what still ships (app/orders/refund.server.ts)
] as const;

export type HoldKind = (typeof HOLD_KINDS)[number];

const ALLOWED: Record<OrderState, readonly OrderState[]> = {
  received: ["waiting", "ready", "sending", "held", "skipped", "cancelled"],
  waiting: ["ready", "sending", "held", "skipped", "cancelled"],
  ready: ["waiting", "sending", "held", "skipped", "cancelled"],
  // A crashed worker's `sending` becomes `unknown`: the request may have landed.
  sending: ["forwarded", "held", "retrying", "unknown"],
  retrying: ["ready", "sending", "held", "skipped", "cancelled"],
  // Only a lookup at Brilliant may take an order out of `unknown`: it is either
  // found there (forwarded) or certainly absent (sent again, or cancelled).
  unknown: ["forwarded", "unknown", "sending", "cancelled"],
  held: ["ready", "held", "skipped", "cancelled"],
  skipped: ["ready"],
  forwarded: [],
  cancelled: [],
};

/** States the worker looks at when their time has come. */
export const DUE_STATES: readonly OrderState[] = ["received", "waiting", "ready", "retrying", "unknown"];

export function isOrderState(value: string): value is OrderState {
  return (ORDER_STATES as readonly string[]).includes(value);
}

export function canTransition(from: OrderState, to: OrderState): boolean {
  return ALLOWED[from].includes(to);
}

export class IllegalTransitionError extends Error {
  override name = "IllegalTransitionError";
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`An order cannot move from ${from} to ${to}`);
  }
}

export type Actor = "webhook" | "worker" | "merchant" | "reconciliation" | "brilliant" | "system";

/** Columns that may change together with the state, as plain values. */
export interface TransitionData {
  attemptCount?: number;
  brilliantOrderId?: string | null;
  brilliantStatus?: string | null;
  brilliantShipStatus?: string | null;
  forwardedAt?: Date | null;
  cancelledAt?: Date | null;
  leaseExpiresAt?: Date | null;
}

const DATA_COLUMNS: readonly (keyof TransitionData)[] = [
  "attemptCount",
  "brilliantOrderId",
  "brilliantStatus",
  "brilliantShipStatus",
  "forwardedAt",
  "cancelledAt",
  "leaseExpiresAt",
];

export interface TransitionRequest {
  shop: string;
  orderId: string;
  from: OrderState;
  to: OrderState;
  actor: Actor;
  /** In the merchant's words: why the order is now here, and what happens or what to do next. */
  reason: string;
  holdKind?: HoldKind | null;
  code?: number | null;
  message?: string | null;
  nextAttemptAt?: Date | null;
  /** When set, the move happens only while this worker still holds the lease. */
  leaseOwner?: string;
  /** Whether to keep the lease (sending) or let it go (anything else). */
  keepLease?: boolean;
  /** Further columns that change with the state (brilliantOrderId, attemptCount, …). */
  data?: TransitionData;
}

/** What a successful move reports back about the order. */
export interface Moved {
  /** Set when Shopify cancelled the order meanwhile (orders/cancelled during a send). */
  cancelledAt: Date | null;
}

/**
 * Moves one order from `from` to `to`. Returns false, changing nothing, when the
 * order is no longer in `from` (or no longer leased by `leaseOwner`): somebody
 * else moved it first, and the caller must not act on its stale view.
 *
 * Without `tx` the move is its own transaction; with a Prisma transaction it
 * joins it.
 */
export async function transition(
  request: TransitionRequest,
  tx?: Prisma.TransactionClient,
): Promise<boolean> {
  const runner = tx ? prismaRunner(tx, databaseKind()) : null;
  const moved = runner
    ? await applyTransition(runner, request)
    : await sqlFor().transaction((own) => applyTransition(own, request));
  return moved !== null;
}

/**
 * The move itself, on a transaction the caller opened (direct SQL, or Prisma's
 * through `prismaRunner`): a compare-and-set UPDATE of the order, then the
 * OrderTransition row. Null when the order was not where the caller saw it.
 */
export async function applyTransition(tx: SqlRunner, request: TransitionRequest): Promise<Moved | null> {
  const { orderId, from, to } = request;
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  const now = new Date();
  const sets: string[] = [];
  const values: SqlValue[] = [];
  const set = (column: string, value: SqlValue) => {
    sets.push(`"${column}" = ?`);
    values.push(value);
  };
  for (const column of DATA_COLUMNS) {
    const value = request.data?.[column];
    // Letting go of the lease clears its expiry too, whatever `data` said.
    if (value !== undefined && (request.keepLease || column !== "leaseExpiresAt")) set(column, value);
  }
  set("state", to);
  set("stateReason", request.reason);
  set("holdKind", to === "held" ? (request.holdKind ?? null) : null);
  if (request.code !== undefined) set("lastCode", request.code);
  if (request.message !== undefined) set("lastMessage", request.message);
  set("nextAttemptAt", request.nextAttemptAt ?? null);
  if (!request.keepLease) {
    set("leaseOwner", null);
    set("leaseExpiresAt", null);
  }
  set("updatedAt", now);
  const where = ['"id" = ?', '"shop" = ?', '"state" = ?'];
  values.push(orderId, request.shop, from);
  if (request.leaseOwner) {
    where.push('"leaseOwner" = ?');
    values.push(request.leaseOwner);
  }
  const rows = await tx.all<{ cancelledAt: unknown }>(
    `UPDATE "Order" SET ${sets.join(", ")} WHERE ${where.join(" AND ")} RETURNING "cancelledAt"`,
    values,
  );
  if (rows.length !== 1) return null;
  await tx.run(
    `INSERT INTO "OrderTransition" ("id", "orderId", "shop", "fromState", "toState", "reason", "actor", "at")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [newId(), orderId, request.shop, from, to, request.reason, request.actor, now],
  );
  return { cancelledAt: toDate(rows[0]!.cancelledAt) };
}

/**
 * Changes an order's row without moving it (a new body, the merchant's line
 * changes, the tags read again), only while it is still where it was read
 * (`where`, on top of its id and shop): a concurrent move wins. The lease goes
 * too, so a worker that claimed the order before the change loses its next
 * move and leaves it, unless `keepLease` (the lease holder's own change). The
 * change is noted in the history in the same transaction, unless `reason` is
 * null (said already). False when the order had moved.
 */
export async function changeInPlace(request: {
  shop: string;
  order: { id: string; state: string };
  where: Prisma.OrderWhereInput;
  data: Prisma.OrderUpdateManyMutationInput;
  reason: string | null;
  actor: Actor;
  keepLease?: boolean;
}): Promise<boolean> {
  const { shop, order, reason, actor } = request;
  return prisma.$transaction(async (tx) => {
    const updated = await tx.order.updateMany({
      where: { ...request.where, id: order.id, shop, state: order.state },
      data: request.keepLease ? request.data : { ...request.data, leaseOwner: null, leaseExpiresAt: null },
    });
    if (updated.count !== 1) return false;
    if (reason !== null) {
      await tx.orderTransition.create({
        data: { orderId: order.id, shop, fromState: order.state, toState: order.state, reason, actor },
      });
    }
    return true;
  });
}
