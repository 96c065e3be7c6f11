import { describe, expect, it } from "vitest";
import { brilliantState, subdivisionFallbackDecides } from "./state-rule";
import { subdivisionFallbackOf } from "./subdivision-fallback";

// Brilliant's `state`: exactly 2 characters; without one, the shop's setting decides, outside the US and Canada.

const address = (country: string, province_code: string | null, province: string | null = null) => ({
  country_code: country,
  province_code,
  province,
});

describe("the state sent to Brilliant", () => {
  it("sends a 2-letter code as Shopify gives it, ISO's full form too, whatever the setting", () => {
    for (const fallback of ["hold", "country"] as const) {
      expect(brilliantState(address("US", "tx"), "US", fallback)).toEqual({ ok: true, state: "TX" });
      expect(brilliantState(address("CA", "CA-ON"), "CA", fallback)).toEqual({ ok: true, state: "ON" });
      expect(brilliantState(address("AU", "WA"), "AU", fallback)).toEqual({ ok: true, state: "WA" });
    }
  });

  it("GIVEN no 2-letter code outside the US and Canada THEN hold says why and what the setting does; country sends the country code", () => {
    const uk = brilliantState(address("GB", null), "GB", "hold");
    expect(uk).toMatchObject({ ok: false });
    expect(!uk.ok && uk.problem).toBe(
      "Brilliant needs a 2-letter state code, and United Kingdom addresses have none.",
    );
    expect(!uk.ok && uk.remedy).toMatch(
      /country code \(GB\) as the state.*Settings; this order then goes out by itself/,
    );
    expect(brilliantState(address("GB", null), "GB", "country")).toEqual({ ok: true, state: "GB" });

    const nsw = brilliantState(address("AU", "NSW"), "AU", "hold");
    expect(!nsw.ok && nsw.problem).toBe(
      'Brilliant needs a 2-letter state code; the address in Australia has "NSW".',
    );
    expect(!nsw.ok && nsw.remedy).toMatch(/\(AU\)/);
    expect(brilliantState(address("AU", "AU-NSW"), "AU", "country")).toEqual({ ok: true, state: "AU" });

    const bavaria = brilliantState(address("DE", null, "Bayern"), "DE", "hold");
    expect(!bavaria.ok && bavaria.problem).toMatch(/in Germany has only the name "Bayern"/);
    expect(brilliantState(address("DE", null), "DE", "country")).toEqual({ ok: true, state: "DE" });
  });

  it("GIVEN a US or Canadian address without a 2-letter code THEN it is held under either setting, with no setting to point to", () => {
    for (const fallback of ["hold", "country"] as const) {
      for (const [country, given] of [
        ["US", address("US", null)],
        ["US", address("US", null, "Washington")],
        ["US", address("US", "WASH")],
        ["CA", address("CA", "")],
      ] as const) {
        const check = brilliantState(given, country, fallback);
        expect(check).toMatchObject({ ok: false, remedy: null });
      }
    }
    expect(subdivisionFallbackDecides(address("US", null))).toBe(false);
    expect(subdivisionFallbackDecides(address("GB", null))).toBe(true);
    expect(subdivisionFallbackDecides(address("AU", "QLD"))).toBe(true);
    expect(subdivisionFallbackDecides(address("AU", "SA"))).toBe(false);
    expect(subdivisionFallbackDecides(null)).toBe(false);
  });

  it("reads a stored setting it does not know as hold", () => {
    expect(subdivisionFallbackOf("country")).toBe("country");
    for (const stored of ["hold", "", null, undefined, "COUNTRY"])
      expect(subdivisionFallbackOf(stored)).toBe("hold");
  });
});
