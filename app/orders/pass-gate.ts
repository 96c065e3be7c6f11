import type { OrderState } from "./state.server";
import { TEST_ORDER_SKIP_REASON } from "./preflight";
import type { ForwardingSettings } from "../models/shop.server";
import type { MoveFields } from "./outcome-policy";

/** Where the gate sends an order that may not go on to Brilliant yet (or at all). */
export interface GateStop {
  to: OrderState;
  fields: MoveFields;
}

/** Test orders, the delay window, review-first forwarding and the shop's hold and skip tags. */
export function gateStop(
  state: OrderState,
  order: { payload: string; createdAt: Date },
  settings: ForwardingSettings | null,
  now: () => Date,
): GateStop | null {
  const payload = JSON.parse(order.payload) as { tags?: string | null; test?: unknown };
  // Pre-flight skips it anyway; skipped here, no review or wait is spent on an order that never goes.
  if (payload.test === true && !settings?.forwardTestOrders) {
    return { to: "skipped", fields: { reason: TEST_ORDER_SKIP_REASON } };
  }
  if (!settings) return null;
  const tags = new Set(
    (payload.tags ?? "")
      .split(",")
      .map((tag) => tag.trim().toLowerCase())
      .filter(Boolean),
  );
  const listed = (value: string) =>
    value
      .split(",")
      .map((tag) => tag.trim().toLowerCase())
      .filter(Boolean);
  const skipTag = listed(settings.skipTags).find((tag) => tags.has(tag));
  if (skipTag) {
    return {
      to: "skipped",
      fields: {
        reason: `Tagged "${skipTag}", one of your skip tags: not sent to Brilliant.`,
      },
    };
  }
  const holdTag = listed(settings.holdTags).find((tag) => tags.has(tag));
  if (holdTag) {
    return {
      to: "held",
      fields: {
        holdKind: "hold_tag",
        reason: `Tagged "${holdTag}", one of your hold tags. Resubmit it when it may go to Brilliant.`,
      },
    };
  }
  if (state === "received" && settings.forwardingDelaySeconds > 0) {
    const due = new Date(order.createdAt.getTime() + settings.forwardingDelaySeconds * 1000);
    if (due > now()) {
      return {
        to: "waiting",
        fields: {
          reason: `Waiting out your ${settings.forwardingDelaySeconds}-second forwarding delay, until ${due.toISOString()}.`,
          nextAttemptAt: due,
        },
      };
    }
  }
  if (settings.forwardingMode === "review") {
    return {
      to: "held",
      fields: {
        holdKind: "review",
        reason: "Waiting for your review (review-first forwarding is on). Forward it or skip it.",
      },
    };
  }
  return null;
}
