import { AppProvider, IndexTable } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import type { MappingRow } from "../../catalog/mapping-page.server";
import { MappingTableRows } from "./mapping-table-rows";

// The mapping list's rows as the merchant reads them: a variant marked "not
// shipped by Brilliant" says so and offers to ship it with Brilliant again;
// any other offers the mark; every variant row can be ticked.

const row = (id: string, overrides: Partial<MappingRow> = {}): MappingRow => ({
  shopifyVariantId: id,
  shopifyProductId: "1",
  productTitle: "Candle",
  variantTitle: `Scent ${id}`,
  sku: `SKU-${id}`,
  barcode: null,
  imageUrl: null,
  mapping: null,
  notShipped: false,
  heldOrders: 0,
  ...overrides,
});

function rendered(rows: MappingRow[]): string {
  return renderToStaticMarkup(
    <AppProvider i18n={en}>
      <IndexTable
        resourceName={{ singular: "variant", plural: "variants" }}
        itemCount={rows.length}
        selectedItemsCount={0}
        headings={[
          { title: "Shopify variant" },
          { title: "Brilliant variant" },
          { title: "Stock" },
          { title: "" },
        ]}
      >
        <MappingTableRows rows={rows} selected={[]} onUnmap={() => {}} onNotShipped={() => {}} />
      </IndexTable>
    </AppProvider>,
  )
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");
}

describe("mapping list rows", () => {
  it("GIVEN a marked variant and an unmapped one THEN the first says not shipped by Brilliant, never unmapped or waited for", () => {
    const text = rendered([row("1", { notShipped: true }), row("2", { heldOrders: 2 })]);
    expect(text).toContain("Not shipped by Brilliant Left out of orders sent to Brilliant");
    expect(text).toContain("Ship with Brilliant");
    expect(text.match(/Unmapped/g)).toHaveLength(1);
    expect(text.match(/orders waiting/g)).toHaveLength(1);
  });

  it("offers a checkbox for every variant row, named for it", () => {
    const html = renderToStaticMarkup(
      <AppProvider i18n={en}>
        <IndexTable
          itemCount={1}
          selectedItemsCount={0}
          headings={[{ title: "a" }, { title: "b" }, { title: "c" }, { title: "d" }]}
        >
          <MappingTableRows rows={[row("7")]} selected={[]} onUnmap={() => {}} onNotShipped={() => {}} />
        </IndexTable>
      </AppProvider>,
    );
    expect(html).toContain("Select Candle Scent 7");
  });
});
