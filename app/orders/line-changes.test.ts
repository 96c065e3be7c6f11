import { describe, expect, it } from "vitest";
import {
  changesAfterEdit,
  leavesNothing,
  lineActionsFor,
  linesAsSent,
  parseLineChangeForm,
  parseLineChanges,
  sentFor,
  sentQuantities,
  serializeLineChanges,
  withLineChange,
  withoutLineChange,
  type LineChange,
} from "./line-changes";
import { ShopifyOrderSchema } from "./shopify-order";

const AT = "2025-03-01T10:00:00.000Z";

function order(lines: Array<Record<string, unknown>>) {
  return ShopifyOrderSchema.parse({ id: 1, name: "#1", line_items: lines });
}

const line = (id: number, variant: number | null, extra: Record<string, unknown> = {}) => ({
  id,
  variant_id: variant,
  title: `Item ${id}`,
  quantity: 2,
  requires_shipping: true,
  ...extra,
});

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}

describe("line changes: the stored column", () => {
  it("reads no column as no changes, and round-trips what it writes", () => {
    expect(parseLineChanges(null)).toEqual({ success: true, data: [] });
    const changes: LineChange[] = [
      { lineItemId: "11", action: "omit", at: AT },
      { lineItemId: "12", action: "substitute", brilliantVariantId: "73004", at: AT },
    ];
    expect(parseLineChanges(serializeLineChanges(changes))).toEqual({ success: true, data: changes });
    expect(serializeLineChanges([])).toBeNull();
  });

  it("GIVEN unreadable JSON or an unknown action WHEN read THEN it fails, rather than reading as no changes", () => {
    expect(parseLineChanges("{not json").success).toBe(false);
    expect(parseLineChanges(JSON.stringify([{ lineItemId: "11", action: "double", at: AT }])).success).toBe(
      false,
    );
    expect(
      parseLineChanges(JSON.stringify([{ lineItemId: "11", action: "substitute", at: AT }])).success,
    ).toBe(false);
    expect(parseLineChanges(JSON.stringify({ lineItemId: "11" })).success).toBe(false);
  });

  it("keeps one change per line: a newer one replaces it, and undo removes it", () => {
    const omitted = withLineChange([], { lineItemId: "11", action: "omit", at: AT });
    const both = withLineChange(omitted, { lineItemId: "12", action: "omit", at: AT });
    const replaced = withLineChange(both, {
      lineItemId: "11",
      action: "substitute",
      brilliantVariantId: "73004",
      at: AT,
    });
    expect(replaced.map((change) => [change.lineItemId, change.action])).toEqual([
      ["12", "omit"],
      ["11", "substitute"],
    ]);
    expect(withoutLineChange(replaced, "11")).toEqual([{ lineItemId: "12", action: "omit", at: AT }]);
  });
});

describe("line changes: applying them", () => {
  it("GIVEN every line Brilliant ships left out (a gift card aside) THEN nothing is left; one line kept is enough", () => {
    const o = order([line(11, 111), line(12, 112), line(13, 113, { gift_card: true })]);
    const omit = (id: string): LineChange => ({ lineItemId: id, action: "omit", at: AT });
    expect(leavesNothing(o, [omit("11"), omit("12")])).toBe(true);
    expect(leavesNothing(o, [omit("11")])).toBe(false);
    expect(
      leavesNothing(o, [omit("11"), { ...omit("12"), action: "substitute", brilliantVariantId: "9" }]),
    ).toBe(false);
  });

  it("names refused variants by the lines as sent: a substitute's id leads to its line, a left-out line is gone", () => {
    const o = order([line(11, 111), line(12, 112)]);
    const [lines, mappings] = linesAsSent(
      o.line_items,
      new Map([
        ["111", "1001"],
        ["112", "1002"],
      ]),
      [
        { lineItemId: "11", action: "substitute", brilliantVariantId: "2001", at: AT },
        { lineItemId: "12", action: "omit", at: AT },
      ],
    );
    expect(lines.map((l) => l.id)).toEqual(["11"]);
    expect(mappings.get("111")).toBe("2001");
  });

  it("GIVEN an edit in Shopify THEN changes of lines still shipping stay; of removed or gone lines they go", () => {
    const changes: LineChange[] = [
      { lineItemId: "11", action: "substitute", brilliantVariantId: "2001", at: AT },
      { lineItemId: "12", action: "omit", at: AT },
      { lineItemId: "13", action: "omit", at: AT },
    ];
    const edited = order([line(11, 111, { quantity: 5 }), line(12, 112, { current_quantity: 0 })]);
    const { kept, dropped } = changesAfterEdit(changes, edited);
    expect(kept.map((change) => change.lineItemId)).toEqual(["11"]);
    expect(dropped.map((change) => change.lineItemId)).toEqual(["12", "13"]);
  });
});

describe("line changes: what was sent", () => {
  it("reads a line's quantity from the last create request, or says it was left out or not sent yet", () => {
    const sent = sentQuantities(
      JSON.stringify({
        order_items: [
          { variant_id: 73004, quantity: 5 },
          { variant_id: 73002, quantity: 1 },
        ],
      }),
    );
    expect(sentFor(sent, ["73004", "73003"])).toEqual({
      kind: "sent",
      brilliantVariantId: "73004",
      quantity: 5,
    });
    expect(sentFor(sent, [null, "73003"])).toEqual({ kind: "left_out" });
    expect(sentFor(sentQuantities(null), ["73002"])).toEqual({ kind: "not_sent" });
  });
});

describe("line changes: the order page's form and what it offers", () => {
  it("offers changes only for the holds a line change fixes, and undo until the order is at Brilliant", () => {
    expect(lineActionsFor("held", "stock")).toEqual({ omit: true, substitute: true, undo: true });
    expect(lineActionsFor("held", "inactive_variant")).toEqual({ omit: true, substitute: true, undo: true });
    expect(lineActionsFor("held", "mapping")).toEqual({ omit: true, substitute: false, undo: true });
    expect(lineActionsFor("held", "address")).toEqual({ omit: false, substitute: false, undo: true });
    expect(lineActionsFor("ready", null)).toEqual({ omit: false, substitute: false, undo: true });
    expect(lineActionsFor("sending", null).undo).toBe(false);
    expect(lineActionsFor("forwarded", null).undo).toBe(false);
  });

  it("parses each intent, canonical line ids included, and names the field of a bad one", () => {
    expect(parseLineChangeForm(form({ intent: "omitLine", lineItemId: "0042" }))).toEqual({
      success: true,
      data: { intent: "omitLine", lineItemId: "42" },
    });
    expect(
      parseLineChangeForm(
        form({ intent: "substituteLine", lineItemId: "42", brilliantVariantId: " 73004 " }),
      ),
    ).toEqual({
      success: true,
      data: { intent: "substituteLine", lineItemId: "42", brilliantVariantId: "73004" },
    });
    expect(parseLineChangeForm(form({ intent: "substituteLine", lineItemId: "42" }))).toMatchObject({
      success: false,
      field: "brilliantVariantId",
    });
    expect(
      parseLineChangeForm(form({ intent: "substituteLine", lineItemId: "42", brilliantVariantId: "  " })),
    ).toMatchObject({ success: false, field: "brilliantVariantId", message: "Choose a Brilliant variant" });
    expect(parseLineChangeForm(form({ intent: "undoLineChange", lineItemId: "abc" }))).toMatchObject({
      success: false,
      field: "lineItemId",
    });
    expect(parseLineChangeForm(form({ intent: "omitLine" }))).toMatchObject({
      success: false,
      field: "lineItemId",
    });
  });
});
