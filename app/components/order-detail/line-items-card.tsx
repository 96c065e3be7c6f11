import { Badge, BlockStack, Divider, InlineStack, Link, Text } from "@shopify/polaris";
import type { BrilliantSide, OrderLine } from "../../orders/order-detail.server";
import type { LineActions } from "../../orders/line-changes";
import { useShopTime } from "../shop-time";
import { LineChangeActions, type SubmitLineChange } from "./line-change-actions";
import { OrderSection } from "./order-section";

interface LineItemsCardProps {
  lines: OrderLine[];
  actions: LineActions;
  busy: boolean;
  /** The server's refusal of the last line change, for the line it named. */
  lineError: { lineItemId: string; message: string } | null;
  onChange: SubmitLineChange;
}

/** The order's lines: which go to Brilliant and which stay, what each is mapped to, Brilliant's stock, the merchant's change and what was sent. */
export function LineItemsCard({ lines, actions, busy, lineError, onChange }: LineItemsCardProps) {
  return (
    <OrderSection title="Line items" gap="300">
      {lines.length === 0 && (
        <Text as="p" tone="subdued">
          The order&apos;s lines cannot be read.
        </Text>
      )}
      {lines.map((line, index) => (
        <BlockStack key={line.lineItemId} gap="200">
          {index > 0 && <Divider />}
          <LineItem line={line} />
          <LineChangeActions
            line={line}
            actions={actions}
            busy={busy}
            error={lineError?.lineItemId === line.lineItemId ? lineError.message : null}
            onChange={onChange}
          />
        </BlockStack>
      ))}
    </OrderSection>
  );
}

function LineItem({ line }: { line: OrderLine }) {
  const formatTime = useShopTime();
  // A line the last request carried went, even if it would stay out now (marked since).
  const stays = line.notForBrilliant !== null && line.sent.kind !== "sent";
  return (
    <BlockStack gap="100">
      <span data-line-item={line.lineItemId}>
        <Text as="p" fontWeight="semibold">
          {line.title}
          {line.variantTitle ? ` / ${line.variantTitle}` : ""}
        </Text>
      </span>
      <Text as="p" variant="bodySm" tone="subdued">
        {line.sku ? `SKU ${line.sku} · ` : ""}Quantity {line.quantity}
      </Text>
      {stays ? (
        <InlineStack gap="200" blockAlign="center">
          <Badge>Not sent to Brilliant</Badge>
          <Text as="span" tone="subdued">
            {capitalized(line.notForBrilliant ?? "")}.
          </Text>
          {line.variantNotShipped && line.mappingPicker ? (
            <Link url={line.mappingPicker}>Change in Mappings</Link>
          ) : null}
        </InlineStack>
      ) : (
        <>
          {line.sent.kind === "sent" ? (
            <InlineStack>
              <Badge tone="success">Sent to Brilliant</Badge>
            </InlineStack>
          ) : null}
          <Text as="p">
            Mapped to:{" "}
            {line.mapped ? (
              <VariantFacts side={line.mapped} />
            ) : (
              <>
                <Badge tone="warning">Not mapped</Badge>{" "}
                {line.mappingPicker && <Link url={line.mappingPicker}>Map it</Link>}
              </>
            )}
          </Text>
          {line.change && (
            <InlineStack gap="200" blockAlign="center">
              {line.change.action === "omit" ? (
                <Badge tone="attention">Left out by you</Badge>
              ) : (
                <>
                  <Badge tone="attention">Sent as another variant</Badge>
                  <Text as="span">
                    <VariantFacts side={line.change.variant} />
                  </Text>
                </>
              )}
              <Text as="span" variant="bodySm" tone="subdued">
                changed {formatTime(line.change.at)}
              </Text>
            </InlineStack>
          )}
          {line.note ? (
            <Text as="p" variant="bodySm">
              Note to Brilliant: {line.note}
            </Text>
          ) : null}
          <Text as="p" variant="bodySm" tone="subdued">
            {sentText(line)}
          </Text>
        </>
      )}
    </BlockStack>
  );
}

/** A Brilliant variant with its stock and whether Brilliant takes orders for it, as last synced. */
function VariantFacts({ side }: { side: BrilliantSide }) {
  const formatTime = useShopTime();
  const facts = side.catalog;
  if (!facts) {
    return <>Brilliant variant {side.brilliantVariantId} (not in the last catalog sync)</>;
  }
  const stock = facts.stock === null ? "stock not tracked" : `${facts.stock} in stock`;
  return (
    <>
      {facts.name} (variant {facts.brilliantVariantId}) · {stock} ·{" "}
      {facts.removed ? (
        <Badge tone="critical">No longer at Brilliant</Badge>
      ) : facts.active ? (
        <Badge tone="success">Active</Badge>
      ) : (
        <Badge tone="critical">Inactive</Badge>
      )}{" "}
      <Text as="span" variant="bodySm" tone="subdued">
        synced {formatTime(facts.syncedAt)}
      </Text>
    </>
  );
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function sentText(line: OrderLine): string {
  switch (line.sent.kind) {
    case "not_sent":
      return "Not sent to Brilliant yet.";
    case "left_out":
      return "Left out of the last request to Brilliant.";
    case "sent":
      return `Last request to Brilliant: ${line.sent.quantity} of variant ${line.sent.brilliantVariantId}.`;
  }
}
