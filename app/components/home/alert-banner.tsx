import { Banner, BlockStack, Link } from "@shopify/polaris";
import type { DashboardAlert } from "../../orders/dashboard.server";

export const ALERT_TONE: Record<string, "critical" | "warning" | "info"> = {
  stock: "warning",
  inactive_variant: "warning",
  mapping: "critical",
  address: "critical",
  credentials: "critical",
  cancelled_after_forward: "warning",
  brilliant_error: "critical",
  fulfillment_hold_after_forward: "warning",
  fulfillment_write_back: "warning",
  edited_after_forward: "warning",
  shopify_connection: "critical",
  stuck: "warning",
};

/** One open alert: what happened, its variants and orders, and the fix; a settled-elsewhere one can be dismissed. */
export function AlertBanner({ alert, onDismiss }: { alert: DashboardAlert; onDismiss?: () => void }) {
  const more = alert.orderCount - alert.orders.length;
  return (
    <Banner
      tone={ALERT_TONE[alert.kind] ?? "warning"}
      title={alert.title}
      action={alert.fix ? { content: alert.fix.label, url: alert.fix.url } : undefined}
      onDismiss={alert.dismissible ? onDismiss : undefined}
    >
      <BlockStack gap="100">
        <p>{alert.detail}</p>
        {alert.variants.length > 0 && (
          <p>
            Variant:{" "}
            {alert.variants
              .map((variant) =>
                variant.skus.length ? `${variant.label}, SKU ${variant.skus.join(", ")}` : variant.label,
              )
              .join("; ")}
          </p>
        )}
        {alert.orders.length > 0 && (
          <p>
            {alert.orderCount === 1 ? "Order" : "Orders"}:{" "}
            {alert.orders.map((order, index) => (
              <span key={order.id}>
                {index > 0 && ", "}
                <Link url={order.url}>{order.name}</Link>
              </span>
            ))}
            {more > 0 && ` and ${more} more`}
          </p>
        )}
      </BlockStack>
    </Banner>
  );
}
