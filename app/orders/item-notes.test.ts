import { describe, expect, it } from "vitest";
import { ITEM_NOTE_MAX_LENGTH, itemNote, lineNote, orderNote, truncateNote } from "./item-notes";
import { ShopifyLineItemSchema, ShopifyOrderSchema } from "./shopify-order";

// The note each Brilliant item carries: the customer's properties per line, the order note once.

const line = (id: number, properties: unknown, quantity = 1) =>
  ShopifyLineItemSchema.parse({ id, variant_id: 111, quantity, properties });

describe("item notes", () => {
  it("GIVEN line item properties THEN they read 'Name: value · Name: value', private and empty ones left out", () => {
    const engraved = line(1, [
      { name: "Engraving", value: "Ada" },
      { name: "_bundle_id", value: "b-42" },
      { name: " _upload ", value: "token" },
      { name: "Gift wrap", value: "yes" },
      { name: "Colour", value: "" },
      { name: "Size", value: null },
      { name: "Layers", value: 3 },
    ]);
    expect(lineNote(engraved)).toBe("Engraving: Ada · Gift wrap: yes · Layers: 3");
    expect(lineNote(line(2, [{ name: "_only_private", value: "x" }]))).toBeNull();
    expect(lineNote(line(3, null))).toBeNull();
  });

  it("GIVEN an order note and cart attributes THEN they read 'Order note: …' then the public attributes, on one line", () => {
    const order = ShopifyOrderSchema.parse({
      id: 1,
      name: "#1",
      line_items: [],
      note: "Happy birthday,\r\n  love from Bob",
      note_attributes: [
        { name: "Gift message", value: "Enjoy!" },
        { name: "_utm_source", value: "mail" },
      ],
    });
    expect(orderNote(order)).toBe("Order note: Happy birthday, love from Bob · Gift message: Enjoy!");
    expect(orderNote({ note: "  ", note_attributes: null })).toBeNull();
  });

  it("GIVEN an item that carries several Shopify lines THEN each line's note is prefixed by its quantity; the order's comes last", () => {
    const lines = [
      line(1, [{ name: "Engraving", value: "Ada" }], 2),
      line(2, null),
      line(3, [{ name: "Engraving", value: "Bob" }], 1),
    ];
    expect(itemNote(lines, "Order note: Hi")).toBe(
      "2 × Engraving: Ada | 1 × Engraving: Bob | Order note: Hi",
    );
    expect(itemNote([line(4, null)], null)).toBeUndefined();
    expect(itemNote([line(5, null)], "Order note: Hi")).toBe("Order note: Hi");
  });

  it("GIVEN a note past the limit THEN it is cut to the limit with '…', never inside an emoji or an accented letter", () => {
    const long = `Engraving: ${"a".repeat(600)}`;
    const cut = truncateNote(long);
    expect([...cut]).toHaveLength(ITEM_NOTE_MAX_LENGTH);
    expect(cut.endsWith("a…")).toBe(true);

    // 498 characters, then a family emoji (7 code points) and a decomposed é (2): neither is split.
    const emoji = "👨‍👩‍👧‍👦";
    const cutAtEmoji = truncateNote(`${"b".repeat(497)} ${emoji} more`);
    expect(cutAtEmoji).toBe(`${"b".repeat(497)}…`);
    const accent = "e\u0301";
    const cutAtAccent = truncateNote(`${"c".repeat(498)}${accent}${accent}`);
    expect(cutAtAccent).toBe(`${"c".repeat(498)}…`);
    expect(truncateNote(`${"d".repeat(497)}${accent}`, 500)).toBe(`${"d".repeat(497)}${accent}`);
    // Surrogate pairs count once.
    expect(truncateNote("😀".repeat(500))).toBe("😀".repeat(500));
    expect(truncateNote("😀".repeat(501))).toBe(`${"😀".repeat(499)}…`);
  });
});
