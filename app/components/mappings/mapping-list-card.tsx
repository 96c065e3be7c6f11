import { Form } from "@remix-run/react";
import { Card, EmptyState, IndexTable, Tabs, TextField, type IndexTableProps } from "@shopify/polaris";
import { useState } from "react";

import type { MappingRow } from "../../catalog/mapping-page.server";
import type { MappingFilter } from "../../catalog/mapping-page-options";
import { useMappingListNavigation, type MappingListQuery } from "./list-params";
import { MappingTableRows } from "./mapping-table-rows";

const FILTER_TABS: { id: MappingFilter; content: string }[] = [
  { id: "all", content: "All" },
  { id: "unmapped", content: "Unmapped" },
  { id: "mapped", content: "Mapped" },
  { id: "inactive", content: "Mapped to inactive" },
  { id: "low_stock", content: "Low stock" },
];

const HEADINGS: IndexTableProps["headings"] = [
  { title: "Shopify variant" },
  { title: "Brilliant variant" },
  { title: "Brilliant stock" },
  { title: "" },
];

export interface MappingListCardProps {
  rows: MappingRow[];
  query: MappingListQuery;
  previousCursor: string | null;
  nextCursor: string | null;
  onUnmap: (shopifyVariantId: string) => void;
}

/** The filter tabs, the search, and one page of variants with their mappings. */
export function MappingListCard({ rows, query, previousCursor, nextCursor, onUnmap }: MappingListCardProps) {
  const navigate = useMappingListNavigation(query);
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
          selectable={false}
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
          <MappingTableRows rows={rows} onUnmap={onUnmap} />
        </IndexTable>
      )}
    </Card>
  );
}
