import { InlineStack, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { useShopTime } from "../shop-time";

/** The first line of a history entry: when it happened, then what. */
export function TimelineLine({ at, children }: { at: string; children: ReactNode }) {
  const formatTime = useShopTime();
  return (
    <InlineStack gap="200" blockAlign="center">
      <Text as="span" variant="bodySm" tone="subdued">
        {formatTime(at)}
      </Text>
      {children}
    </InlineStack>
  );
}
