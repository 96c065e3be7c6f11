import { BlockStack, Card, Checkbox, IndexTable, InlineStack, Text, useBreakpoints } from "@shopify/polaris";

import type { ReviewProposal } from "../../catalog/mapping-page.server";
import type { ReviewGroup } from "../../catalog/mapping-page-options";
import { withVariantTitle } from "./variant-title";

export const GROUP_TEXT: Record<ReviewGroup, { title: string; help: string; ticked: boolean }> = {
  new: { title: "New mappings", help: "Unmapped today.", ticked: true },
  replaces_auto: {
    title: "Replaces an earlier auto-match or import",
    help: "Mapped by an earlier auto-match or CSV to another Brilliant variant.",
    ticked: true,
  },
  conflicts_manual: {
    title: "Conflicts with a mapping you made",
    help: "You mapped these by hand to another Brilliant variant. Tick only those you want replaced.",
    ticked: false,
  },
};

function shopifyText(p: ReviewProposal): string {
  const name = withVariantTitle(p.productTitle ?? `Variant ${p.shopifyVariantId}`, p.variantTitle);
  return `${name}${p.sku ? ` (SKU ${p.sku})` : ""}`;
}

function brilliantText(p: ReviewProposal): string {
  const b = p.brilliant;
  const name = b ? `${b.productName}${b.options ? ` (${b.options})` : ""}` : "";
  return `${name} #${p.brilliantVariantId}${b?.inactive ? " · inactive" : ""}`;
}

export interface ReviewGroupCardProps {
  group: ReviewGroup;
  /** The group's size; it may hold more proposals than are shown. */
  count: number;
  proposals: ReviewProposal[];
  ticked: Set<string>;
  onTick: (shopifyVariantId: string, on: boolean) => void;
  /** The whole group is chosen, shown or not. */
  all: boolean;
  onAll: (on: boolean) => void;
}

/** One group of proposals, each to tick, or all of the group at once when not all are shown. */
export function ReviewGroupCard({
  group,
  count,
  proposals,
  ticked,
  onTick,
  all,
  onAll,
}: ReviewGroupCardProps) {
  const partial = count > proposals.length;
  const { smDown } = useBreakpoints();
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <BlockStack>
            <Text as="h2" variant="headingSm">
              {`${GROUP_TEXT[group].title} (${count})`}
            </Text>
            <Text as="p" tone="subdued">
              {GROUP_TEXT[group].help}
            </Text>
          </BlockStack>
          {partial ? <Checkbox label={`All ${count} in this group`} checked={all} onChange={onAll} /> : null}
        </InlineStack>
        {/* On a phone, a condensed list: a table wider than the screen would scroll in a region no key reaches. */}
        <IndexTable
          resourceName={{ singular: "proposal", plural: "proposals" }}
          itemCount={proposals.length}
          selectable={false}
          condensed={smDown}
          headings={[
            { title: "Map" },
            { title: "Shopify variant" },
            { title: "Brilliant variant" },
            { title: "Now" },
          ]}
        >
          {proposals.map((p, index) => (
            <IndexTable.Row id={p.shopifyVariantId} key={p.shopifyVariantId} position={index}>
              <IndexTable.Cell>
                <Checkbox
                  label={`Map ${p.productTitle ?? p.shopifyVariantId}`}
                  labelHidden
                  checked={all || ticked.has(p.shopifyVariantId)}
                  disabled={all}
                  onChange={(on) => onTick(p.shopifyVariantId, on)}
                />
              </IndexTable.Cell>
              {smDown ? (
                // Stacked: the condensed list does not wrap cells side by side.
                <IndexTable.Cell>
                  <BlockStack gap="100">
                    <Text as="span" breakWord>
                      {shopifyText(p)}
                    </Text>
                    <Text as="span" breakWord>{`→ ${brilliantText(p)}`}</Text>
                    <Text as="span" tone="subdued">
                      {`Now: ${p.currentBrilliantVariantId ? `#${p.currentBrilliantVariantId}` : "unmapped"}`}
                    </Text>
                  </BlockStack>
                </IndexTable.Cell>
              ) : (
                <>
                  <IndexTable.Cell>{shopifyText(p)}</IndexTable.Cell>
                  <IndexTable.Cell>{brilliantText(p)}</IndexTable.Cell>
                  <IndexTable.Cell>
                    {p.currentBrilliantVariantId ? `#${p.currentBrilliantVariantId}` : "Unmapped"}
                  </IndexTable.Cell>
                </>
              )}
            </IndexTable.Row>
          ))}
        </IndexTable>
        {partial ? (
          <Text as="p" tone="subdued">
            {`Showing ${proposals.length} of ${count}.`}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}
