import { describe, expect, it } from "vitest";
import { actorWords, reasonWords } from "./history-words";

describe("the history in the merchant's words", () => {
  it("names who moved the order as the merchant knows them", () => {
    expect(actorWords("merchant")).toBe("by you");
    expect(actorWords("worker")).toBe("by Brilliant Sync");
    expect(actorWords("webhook")).toBe("from Shopify");
  });

  it("says how the order came, and leaves every other reason as written", () => {
    expect(reasonWords("orders/paid webhook demo-6-d5ac3227")).toBe(
      "Paid in Shopify; Shopify told Brilliant Sync (webhook demo-6-d5ac3227).",
    );
    expect(reasonWords("orders/cancelled webhook wh-9, before its orders/paid")).toBe(
      "Cancelled in Shopify before word of its payment came (webhook wh-9).",
    );
    expect(reasonWords("found by the reconciliation sweep")).toMatch(/its webhook never came/);
    expect(reasonWords("Brilliant accepted it as order 50003.")).toBe(
      "Brilliant accepted it as order 50003.",
    );
  });
});
