import { describe, expect, it } from "vitest";
import { proposeMatches, type ExistingMapping, type MatchableShopifyVariant } from "./auto-match";

const v = (id: string, sku: string | null, barcode: string | null = null): MatchableShopifyVariant => ({
  shopifyVariantId: id,
  shopifyProductId: "p",
  sku,
  barcode,
});
const brilliant = new Set(["73002", "73003", "73021"]);

describe("auto-match", () => {
  it("matches a SKU equal to a Brilliant variant id, ignoring blanks and unknown SKUs", () => {
    const proposals = proposeMatches(
      [v("1", "73002"), v("2", " 73003 "), v("3", "NOPE"), v("4", null)],
      brilliant,
      new Map(),
      { kind: "sku_equals_id" },
    );
    expect(proposals.map((p) => [p.shopifyVariantId, p.brilliantVariantId, p.status])).toEqual([
      ["1", "73002", "new"],
      ["2", "73003", "new"],
    ]);
  });

  it("strips a prefix or a suffix, or uses the barcode, as the merchant picks", () => {
    expect(
      proposeMatches([v("1", "BRL-73002"), v("2", "73003")], brilliant, new Map(), {
        kind: "sku_prefix",
        prefix: "BRL-",
      }).map((p) => p.brilliantVariantId),
    ).toEqual(["73002"]);
    expect(
      proposeMatches([v("1", "73021-US")], brilliant, new Map(), { kind: "sku_suffix", suffix: "-US" }).map(
        (p) => p.brilliantVariantId,
      ),
    ).toEqual(["73021"]);
    expect(
      proposeMatches([v("1", "X", "73003")], brilliant, new Map(), { kind: "barcode_equals_id" }).map(
        (p) => p.brilliantVariantId,
      ),
    ).toEqual(["73003"]);
  });

  it("never proposes to replace a manual mapping silently: it flags the conflict", () => {
    const existing = new Map<string, ExistingMapping>([
      ["1", { brilliantVariantId: "73021", source: "manual" }],
      ["2", { brilliantVariantId: "73021", source: "auto" }],
      ["3", { brilliantVariantId: "73002", source: "manual" }],
    ]);
    const proposals = proposeMatches(
      [v("1", "73002"), v("2", "73003"), v("3", "73002")],
      brilliant,
      existing,
      { kind: "sku_equals_id" },
    );
    expect(proposals.map((p) => [p.shopifyVariantId, p.status, p.currentBrilliantVariantId])).toEqual([
      ["1", "conflicts_manual", "73021"],
      ["2", "replaces_auto", "73021"],
      ["3", "unchanged", "73002"],
    ]);
  });

  it("is linear: 50k Shopify variants against 10k Brilliant ids", () => {
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => String(100_000 + i)));
    const variants = Array.from({ length: 50_000 }, (_, i) => v(String(i), String(100_000 + (i % 20_000))));
    const proposals = proposeMatches(variants, ids, new Map(), { kind: "sku_equals_id" });
    expect(proposals).toHaveLength(30_000);
  });
});
