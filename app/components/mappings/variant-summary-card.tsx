import { BlockStack, Card, InlineStack, Text, Thumbnail } from "@shopify/polaris";

export interface VariantSummaryCardProps {
  title: string;
  sku: string | null;
  imageUrl: string | null;
  currentBrilliantVariantId: string | null;
}

/** The Shopify variant being mapped, and what it is mapped to now. */
export function VariantSummaryCard({
  title,
  sku,
  imageUrl,
  currentBrilliantVariantId,
}: VariantSummaryCardProps) {
  return (
    <Card>
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
    </Card>
  );
}
