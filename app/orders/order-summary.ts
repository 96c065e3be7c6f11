import { z } from "zod";

import { paymentTermsName } from "./payment-terms";

/** What the orders list shows of an order's stored webhook body: who, how many items, how much. */
export interface OrderSummary {
  customer: string | null;
  itemCount: number | null;
  total: string | null;
  /** The payment terms' name of an order recorded unpaid, when placed: it went before payment. */
  paymentTerms: string | null;
}

const UNKNOWN: OrderSummary = { customer: null, itemCount: null, total: null, paymentTerms: null };

const Name = z.string().trim().min(1).nullish().catch(null);
const SummarySchema = z.object({
  total_price: z.union([z.string(), z.number()]).nullish().catch(null),
  currency: z.string().nullish().catch(null),
  customer: z.object({ first_name: Name, last_name: Name }).nullish().catch(null),
  shipping_address: z.object({ name: Name }).nullish().catch(null),
  line_items: z
    .array(z.object({ quantity: z.number().nonnegative().catch(0) }).passthrough())
    .nullish()
    .catch(null),
  financial_status: z.string().nullish().catch(null),
  payment_terms: z.object({ payment_terms_name: Name, payment_terms_type: Name }).nullish().catch(null),
});

/** Read leniently: a field the body lacks (or a redacted one) is shown as unknown, never an error. */
export function orderSummaryOf(payload: string): OrderSummary {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return { ...UNKNOWN };
  }
  const parsed = SummarySchema.safeParse(body);
  if (!parsed.success) return { ...UNKNOWN };
  const order = parsed.data;
  const named = [order.customer?.first_name, order.customer?.last_name].filter(Boolean).join(" ");
  return {
    customer: order.shipping_address?.name ?? (named || null),
    itemCount: order.line_items ? order.line_items.reduce((sum, line) => sum + line.quantity, 0) : null,
    total:
      order.total_price === null || order.total_price === undefined
        ? null
        : `${order.total_price}${order.currency ? ` ${order.currency}` : ""}`,
    // Its orders/paid body says "paid": only orders/create's (an order placed unpaid) leaves it pending.
    paymentTerms:
      order.payment_terms && order.financial_status !== "paid" ? paymentTermsName(order.payment_terms) : null,
  };
}
