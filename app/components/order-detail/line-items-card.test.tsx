import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import type { OrderLine } from "../../orders/order-detail.server";
import { LineItemsCard } from "./line-items-card";

// The order page's lines: which went to Brilliant, and which stayed and why.

const line = (id: string, overrides: Partial<OrderLine> = {}): OrderLine => ({
  lineItemId: id,
  title: `Item ${id}`,
  variantTitle: null,
  sku: null,
  quantity: 1,
  notForBrilliant: null,
  variantNotShipped: false,
  mappingPicker: `/app/mappings/${id}`,
  mapped: { brilliantVariantId: "73002", catalog: null },
  change: null,
  sent: { kind: "sent", brilliantVariantId: "73002", quantity: 1 },
  note: null,
  substitutes: [],
  ...overrides,
});

function rendered(lines: OrderLine[]): string {
  return renderToStaticMarkup(
    <AppProvider i18n={en}>
      <LineItemsCard
        lines={lines}
        actions={{ omit: false, substitute: false, undo: false }}
        busy={false}
        lineError={null}
        onChange={() => {}}
      />
    </AppProvider>,
  )
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");
}

describe("the order page's line items", () => {
  it("GIVEN a line sent, one not shipped by Brilliant and one needing no shipping THEN each says where it went and why", () => {
    const text = rendered([
      line("1"),
      line("2", {
        notForBrilliant: "not shipped by Brilliant",
        variantNotShipped: true,
        mapped: null,
        sent: { kind: "left_out" },
      }),
      line("3", {
        notForBrilliant: "needs no shipping (local pickup)",
        mapped: null,
        sent: { kind: "left_out" },
      }),
    ]);
    // (A toned badge also names its tone for screen readers: "Success".)
    expect(text).toMatch(/Item 1 Quantity 1 (Success )?Sent to Brilliant Mapped to/);
    expect(text).toContain(
      "Item 2 Quantity 1 Not sent to Brilliant Not shipped by Brilliant. Change in Mappings",
    );
    expect(text).toContain("Item 3 Quantity 1 Not sent to Brilliant Needs no shipping (local pickup).");
  });

  it("GIVEN lines with notes THEN each shows the note that goes to Brilliant with it, and a line that stays shows none", () => {
    const text = rendered([
      line("1", { note: "Engraving: Ada · Gift wrap: yes | Order note: Happy birthday!" }),
      line("2", { note: null }),
      line("3", {
        note: "Engraving: Bob",
        notForBrilliant: "needs no shipping",
        mapped: null,
        sent: { kind: "left_out" },
      }),
    ]);
    expect(text).toContain(
      "Note to Brilliant: Engraving: Ada · Gift wrap: yes | Order note: Happy birthday!",
    );
    expect(text.match(/Note to Brilliant/g)).toHaveLength(1);
  });
});
