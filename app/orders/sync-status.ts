/**
 * What GET /api/orders/:id/sync answers: the contract between the app
 * (sync-status.server.ts, which builds it) and the order page block
 * (extensions/order-sync-block, which shows it). Pure and dependency-free, so
 * the extension's bundle can import it: one definition of the shape and of
 * which order ids the route accepts.
 */
export interface OrderSyncStatus {
  orderId: string;
  shopifyOrderId: string;
  name: string;
  state: string;
  stateLabel: string;
  /** Why it is where it is, in the merchant's words. */
  reason: string | null;
  /** Brilliant's code (or the code pre-flight foresaw), and its message. */
  code: number | null;
  message: string | null;
  brilliantOrderId: string | null;
  nextAttemptAt: string | null;
  /** "retry" brings the next try forward; "resubmit" checks a held or skipped order again. */
  retry: "retry" | "resubmit" | null;
  nextStep: { label: string; url: string } | null;
  /** The order's page in the app. */
  appPath: string;
  updatedAt: string;
}

/** Accepts "123" or "gid://shopify/Order/123"; null for anything else. */
export function numericOrderId(id: string | null | undefined): string | null {
  const match = /^(?:gid:\/\/shopify\/Order\/)?(\d{1,20})$/.exec((id ?? "").trim());
  return match?.[1] ?? null;
}
