import { Badge, BlockStack, Button, Card, InlineStack, Text, Thumbnail } from "@shopify/polaris";

import { ConfirmButton } from "../confirm-button";
import { NOT_SHIPPED_QUESTION } from "./mapping-table-rows";

export interface VariantSummaryCardProps {
  title: string;
  sku: string | null;
  imageUrl: string | null;
  currentBrilliantVariantId: string | null;
  /** Marked "not shipped by Brilliant": its lines are left out of every order. */
  notShipped: boolean;
  busy: boolean;
  onNotShipped: (notShipped: boolean) => void;
}

/** The Shopify variant being mapped, what it is mapped to now, and whether Brilliant ships it at all. */
export function VariantSummaryCard({
  title,
  sku,
  imageUrl,
  currentBrilliantVariantId,
  notShipped,
  busy,
  onNotShipped,
}: VariantSummaryCardProps) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="300" blockAlign="center">
          <Thumbnail source={imageUrl ?? ""} alt="" size="small" />
          <BlockStack>
            <Text as="h2" variant="headingSm">
              {title}
            </Text>
            <Text as="span" tone="subdued">
              {sku ? `SKU ${sku}` : "No SKU"} ·{" "}
              {currentBrilliantVariantId
                ? `now mapped to Brilliant #${currentBrilliantVariantId}`
                : "not mapped"}
            </Text>
          </BlockStack>
        </InlineStack>
        {notShipped ? (
          <InlineStack gap="200" blockAlign="center">
            <Badge tone="info">Not shipped by Brilliant</Badge>
            <Text as="span">
              Its lines are left out of every order sent to Brilliant. Mapping it below ships it with
              Brilliant again.
            </Text>
            <Button size="slim" loading={busy} onClick={() => onNotShipped(false)}>
              Ship with Brilliant
            </Button>
          </InlineStack>
        ) : (
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" tone="subdued">
              Shipped some other way (your own stock, another app)?
            </Text>
            <ConfirmButton
              size="slim"
              label="Not shipped by Brilliant"
              question={NOT_SHIPPED_QUESTION}
              confirmLabel="Leave it out"
              loading={busy}
              onConfirm={() => onNotShipped(true)}
            />
          </InlineStack>
        )}
      </BlockStack>
    </Card>
  );
}
