import { Banner, List } from "@shopify/polaris";
import type { BulkOrderResult } from "../../orders/order-list.server";

/** One line for the toast and the banner title: how many orders changed, and how many did not. */
export function bulkResultMessage(result: BulkOrderResult): string {
  const verb = result.intent === "retry" ? "retried now" : "resubmitted";
  const changed = `${result.changed.length} ${result.changed.length === 1 ? "order" : "orders"} ${verb}`;
  return result.unchanged.length === 0 ? changed : `${changed}; ${result.unchanged.length} unchanged`;
}

/** Names each order a bulk action changed, and each it did not with why. */
export function BulkResultBanner({ result, onDismiss }: { result: BulkOrderResult; onDismiss: () => void }) {
  return (
    <Banner
      tone={result.unchanged.length === 0 ? "success" : result.changed.length === 0 ? "warning" : "info"}
      title={bulkResultMessage(result)}
      onDismiss={onDismiss}
    >
      {result.changed.length > 0 && (
        <p>
          {result.intent === "retry" ? "Sent again now" : "Checked again and sent"}:{" "}
          {result.changed.map((order) => order.name).join(", ")}
        </p>
      )}
      {result.unchanged.length > 0 && (
        <List type="bullet">
          {result.unchanged.map((entry) => (
            <List.Item key={entry.id}>
              {entry.name ?? "An unknown order"}: not changed, {entry.why}
            </List.Item>
          ))}
        </List>
      )}
    </Banner>
  );
}
