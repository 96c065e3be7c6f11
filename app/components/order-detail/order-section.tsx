import { BlockStack, Card, Text, type BlockStackProps } from "@shopify/polaris";
import type { ReactNode } from "react";

/** A card of the order page under its heading. */
export function OrderSection({
  title,
  gap,
  children,
}: {
  title: string;
  gap: BlockStackProps["gap"];
  children: ReactNode;
}) {
  // A named region, so assistive technology (and the tests) can go straight to it.
  return (
    <section aria-label={title}>
      <Card>
        <BlockStack gap={gap}>
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {children}
        </BlockStack>
      </Card>
    </section>
  );
}
