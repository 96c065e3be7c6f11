import { InlineStack, Text } from "@shopify/polaris";
import type { BulkOrderIntent } from "../../orders/order-list.server";
import type { ViewBulkAction } from "../../orders/bulk-jobs.server";
import { ConfirmButton } from "../confirm-button";

const VERB: Record<BulkOrderIntent, string> = { resubmit: "Resubmit", retry: "Retry now" };

function orders(count: number): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? "order" : "orders"}`;
}

/**
 * "Resubmit all 431 orders in this view": the selection's actions over every
 * order the filters match, not only this page, run in the background.
 */
export function ViewBulkActions({
  actions,
  loading,
  onStart,
}: {
  actions: ViewBulkAction[];
  loading: boolean;
  onStart: (intent: BulkOrderIntent) => void;
}) {
  if (actions.length === 0) return null;
  return (
    <div style={{ padding: "var(--p-space-200) var(--p-space-300)" }}>
      <InlineStack gap="300" blockAlign="center">
        <Text as="span" tone="subdued">
          Every order in this view, not only this page:
        </Text>
        {actions.map(({ intent, count, states }) => (
          <ConfirmButton
            key={intent}
            size="slim"
            loading={loading}
            label={`${VERB[intent]} all ${orders(count)} in this view`}
            question={`${VERB[intent]} all ${orders(count)} ${states} in this view? It runs in the background; this page shows how far it got.`}
            confirmLabel={`${VERB[intent]} ${orders(count)}`}
            onConfirm={() => onStart(intent)}
          />
        ))}
      </InlineStack>
    </div>
  );
}
