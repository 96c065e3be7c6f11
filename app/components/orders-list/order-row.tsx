import { Badge, BlockStack, IndexTable, Link, Text } from "@shopify/polaris";
import type { OrderListRow } from "../../orders/order-list.server";
import { orderPath, stateLabel, stateTone } from "../../orders/next-step";
import { useShopTime } from "../shop-time";

/** One order in the list, linking to its page, with why it is where it is and what to do next. */
export function OrderRow({
  order,
  position,
  selected,
}: {
  order: OrderListRow;
  position: number;
  selected: boolean;
}) {
  const receivedAt = useShopTime();
  return (
    <IndexTable.Row id={order.id} position={position} selected={selected}>
      <IndexTable.Cell>
        <Link url={orderPath(order.id)} removeUnderline dataPrimaryLink>
          <Text as="span" fontWeight="semibold">
            {order.name}
          </Text>
        </Link>
      </IndexTable.Cell>
      <IndexTable.Cell>{receivedAt(order.createdAt)}</IndexTable.Cell>
      <IndexTable.Cell>{order.customer ?? "—"}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {order.itemCount ?? "—"}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {order.total ?? "—"}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Badge tone={stateTone(order.state)}>{stateLabel(order.state)}</Badge>
      </IndexTable.Cell>
      <IndexTable.Cell>{order.code ?? "—"}</IndexTable.Cell>
      <IndexTable.Cell>
        <div style={{ whiteSpace: "normal", maxWidth: 420 }}>
          <BlockStack gap="100">
            {order.paymentTerms && (
              <Text as="span" variant="bodySm" fontWeight="semibold">
                Payment terms: {order.paymentTerms}
              </Text>
            )}
            <Text as="span" variant="bodySm">
              {order.reason ?? ""}
            </Text>
            {order.nextStep && (
              <Text as="span" variant="bodySm">
                <Link url={order.nextStep.url}>{order.nextStep.label}</Link>
              </Text>
            )}
          </BlockStack>
        </div>
      </IndexTable.Cell>
      <IndexTable.Cell>{order.brilliantOrderId ?? "—"}</IndexTable.Cell>
    </IndexTable.Row>
  );
}
