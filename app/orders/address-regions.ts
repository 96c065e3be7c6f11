import { allCountries } from "country-region-data";

/**
 * Countries and their subdivisions (ISO 3166-1 and 3166-2) from the
 * country-region-data package (decision 015), for the address fix: the
 * merchant picks a country and a state or province from the list, and a name
 * Shopify sent ("Ontario") is matched to its code (ON).
 */
export interface Place {
  code: string;
  name: string;
}

// Each row is [country name, country code, [region name, region code][]].
const COUNTRIES: ReadonlyMap<string, { name: string; subdivisions: Place[] }> = new Map(
  allCountries.map(([name, code, regions]) => {
    // A region without a code (the package's build writes "undefined") or named as the
    // country is the territory itself (Gibraltar, Hong Kong): nothing to choose.
    const subdivisions = regions
      .filter(([regionName, regionCode]) => regionCode && regionCode !== "undefined" && regionName !== name)
      .map(([regionName, regionCode]) => ({ code: regionCode.toUpperCase(), name: regionName }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return [code.toUpperCase(), { name, subdivisions }];
  }),
);

/** Every country, by name. */
export const COUNTRY_CHOICES: readonly Place[] = [...COUNTRIES]
  .map(([code, { name }]) => ({ code, name }))
  .sort((a, b) => a.name.localeCompare(b.name));

/** Folded for comparing names: no case, accents or punctuation ("Québec" = "quebec"). */
function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function countryName(code: string): string | null {
  return COUNTRIES.get(code.trim().toUpperCase())?.name ?? null;
}

/** The country's states, provinces or regions; empty when it has none to choose from. */
export function subdivisionsOf(countryCode: string): readonly Place[] {
  return COUNTRIES.get(countryCode.trim().toUpperCase())?.subdivisions ?? [];
}

/** The country's code for a code or name as an address may give it ("CA", "Canada"); null when unknown. */
export function suggestCountry(text: string | null | undefined): string | null {
  if (!text?.trim()) return null;
  const upper = text.trim().toUpperCase();
  if (COUNTRIES.has(upper)) return upper;
  const folded = fold(text);
  return COUNTRY_CHOICES.find((country) => fold(country.name) === folded)?.code ?? null;
}

/**
 * The subdivision's code for a code or name as an address may give it, within
 * the country: "ON", "on", "CA-ON" and "Ontario" all give ON; null when none matches.
 */
export function suggestSubdivision(countryCode: string, text: string | null | undefined): string | null {
  if (!text?.trim()) return null;
  const subdivisions = subdivisionsOf(countryCode);
  const upper = text.trim().toUpperCase();
  const bare = upper.startsWith(`${countryCode.trim().toUpperCase()}-`)
    ? upper.split("-").slice(1).join("-")
    : upper;
  const byCode = subdivisions.find((place) => place.code === bare);
  if (byCode) return byCode.code;
  const folded = fold(text);
  return subdivisions.find((place) => fold(place.name) === folded)?.code ?? null;
}

/**
 * Why a state or province code cannot be used with the country, in the
 * merchant's words; null when it can. A country without subdivisions takes any
 * text (or none).
 */
export function subdivisionProblem(countryCode: string, provinceCode: string): string | null {
  const country = countryName(countryCode);
  if (!country) return null; // the country field reports its own problem
  const subdivisions = subdivisionsOf(countryCode);
  if (subdivisions.length === 0) return null;
  if (!provinceCode.trim()) return `Choose the state or province in ${country}`;
  if (subdivisions.some((place) => place.code === provinceCode.trim().toUpperCase())) return null;
  const suggestion = suggestSubdivision(countryCode, provinceCode);
  return suggestion
    ? `Use the code ${suggestion} for ${provinceCode.trim()}`
    : `${provinceCode.trim()} is not a state or province of ${country}`;
}
