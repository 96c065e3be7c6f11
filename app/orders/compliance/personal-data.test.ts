import { describe, expect, it } from "vitest";
import { REDACTED, redactJsonText } from "./personal-data";

// The customer's own words (gift messages, engravings) are personal data wherever a stored body holds them.

describe("redacting stored bodies", () => {
  it("GIVEN our request to Brilliant and its answer THEN every item note is replaced, and the rest of the body stays", () => {
    const request = {
      order_items: [
        { variant_id: 73002, quantity: 1, note: "Engraving: Ada | Order note: Happy birthday, Ada!" },
        { variant_id: 73003, quantity: 2 },
      ],
      custom_data: { shopify_order_id: "900001" },
    };
    expect(JSON.parse(redactJsonText(JSON.stringify(request)))).toEqual({
      order_items: [
        { variant_id: 73002, quantity: 1, note: REDACTED },
        { variant_id: 73003, quantity: 2 },
      ],
      custom_data: { shopify_order_id: "900001" },
    });
    // Brilliant answers with `notes`, in its payload and in the request it echoes on a refusal.
    const answer = {
      code: 1200,
      payload: { id: 7, order_items: [{ variant_id: 73002, quantity: 1, notes: "Engraving: Ada…" }] },
      body: { order_items: [{ variant_id: 73002, notes: "Engraving: Ada…" }] },
    };
    const redacted = redactJsonText(JSON.stringify(answer));
    expect(redacted).not.toContain("Ada");
    expect(JSON.parse(redacted)).toMatchObject({
      code: 1200,
      payload: { id: 7, order_items: [{ variant_id: 73002, quantity: 1, notes: REDACTED }] },
    });
  });

  it("GIVEN Shopify's order THEN its note, cart attributes and line item properties are replaced; the lines stay", () => {
    const order = {
      note: "Leave it with the neighbour",
      note_attributes: [{ name: "Gift message", value: "Love, Bob" }],
      line_items: [{ id: 1, variant_id: 2, quantity: 1, properties: [{ name: "Engraving", value: "Ada" }] }],
    };
    expect(JSON.parse(redactJsonText(JSON.stringify(order)))).toEqual({
      note: REDACTED,
      note_attributes: REDACTED,
      line_items: [{ id: 1, variant_id: 2, quantity: 1, properties: REDACTED }],
    });
  });
});
