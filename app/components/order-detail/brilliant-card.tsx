import { BlockStack, InlineGrid, Text } from "@shopify/polaris";
import type { OrderDetail } from "../../orders/order-detail.server";
import { OrderSection } from "./order-section";

/** What Brilliant knows of the order, and the fulfillment written back to Shopify. */
export function BrilliantCard({ order }: { order: OrderDetail }) {
  return (
    <OrderSection title="At Brilliant" gap="200">
      <InlineGrid columns={{ xs: 1, sm: 3 }} gap="200">
        <Fact label="Brilliant order" value={order.brilliantOrderId} />
        <Fact label="Status" value={order.brilliantStatus} />
        <Fact label="Shipping status" value={order.brilliantShipStatus} />
      </InlineGrid>
      {order.shopifyFulfillment && (
        <Text as="p" variant="bodySm" tone="subdued">
          {order.shopifyFulfillment}
        </Text>
      )}
      {order.deliveries > 1 && (
        <Text as="p" variant="bodySm" tone="subdued">
          Shopify delivered this order {order.deliveries} times; it was recorded once.
        </Text>
      )}
    </OrderSection>
  );
}

function Fact({ label, value }: { label: string; value: string | null }) {
  return (
    <BlockStack gap="050">
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="span">{value ?? "—"}</Text>
    </BlockStack>
  );
}
