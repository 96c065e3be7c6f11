import { forwardsPaymentTerms } from "../models/shop.server";
import { recordPaidOrder, type IngestResult, type PaidOrderInput } from "./ingest.server";

/**
 * orders/create, for orders placed with payment terms: recorded when placed
 * through the one way in (decision 012), when the shop sends such orders
 * unpaid. The order is then in Order under its (shop, Shopify order id), so
 * its orders/paid, should it ever come, only counts a delivery (decision 003).
 * Every other order placed is left to orders/paid.
 */

export type PlacedOrderOutcome =
  /** No payment terms: orders/paid brings it once paid. */
  | "not_payment_terms"
  /** Paid already when placed: orders/paid brings it. */
  | "paid_when_placed"
  | "cancelled_when_placed"
  /** The shop waits for payment (Settings, off by default). */
  | "waits_for_payment"
  | IngestResult["kind"];

export async function recordOrderPlaced(input: Omit<PaidOrderInput, "source">): Promise<PlacedOrderOutcome> {
  const { order } = input;
  if (!order.payment_terms) return "not_payment_terms";
  if (order.financial_status === "paid") return "paid_when_placed";
  if (order.cancelled_at) return "cancelled_when_placed";
  // Read only for orders with payment terms, a few of a shop's orders.
  if (!(await forwardsPaymentTerms(input.shop))) return "waits_for_payment";
  return (await recordPaidOrder({ ...input, source: "payment_terms" })).kind;
}
