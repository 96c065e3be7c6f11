import { Badge, BlockStack, Button, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import type { SetupStep } from "../../models/setup-guide.server";

/** Shopify's setup-guide pattern: the steps left, each with its one action; gone once all are done. */
export function SetupGuide({ steps }: { steps: SetupStep[] }) {
  const done = steps.filter((step) => step.done).length;
  if (done === steps.length) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Set up Brilliant Sync
        </Text>
        <Text as="p" tone="subdued">
          {done} of {steps.length} steps done. Paid orders that come meanwhile are recorded and held with the
          reason; they go to Brilliant once nothing holds them, never unmapped.
        </Text>
        <ProgressBar progress={(done / steps.length) * 100} size="small" tone="primary" />
        <BlockStack gap="200">
          {steps.map((step) => (
            <InlineStack key={step.id} align="space-between" blockAlign="center" gap="300">
              <BlockStack gap="050">
                <InlineStack gap="200" blockAlign="center">
                  <Text as="h3" variant="bodyMd" fontWeight="semibold">
                    {step.title}
                  </Text>
                  {step.done ? <Badge tone="success">Done</Badge> : null}
                </InlineStack>
                <Text as="p" variant="bodySm" tone="subdued">
                  {step.detail}
                </Text>
              </BlockStack>
              {step.done ? null : (
                <Button url={step.action.url} accessibilityLabel={`${step.action.label}: ${step.title}`}>
                  {step.action.label}
                </Button>
              )}
            </InlineStack>
          ))}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
