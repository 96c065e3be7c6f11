import { Form } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  InlineStack,
  ResourceItem,
  ResourceList,
  Text,
  TextField,
  Thumbnail,
} from "@shopify/polaris";
import { useState } from "react";

import type { BrilliantVariantView } from "../../catalog/mapping-page.server";

export interface BrilliantVariantPickerProps {
  search: string;
  candidates: BrilliantVariantView[];
  currentBrilliantVariantId: string | null;
  /** The Brilliant variant being saved, if any. */
  choosing: unknown;
  onChoose: (brilliantVariantId: string) => void;
}

function CandidateItem(
  props: { candidate: BrilliantVariantView } & Omit<BrilliantVariantPickerProps, "search" | "candidates">,
) {
  const { candidate, currentBrilliantVariantId } = props;
  const current = candidate.brilliantVariantId === currentBrilliantVariantId;
  // Mapping to it is allowed, but its orders would be held: said before, not after.
  const warning = candidate.inactive
    ? "Inactive at Brilliant: orders mapped to it are held."
    : candidate.outOfStock
      ? "Out of stock at Brilliant: orders mapped to it are held until it is restocked."
      : null;
  return (
    <ResourceItem
      id={candidate.brilliantVariantId}
      onClick={() => undefined}
      media={<Thumbnail source={candidate.imageUrl ?? ""} alt="" size="small" />}
    >
      <InlineStack align="space-between" blockAlign="center" gap="300">
        <BlockStack>
          <Text as="span" fontWeight="semibold">
            {candidate.productName}
          </Text>
          <Text as="span" tone="subdued" variant="bodySm">
            {[candidate.options, `#${candidate.brilliantVariantId}`].filter(Boolean).join(" · ")}
          </Text>
          <InlineStack gap="100">
            <Text as="span" variant="bodySm">
              {candidate.stock === null ? "Stock not tracked" : `${candidate.stock} in stock`}
            </Text>
            {candidate.inactive ? <Badge tone="critical">Inactive</Badge> : null}
            {candidate.outOfStock ? <Badge tone="warning">Out of stock</Badge> : null}
            {current ? <Badge tone="success">Current</Badge> : null}
          </InlineStack>
          {warning ? (
            <Text as="span" variant="bodySm" tone="caution">
              {warning}
            </Text>
          ) : null}
        </BlockStack>
        <Button
          variant={warning ? undefined : "primary"}
          disabled={current}
          loading={props.choosing === candidate.brilliantVariantId}
          onClick={() => props.onChoose(candidate.brilliantVariantId)}
          accessibilityLabel={`Map to ${candidate.productName} ${candidate.options}`}
        >
          {warning ? "Map anyway" : "Map"}
        </Button>
      </InlineStack>
    </ResourceItem>
  );
}

/** The search over the Brilliant catalog, and a Map button on each variant it finds. */
export function BrilliantVariantPicker({ search, candidates, ...choice }: BrilliantVariantPickerProps) {
  const [query, setQuery] = useState(search);
  return (
    <Card padding="0">
      <div style={{ padding: "var(--p-space-300)" }}>
        <Form method="get">
          <TextField
            label="Search Brilliant variants"
            labelHidden
            name="q"
            value={query}
            onChange={setQuery}
            placeholder="Search by product name, size, color, flavor or variant id"
            autoComplete="off"
          />
        </Form>
      </div>
      <ResourceList
        resourceName={{ singular: "Brilliant variant", plural: "Brilliant variants" }}
        items={candidates}
        emptyState={
          <div style={{ padding: "var(--p-space-400)" }}>
            <Text as="p" tone="subdued">
              No Brilliant variants match. Sync the Brilliant catalog if you expected some.
            </Text>
          </div>
        }
        renderItem={(candidate) => <CandidateItem candidate={candidate} {...choice} />}
      />
    </Card>
  );
}
