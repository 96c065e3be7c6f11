import { ConfirmButton } from "../confirm-button";
import {
  Badge,
  BlockStack,
  Button,
  ButtonGroup,
  IndexTable,
  InlineStack,
  Text,
  Thumbnail,
} from "@shopify/polaris";
import { Fragment } from "react";

import type { MappingRow } from "../../catalog/mapping-page.server";
import { variantName } from "./variant-title";

type Mapping = NonNullable<MappingRow["mapping"]>;

export const NOT_SHIPPED_QUESTION =
  "Leave it out of every order sent to Brilliant? Orders waiting for it go without it.";

/** The Brilliant variant a mapping points at, with what is wrong with it. */
function BrilliantVariantCell({ mapping }: { mapping: Mapping }) {
  const brilliant = mapping.brilliant;
  return (
    <InlineStack gap="200" blockAlign="center" wrap={false}>
      <Thumbnail size="small" source={brilliant?.imageUrl ?? ""} alt="" />
      <BlockStack>
        <Text as="span">
          {brilliant ? brilliant.productName : `Brilliant variant ${mapping.brilliantVariantId}`}
        </Text>
        <Text as="span" tone="subdued" variant="bodySm">
          {[brilliant?.options, `#${mapping.brilliantVariantId}`].filter(Boolean).join(" · ")}
        </Text>
        <InlineStack gap="100">
          {!brilliant ? <Badge tone="warning">Not in the Brilliant catalog</Badge> : null}
          {brilliant?.removed ? <Badge tone="critical">No longer at Brilliant</Badge> : null}
          {brilliant?.inactive ? <Badge tone="critical">Inactive</Badge> : null}
          {mapping.source !== "manual" ? <Badge>{mapping.source === "csv" ? "CSV" : "Auto"}</Badge> : null}
        </InlineStack>
      </BlockStack>
    </InlineStack>
  );
}

function StockCell({ mapping }: { mapping: Mapping }) {
  const brilliant = mapping.brilliant;
  if (!brilliant) return null;
  if (brilliant.stock === null) {
    return (
      <Text as="span" tone="subdued">
        Not tracked
      </Text>
    );
  }
  return (
    <Text as="span" tone={mapping.lowStock ? "critical" : undefined}>
      {brilliant.stock.toLocaleString("en-US")}
      {mapping.lowStock ? " (low)" : ""}
    </Text>
  );
}

function ProductHeader({ row, position }: { row: MappingRow; position: number }) {
  return (
    <IndexTable.Row
      rowType="subheader"
      id={`product-${row.shopifyProductId}`}
      position={position}
      hideSelectable
    >
      <IndexTable.Cell colSpan={4} scope="colgroup" as="th">
        <Text as="span" fontWeight="semibold">
          {row.productTitle}
        </Text>
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}

/** A marked variant: none of its lines go to Brilliant, and no order waits for it. */
function NotShippedCell() {
  return (
    <BlockStack gap="100">
      <InlineStack>
        <Badge tone="info">Not shipped by Brilliant</Badge>
      </InlineStack>
      <Text as="span" tone="subdued" variant="bodySm">
        Left out of orders sent to Brilliant
      </Text>
    </BlockStack>
  );
}

export interface MappingRowActions {
  onUnmap: (id: string) => void;
  onNotShipped: (ids: string[], notShipped: boolean) => void;
}

/** The table's rows: a subheader for each product, then one row for each of its variants. */
export function MappingTableRows({
  rows,
  selected,
  onUnmap,
  onNotShipped,
}: { rows: MappingRow[]; selected: readonly string[] } & MappingRowActions) {
  return rows.map((row, index) => (
    <Fragment key={row.shopifyVariantId}>
      {row.shopifyProductId !== rows[index - 1]?.shopifyProductId ? (
        <ProductHeader row={row} position={index} />
      ) : null}
      <IndexTable.Row
        id={row.shopifyVariantId}
        position={index}
        selected={selected.includes(row.shopifyVariantId)}
        accessibilityLabel={`Select ${row.productTitle} ${variantName(row.variantTitle)}`}
      >
        <IndexTable.Cell>
          <InlineStack gap="200" blockAlign="center" wrap={false}>
            <Thumbnail size="small" source={row.imageUrl ?? ""} alt="" />
            <BlockStack>
              <Text as="span">{variantName(row.variantTitle)}</Text>
              <Text as="span" tone="subdued" variant="bodySm">
                {row.sku ? `SKU ${row.sku}` : "No SKU"}
              </Text>
            </BlockStack>
          </InlineStack>
        </IndexTable.Cell>
        <IndexTable.Cell>
          {row.notShipped ? (
            <NotShippedCell />
          ) : row.mapping ? (
            <BrilliantVariantCell mapping={row.mapping} />
          ) : (
            <InlineStack gap="100">
              <Badge tone="attention">Unmapped</Badge>
              {row.heldOrders > 0 ? (
                <Badge tone="critical">{`${row.heldOrders} ${row.heldOrders === 1 ? "order" : "orders"} waiting`}</Badge>
              ) : null}
            </InlineStack>
          )}
        </IndexTable.Cell>
        <IndexTable.Cell>
          {row.mapping && !row.notShipped ? <StockCell mapping={row.mapping} /> : null}
        </IndexTable.Cell>
        <IndexTable.Cell>
          {/* A click on an action acts; it never also ticks the row. */}
          <div onClick={(event) => event.stopPropagation()}>
            <ButtonGroup>
              <Button url={`/app/mappings/${row.shopifyVariantId}`} size="slim">
                {row.mapping ? "Change" : "Map"}
              </Button>
              {row.mapping && !row.notShipped ? (
                <ConfirmButton
                  size="slim"
                  variant="plain"
                  label="Unmap"
                  question="Unmap it? Its orders are held until it is mapped again."
                  confirmLabel="Unmap"
                  onConfirm={() => onUnmap(row.shopifyVariantId)}
                />
              ) : null}
              {row.notShipped ? (
                <Button
                  size="slim"
                  variant="plain"
                  onClick={() => onNotShipped([row.shopifyVariantId], false)}
                >
                  Ship with Brilliant
                </Button>
              ) : (
                <ConfirmButton
                  size="slim"
                  variant="plain"
                  label="Not shipped by Brilliant"
                  question={NOT_SHIPPED_QUESTION}
                  confirmLabel="Leave it out"
                  onConfirm={() => onNotShipped([row.shopifyVariantId], true)}
                />
              )}
            </ButtonGroup>
          </div>
        </IndexTable.Cell>
      </IndexTable.Row>
    </Fragment>
  ));
}
