/**
 * Orders placed with payment terms (net terms, due on fulfillment: B2B and
 * draft orders) are not paid when placed, and "due on fulfillment" is never
 * paid before it ships, so orders/paid may never come. With Settings →
 * "Send orders with payment terms when they are placed" on, orders/create
 * records them (payment-terms.server.ts). Pure, so the admin's pages can say
 * which orders went before payment.
 */

/**
 * The first history entry of an order recorded unpaid: read back by
 * `paymentTermsInHistory`. `foundBy` says how: "orders/create webhook <id>",
 * or the reconciliation sweep when that webhook never came.
 */
export function placedWithPaymentTermsReason(foundBy: string, termsName: string): string {
  return `Placed in Shopify with payment terms: ${termsName}. Recorded before payment, as your settings say (${foundBy}).`;
}

const PLACED = /^Placed in Shopify with payment terms: (.+)\. Recorded before payment, as your settings say/;

/** The payment terms' name when the order's first history entry says it was recorded when placed. */
export function paymentTermsInHistory(
  timeline: readonly { type: string; reason?: string | null }[],
): string | null {
  const first = timeline.find((entry) => entry.type === "transition");
  return (first?.reason && PLACED.exec(first.reason)?.[1]) || null;
}

/** Shopify names terms "Net 30" or "Due on fulfillment"; a missing name still says what they are. */
export function paymentTermsName(terms: {
  payment_terms_name?: string | null;
  payment_terms_type?: string | null;
}): string {
  const name = terms.payment_terms_name?.trim();
  if (name) return name;
  const type = terms.payment_terms_type?.trim().toLowerCase();
  return type ? `${type} terms` : "unnamed terms";
}
