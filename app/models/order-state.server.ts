import type { Prisma } from "@prisma/client";
import prisma from "../db.server";

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
  data?: Omit<Prisma.OrderUpdateManyMutationInput, "state" | "stateReason" | "holdKind">;
}

/**
 * Moves one order from `from` to `to`. Returns false, changing nothing, when the
 * order is no longer in `from` (or no longer leased by `leaseOwner`): somebody
 * else moved it first, and the caller must not act on its stale view.
 */
export async function transition(
  request: TransitionRequest,
  tx: Prisma.TransactionClient = prisma,
): Promise<boolean> {
  const { orderId, from, to } = request;
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);

  const apply = async (client: Prisma.TransactionClient) => {
    const updated = await client.order.updateMany({
      where: {
        id: orderId,
        shop: request.shop,
        state: from,
        ...(request.leaseOwner ? { leaseOwner: request.leaseOwner } : {}),
      },
      data: {
        ...request.data,
        state: to,
        stateReason: request.reason,
        holdKind: to === "held" ? (request.holdKind ?? null) : null,
        ...(request.code !== undefined ? { lastCode: request.code } : {}),
        ...(request.message !== undefined ? { lastMessage: request.message } : {}),
        nextAttemptAt: request.nextAttemptAt ?? null,
        ...(request.keepLease ? {} : { leaseOwner: null, leaseExpiresAt: null }),
      },
    });
    if (updated.count !== 1) return false;
    await client.orderTransition.create({
      data: {
        orderId,
        shop: request.shop,
        fromState: from,
        toState: to,
        reason: request.reason,
        actor: request.actor,
      },
    });
    return true;
  };

  // Inside a caller's transaction we join it; otherwise we open our own.
  return tx === prisma ? prisma.$transaction(apply) : apply(tx);
}
