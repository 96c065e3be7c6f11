import { Banner, List } from "@shopify/polaris";
import type { BulkOrderResult } from "../../orders/order-list.server";

type Changed = BulkOrderResult["changed"][number];

function plural(count: number, what: string): string {
  return `${count} ${count === 1 ? "order" : "orders"} ${what}`;
}

/** Resubmitted orders by what the checks said: going to Brilliant, or held or skipped again. */
function byVerdict(result: BulkOrderResult) {
  const sending = result.changed.filter((order) => !order.verdict || order.verdict.kind === "send");
  const stopped = result.changed.filter((order) => order.verdict && order.verdict.kind !== "send");
  return { sending, stopped };
}

function stopLine(order: Changed): string {
  const verdict = order.verdict!;
  if (verdict.kind === "send") return order.name;
  return `${order.name}: will be ${verdict.kind === "held" ? "held again" : "skipped"}, ${verdict.reason}`;
}

/** One line for the toast and the banner title: what happened to how many orders. */
export function bulkResultMessage(result: BulkOrderResult): string {
  const { sending, stopped } = byVerdict(result);
  const parts: string[] = [];
  if (sending.length > 0) {
    parts.push(plural(sending.length, result.intent === "retry" ? "retried now" : "going to Brilliant"));
  }
  if (stopped.length > 0) parts.push(plural(stopped.length, "to be held or skipped again"));
  if (result.unchanged.length > 0) {
    parts.push(
      parts.length === 0
        ? plural(result.unchanged.length, "unchanged")
        : `${result.unchanged.length} unchanged`,
    );
  }
  return parts.join("; ") || "No order changed";
}

/** Names each order a bulk action changed and what will happen to it, and each it did not with why. */
export function BulkResultBanner({ result, onDismiss }: { result: BulkOrderResult; onDismiss: () => void }) {
  const { sending, stopped } = byVerdict(result);
  const allWell = result.unchanged.length === 0 && stopped.length === 0;
  return (
    <Banner
      tone={allWell ? "success" : sending.length === 0 ? "warning" : "info"}
      title={bulkResultMessage(result)}
      onDismiss={onDismiss}
    >
      {sending.length > 0 && (
        <p>
          {result.intent === "retry" ? "Sent again now" : "Passed the checks, queued for Brilliant"}:{" "}
          {sending.map((order) => order.name).join(", ")}
        </p>
      )}
      {(stopped.length > 0 || result.unchanged.length > 0) && (
        <List type="bullet">
          {stopped.map((order) => (
            <List.Item key={order.id}>{stopLine(order)}</List.Item>
          ))}
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
