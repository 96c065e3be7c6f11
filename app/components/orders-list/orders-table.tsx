import { BlockStack, IndexTable, Text, type IndexTableProps } from "@shopify/polaris";
import type { BulkOrderIntent, OrderListRow } from "../../orders/order-list.server";
import { OrderRow } from "./order-row";

export interface OrdersTableProps {
  orders: OrderListRow[];
  selectedResources: string[];
  allResourcesSelected: boolean;
  onSelectionChange: IndexTableProps["onSelectionChange"];
  loading: boolean;
  onBulk: (intent: BulkOrderIntent) => void;
  pagination: IndexTableProps["pagination"];
}

const HEADINGS: IndexTableProps["headings"] = [
  { title: "Order" },
  { title: "Received" },
  { title: "Customer" },
  { title: "Items", alignment: "end" },
  { title: "Total", alignment: "end" },
  { title: "State" },
  { title: "Code" },
  { title: "Why, and what next" },
  { title: "Brilliant order" },
];

/** The page of orders, selectable for Retry now and Resubmit. */
export function OrdersTable({
  orders,
  selectedResources,
  allResourcesSelected,
  onSelectionChange,
  loading,
  onBulk,
  pagination,
}: OrdersTableProps) {
  return (
    <IndexTable
      resourceName={{ singular: "order", plural: "orders" }}
      itemCount={orders.length}
      selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
      onSelectionChange={onSelectionChange}
      loading={loading}
      promotedBulkActions={[
        { content: "Retry now", onAction: () => onBulk("retry") },
        { content: "Resubmit", onAction: () => onBulk("resubmit") },
      ]}
      headings={HEADINGS}
      emptyState={
        <BlockStack gap="200" inlineAlign="center">
          <Text as="p" variant="headingMd">
            No orders match
          </Text>
          <Text as="p" tone="subdued">
            Paid orders appear here as soon as Shopify sends them.
          </Text>
        </BlockStack>
      }
      pagination={pagination}
    >
      {orders.map((order, index) => (
        <OrderRow
          key={order.id}
          order={order}
          position={index}
          selected={selectedResources.includes(order.id)}
        />
      ))}
    </IndexTable>
  );
}
