import { Form } from "@remix-run/react";
import {
  Card,
  EmptyState,
  IndexTable,
  Tabs,
  TextField,
  useIndexResourceState,
  type IndexTableProps,
} from "@shopify/polaris";
import { useEffect, useMemo, useState } from "react";

import type { MappingRow } from "../../catalog/mapping-page.server";
import type { MappingFilter } from "../../catalog/mapping-page-options";
import { useMappingListNavigation, type MappingListQuery } from "./list-params";
import { MappingTableRows, type MappingRowActions } from "./mapping-table-rows";

const FILTER_TABS: { id: MappingFilter; content: string }[] = [
  { id: "all", content: "All" },
  { id: "unmapped", content: "Unmapped" },
  { id: "mapped", content: "Mapped" },
  { id: "inactive", content: "Mapped to inactive" },
  { id: "low_stock", content: "Low stock" },
  { id: "not_shipped", content: "Not shipped by Brilliant" },
];

const HEADINGS: IndexTableProps["headings"] = [
  { title: "Shopify variant" },
  { title: "Brilliant variant" },
  { title: "Brilliant stock" },
  { title: "" },
];

export interface MappingListCardProps extends MappingRowActions {
  rows: MappingRow[];
  query: MappingListQuery;
  previousCursor: string | null;
  nextCursor: string | null;
}

/** The filter tabs, the search, and one page of variants with their mappings, to act on one or several. */
export function MappingListCard({
  rows,
  query,
  previousCursor,
  nextCursor,
  onUnmap,
  onNotShipped,
}: MappingListCardProps) {
  const navigate = useMappingListNavigation(query);
  const resources = useMemo(() => rows.map((row) => ({ id: row.shopifyVariantId })), [rows]);
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } =
    useIndexResourceState(resources);
  // A new page or filter starts with nothing ticked.
  useEffect(() => clearSelection(), [rows, clearSelection]);
  const bulk = (notShipped: boolean) => () => {
    onNotShipped(selectedResources, notShipped);
    clearSelection();
  };
  const [search, setSearch] = useState(query.q);
  const selectedTab = Math.max(
    0,
    FILTER_TABS.findIndex((tab) => tab.id === query.filter),
  );

  return (
    <Card padding="0">
      <Tabs
        tabs={FILTER_TABS.map((tab) => ({ id: tab.id, content: tab.content }))}
        selected={selectedTab}
        onSelect={(index) =>
          navigate({ filter: FILTER_TABS[index]?.id === "all" ? null : (FILTER_TABS[index]?.id ?? null) })
        }
      />
      <div style={{ padding: "var(--p-space-300)" }}>
        <Form method="get">
          {query.filter !== "all" ? <input type="hidden" name="filter" value={query.filter} /> : null}
          <TextField
            label="Search"
            labelHidden
            name="q"
            value={search}
            onChange={setSearch}
            placeholder="Search by product, variant, SKU or barcode"
            autoComplete="off"
            clearButton
            onClearButtonClick={() => {
              setSearch("");
              navigate({ q: null });
            }}
          />
        </Form>
      </div>
      {rows.length === 0 ? (
        <EmptyState heading="No variants here" image="">
          <p>
            {query.q || query.filter !== "all"
              ? "Nothing matches this search or filter."
              : "Sync your Shopify products to start mapping."}
          </p>
        </EmptyState>
      ) : (
        <IndexTable
          resourceName={{ singular: "variant", plural: "variants" }}
          itemCount={rows.length}
          selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
          onSelectionChange={handleSelectionChange}
          promotedBulkActions={[
            { content: "Not shipped by Brilliant", onAction: bulk(true) },
            { content: "Ship with Brilliant", onAction: bulk(false) },
          ]}
          headings={HEADINGS}
          pagination={{
            hasPrevious: Boolean(previousCursor),
            onPrevious: () => navigate({ before: previousCursor }),
            previousTooltip: "Previous page",
            hasNext: Boolean(nextCursor),
            onNext: () => navigate({ cursor: nextCursor }),
            nextTooltip: "Next page",
          }}
        >
          <MappingTableRows
            rows={rows}
            selected={selectedResources}
            onUnmap={onUnmap}
            onNotShipped={onNotShipped}
          />
        </IndexTable>
      )}
    </Card>
  );
}
