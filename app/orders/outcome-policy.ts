import type { AlertInput } from "../models/alert.server";
import type { OrderState, TransitionRequest } from "./state.server";
import type { HeldVariant } from "./preflight";
import type { CreateOrderOutcome } from "../integrations/brilliant/outcome";
import { credentialsAlert, holdAlert } from "./alerts";
import type { ProcessResult } from "./forwarder.server";
import {
  describeAnswer,
  MERCHANT_HOLDS,
  nameOf,
  NEXT_STEP,
  variantsFromInvalidRecords,
} from "./merchant-words";

/** What a move sets besides the compare-and-set the worker fills in. */
export type MoveFields = Omit<TransitionRequest, "shop" | "orderId" | "from" | "to" | "actor" | "leaseOwner">;

/** Where Brilliant's answer to POST /store/order takes the order. */
export interface Settlement {
  to: OrderState;
  fields: MoveFields;
  alert?: Omit<AlertInput, "shop">;
  result: ProcessResult;
  /** Accepted: a cancellation that arrived meanwhile is flagged once the move is made. */
  forwarded?: { brilliantOrderId: string | null };
}

export interface SettlementContext {
  now: Date;
  /** Attempts made, this one included. */
  failures: number;
  retryMaxMs: number;
  backoffMs: (failures: number, atLeastMs?: number) => number;
  order: { id: string; name: string };
}

/** The order's next state, reason, alert and retry time for one answer to POST /store/order. */
export function settlement(
  outcome: CreateOrderOutcome,
  byBrilliantId: ReadonlyMap<string, HeldVariant>,
  { now, failures, retryMaxMs, backoffMs, order }: SettlementContext,
): Settlement {
  switch (outcome.kind) {
    case "accepted": {
      const id = outcome.brilliantOrderId;
      return {
        to: "forwarded",
        fields: {
          reason: id
            ? `Brilliant accepted it as order ${id}.`
            : "Brilliant accepted it (its answer carried no order id).",
          code: outcome.code,
          message: outcome.message,
          data: {
            brilliantOrderId: id,
            brilliantStatus: stringOrNull(outcome.order.status),
            brilliantShipStatus: stringOrNull(outcome.order.ship_status),
            forwardedAt: now,
          },
        },
        result: {},
        forwarded: { brilliantOrderId: id },
      };
    }
    case "needs_merchant_action": {
      const hold = MERCHANT_HOLDS[outcome.reason];
      const variants = variantsFromInvalidRecords(outcome.invalidRecords, byBrilliantId);
      const named = variants.length > 0 ? ` (${variants.map(nameOf).join(", ")})` : "";
      // Brilliant's own message stays in lastMessage and the attempt; the reason is the merchant's.
      const reason = `${hold.what}${named}. ${NEXT_STEP[outcome.reason]}`;
      return {
        to: "held",
        fields: { holdKind: hold.holdKind, code: outcome.code, message: outcome.message, reason },
        alert: holdAlert(order.name, hold.holdKind, variants, reason, order.id),
        result: {},
      };
    }
    case "rejected": {
      const reason = `Brilliant refused the order Brilliant Sync built (${outcome.code}: ${outcome.message ?? outcome.reason}). This is our bug: contact support. Nothing was created at Brilliant.`;
      return {
        to: "held",
        fields: { holdKind: "app_error", code: outcome.code, message: outcome.message, reason },
        alert: {
          kind: "brilliant_error",
          key: `app_error:order:${order.id}`,
          title: `Order ${order.name} was refused by Brilliant`,
          detail: reason,
        },
        result: {},
      };
    }
    case "retryable": {
      // Brilliant's (or the client's suggested) wait is a floor, within our configured ceiling.
      const wait = backoffMs(failures, Math.min(outcome.retryAfterMs, retryMaxMs));
      const nextAttemptAt = new Date(now.getTime() + wait);
      return {
        to: "retrying",
        fields: {
          reason: `Brilliant could not take it just now (${describeAnswer(outcome.reason, outcome.code)}); it did not create the order. Next try at ${nextAttemptAt.toISOString()}.`,
          code: outcome.code,
          message: outcome.message,
          nextAttemptAt,
        },
        result: {},
      };
    }
    case "throttled": {
      const wait = backoffMs(1, Math.min(outcome.retryAfterMs ?? 0, retryMaxMs));
      const nextAttemptAt = new Date(now.getTime() + wait);
      return {
        to: "retrying",
        fields: {
          reason: `Brilliant asked us to slow down (HTTP 429). Next try at ${nextAttemptAt.toISOString()}.`,
          code: outcome.code,
          message: outcome.message,
          nextAttemptAt,
        },
        result: { throttledUntil: nextAttemptAt },
      };
    }
    case "bad_credentials": {
      return {
        to: "held",
        fields: {
          holdKind: "credentials",
          code: outcome.code,
          message: outcome.message,
          reason:
            "Brilliant refused the saved API key and secret (HTTP 401). Check them in Settings; held orders then go out.",
        },
        alert: credentialsAlert(),
        result: {},
      };
    }
    case "unknown": {
      const nextAttemptAt = new Date(now.getTime() + backoffMs(1));
      return {
        to: "unknown",
        fields: {
          reason: `Brilliant's answer was unclear (${describeAnswer(outcome.cause, outcome.code)}), so it may or may not have the order. It is looked up at Brilliant before anything is resent.`,
          code: outcome.code,
          message: outcome.message,
          nextAttemptAt,
        },
        alert:
          outcome.cause === "undocumented_code" ||
          outcome.cause === "non_json" ||
          outcome.cause === "invalid_response"
            ? {
                kind: "brilliant_error",
                key: `brilliant_answer:${outcome.cause}`,
                title: "Brilliant gave answers the app does not understand",
                detail: `Latest: ${outcome.cause}${outcome.code ? ` (code ${outcome.code})` : ""}. Orders affected are looked up before any resend; their raw answers are kept on each order.`,
              }
            : undefined,
        result: {},
      };
    }
  }
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : value == null ? null : String(value);
}
