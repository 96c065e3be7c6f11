import { describe, expect, it } from "vitest";
import { orderSummaryOf } from "./order-summary";

describe("orderSummaryOf (the orders list's customer, items and total)", () => {
  it("reads who, how many items and how much from the stored body", () => {
    const body = {
      total_price: "54.00",
      currency: "CAD",
      customer: { first_name: "Quinn", last_name: "Buyer" },
      shipping_address: { name: "Quinn at Work" },
      line_items: [{ quantity: 2 }, { quantity: 1 }],
    };
    expect(orderSummaryOf(JSON.stringify(body))).toEqual({
      customer: "Quinn at Work",
      itemCount: 3,
      total: "54.00 CAD",
      paymentTerms: null,
    });
    const noAddress = { ...body, shipping_address: null };
    expect(orderSummaryOf(JSON.stringify(noAddress)).customer).toBe("Quinn Buyer");
  });

  it("shows what it cannot read as unknown, never an error", () => {
    expect(orderSummaryOf("not json")).toEqual({
      customer: null,
      itemCount: null,
      total: null,
      paymentTerms: null,
    });
    expect(orderSummaryOf(JSON.stringify({ total_price: { odd: true }, line_items: "x" }))).toEqual({
      customer: null,
      itemCount: null,
      total: null,
      paymentTerms: null,
    });
  });

  it("names the payment terms of an order recorded when placed, unpaid, and only of such an order", () => {
    const terms = { payment_terms_name: "Net 30", payment_terms_type: "net" };
    const placed = { financial_status: "pending", payment_terms: terms, line_items: [] };
    expect(orderSummaryOf(JSON.stringify(placed)).paymentTerms).toBe("Net 30");
    const unnamed = { ...placed, payment_terms: { payment_terms_type: "fulfillment" } };
    expect(orderSummaryOf(JSON.stringify(unnamed)).paymentTerms).toBe("fulfillment terms");
    // Came by orders/paid: it waited for payment.
    expect(orderSummaryOf(JSON.stringify({ ...placed, financial_status: "paid" })).paymentTerms).toBeNull();
    expect(orderSummaryOf(JSON.stringify({ ...placed, payment_terms: "odd" })).paymentTerms).toBeNull();
  });
});
