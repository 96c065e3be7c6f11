import { describe, expect, it } from "vitest";
import {
  COUNTRY_CHOICES,
  countryName,
  subdivisionProblem,
  subdivisionsOf,
  suggestCountry,
  suggestSubdivision,
} from "./address-regions";

describe("address regions (ISO 3166 from country-region-data)", () => {
  it("lists every country once, by name, with its 2-letter code", () => {
    expect(COUNTRY_CHOICES.length).toBeGreaterThan(240);
    expect(new Set(COUNTRY_CHOICES.map((country) => country.code)).size).toBe(COUNTRY_CHOICES.length);
    expect(COUNTRY_CHOICES.every((country) => /^[A-Z]{2}$/.test(country.code))).toBe(true);
    expect(countryName("ca")).toBe("Canada");
  });

  it("matches a name or code as addresses give it to the subdivision's code", () => {
    expect(suggestSubdivision("CA", "Ontario")).toBe("ON");
    expect(suggestSubdivision("CA", "on")).toBe("ON");
    expect(suggestSubdivision("CA", "CA-ON")).toBe("ON");
    expect(suggestSubdivision("CA", "Québec")).toBe("QC");
    expect(suggestSubdivision("CA", "quebec")).toBe("QC");
    expect(suggestSubdivision("US", "New York")).toBe("NY");
    expect(suggestSubdivision("CA", "OT")).toBeNull();
    expect(suggestCountry("Canada")).toBe("CA");
    expect(suggestCountry("us")).toBe("US");
    expect(suggestCountry("Atlantis")).toBeNull();
  });

  it("says why a province cannot be used with the country, and takes free text where there is nothing to choose", () => {
    expect(subdivisionProblem("CA", "ON")).toBeNull();
    expect(subdivisionProblem("CA", "OT")).toBe("OT is not a state or province of Canada");
    expect(subdivisionProblem("CA", "Ontario")).toBe("Use the code ON for Ontario");
    expect(subdivisionProblem("CA", "")).toBe("Choose the state or province in Canada");
    // Gibraltar and Hong Kong are their own only region in the data: nothing to choose.
    expect(subdivisionsOf("GI")).toEqual([]);
    expect(subdivisionsOf("HK")).toEqual([]);
    expect(subdivisionProblem("GI", "")).toBeNull();
    expect(subdivisionProblem("GI", "anything")).toBeNull();
  });
});
