import { Badge, BlockStack, Box, Button, Divider, InlineStack, Link, Text } from "@shopify/polaris";
import type { HeldOrderSummary } from "../../orders/dashboard.server";

/**
 * Home's held orders: each with why it is held and its next step. The order's
 * name opens the order; the step is a link of its own to the fix (not inside a
 * clickable row, where a click would open the order instead), visible at every
 * width.
 */
export function HeldOrdersList({ orders }: { orders: HeldOrderSummary[] }) {
  return (
    <ul aria-label="Held orders" style={{ listStyle: "none", margin: 0, padding: 0 }}>
      {orders.map((order, index) => (
        <li key={order.id}>
          {index > 0 && <Divider />}
          <Box paddingBlock="300">
            <BlockStack gap="100">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h3" variant="bodyMd" fontWeight="semibold">
                  <Link url={order.url} accessibilityLabel={`Open order ${order.name}`}>
                    {order.name}
                  </Link>
                </Text>
                {order.code !== null && <Badge tone="critical">{String(order.code)}</Badge>}
              </InlineStack>
              <Text as="p">{order.reason}</Text>
              <InlineStack>
                <Button
                  url={order.nextStep.url}
                  size="slim"
                  accessibilityLabel={`${order.nextStep.label} for order ${order.name}`}
                >
                  {order.nextStep.label}
                </Button>
              </InlineStack>
            </BlockStack>
          </Box>
        </li>
      ))}
    </ul>
  );
}
