import { z } from "zod/v4";

import prisma from "../db.server";
import { shopifyId } from "../models/shopify-id";
import { transition, type OrderState } from "./state.server";
import { alertChangedAfterForward } from "./shopify-order-change.server";

/**
 * refunds/create: money (and maybe items) given back in Shopify. What should
 * still ship is the merchant's call, not the app's: a refund of every item
 * may mean "do not ship" or "shipped free"; a refund of shipping says
 * nothing about the goods. So:
 * - not sent yet: held with the refund as its reason, until the merchant
 *   resubmits it (leaving out lines on its page if need be) or skips it;
 * - at Brilliant, or maybe (sending, unknown): a `refunded_after_forward`
 *   alert telling the merchant to contact Brilliant, since its API cannot
 *   change or cancel an order. It stays open until the merchant dismisses it:
 *   Brilliant's contract reports no cancellation the app could close it on;
 * - skipped, cancelled, or not recorded: nothing (a refund comes after a
 *   payment, so its order's orders/paid came first).
 */

const RefundWebhookSchema = z.looseObject({
  order_id: shopifyId,
  refund_line_items: z
    .array(z.looseObject({ quantity: z.number().int().nonnegative().catch(0) }))
    .nullish()
    .catch(null),
});

export type RefundWebhook = z.infer<typeof RefundWebhookSchema>;

export function parseRefundWebhook(payload: unknown) {
  return RefundWebhookSchema.safeParse(payload);
}

export type RefundOutcome =
  "order_not_recorded" | "held" | "already_held" | "alerted_after_forward" | "nothing_to_do";

/** May still go: the refund holds it. */
const NOT_SENT: readonly OrderState[] = ["received", "waiting", "ready", "retrying", "held"];
/** Brilliant has it, or may have it. */
const AT_BRILLIANT: readonly OrderState[] = ["sending", "unknown", "forwarded"];

/** What was refunded, in the merchant's words. */
export function refundedWords(refund: RefundWebhook): string {
  const items = (refund.refund_line_items ?? []).reduce((sum, line) => sum + line.quantity, 0);
  return items === 0 ? "a refund without items" : `${items} ${items === 1 ? "item" : "items"} refunded`;
}

export function refundHoldReason(refund: RefundWebhook): string {
  return `Refunded in Shopify before it went to Brilliant (${refundedWords(refund)}). Check what should still ship: resubmit it (leave out refunded lines on this page first) or skip it.`;
}

/** Applies one refund to its order; a concurrent move is met by looking again. */
export async function recordRefund(shop: string, refund: RefundWebhook): Promise<RefundOutcome> {
  const reason = refundHoldReason(refund);
  for (let attempt = 0; attempt < 5; attempt++) {
    const order = await prisma.order.findUnique({
      where: { shop_shopifyOrderId: { shop, shopifyOrderId: refund.order_id } },
      select: {
        id: true,
        name: true,
        state: true,
        holdKind: true,
        stateReason: true,
        brilliantOrderId: true,
      },
    });
    if (!order) return "order_not_recorded";
    const state = order.state as OrderState;
    if (AT_BRILLIANT.includes(state)) {
      await alertChangedAfterForward(
        shop,
        "refunded_after_forward",
        order,
        `was refunded in Shopify (${refundedWords(refund)})`,
        (brilliantOrder) =>
          `Brilliant's API cannot change or cancel orders: contact Brilliant about ${brilliantOrder} if what was refunded should not ship. Dismiss this alert once that is settled.`,
        "it goes as ordered: contact Brilliant about it once it is there.",
      );
      return "alerted_after_forward";
    }
    if (!NOT_SENT.includes(state)) return "nothing_to_do";
    // A delivery again (or a second refund of the same size) changes nothing.
    if (state === "held" && order.stateReason === reason) return "already_held";
    // Released only by the merchant's hand, like a hold tag: no fix elsewhere
    // (a mapping, stock, review-first turned off) may send it by itself.
    const moved = await transition({
      shop,
      orderId: order.id,
      from: state,
      to: "held",
      actor: "webhook",
      holdKind: "refund",
      reason,
    });
    if (moved) return "held";
  }
  return "nothing_to_do";
}
