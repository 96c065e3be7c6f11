import { countryName, subdivisionsOf } from "./address-regions";
import type { ShopifyAddress } from "./shopify-order";
import {
  SUBDIVISION_CHOICES,
  SUBDIVISION_SETTING_LABEL,
  type SubdivisionFallback,
} from "./subdivision-fallback";

/**
 * The `state` Brilliant is sent: exactly 2 characters, or it refuses the
 * address (2501). Shopify gives a 2-letter code in the US and Canada, longer
 * ones elsewhere (Australia's NSW), and none where addresses have no state
 * (the UK, most of Europe). Without a 2-letter code the shop's setting
 * decides: hold the order (the default), or send the country's code as the
 * state. A US or Canadian address without one is always held: a state is
 * part of every address there, so a missing one is a mistake to fix. The
 * reason for a hold names what the setting would do, and, from
 * address-regions, whether the country has 2-letter codes at all. See
 * docs/brilliant-api/contract.md.
 */

/**
 * Where every address carries a 2-letter state or province. Not read from
 * address-regions: ISO lists subdivisions for nearly every country (217 for
 * the UK), whether or not its addresses name one.
 */
const STATE_ALWAYS_GIVEN = new Set(["US", "CA"]);

const SEND_COUNTRY_CHOICE = SUBDIVISION_CHOICES.find((choice) => choice.value === "country")!.label;

export type StateCheck =
  | { ok: true; state: string }
  | {
      ok: false;
      problem: string;
      /** What would send it: the shop's setting (the order goes by itself once chosen), else null. */
      remedy: string | null;
    };

/** "AU-NSW" → "NSW": Shopify sometimes gives ISO's full form. */
function bareCode(code: string): string {
  return code.includes("-") ? code.split("-").pop()! : code;
}

/**
 * The state for an address in `country` (a 2-letter code, upper case), or why
 * there is none Brilliant takes.
 */
export function brilliantState(
  address: Pick<ShopifyAddress, "province" | "province_code">,
  country: string,
  fallback: SubdivisionFallback,
): StateCheck {
  const code = address.province_code?.trim() ? bareCode(address.province_code.trim().toUpperCase()) : null;
  if (code?.length === 2) return { ok: true, state: code };
  const name = address.province?.trim() || null;

  if (STATE_ALWAYS_GIVEN.has(country)) {
    return {
      ok: false,
      problem: code
        ? `Brilliant needs a 2-letter state code; the address has "${code}".`
        : name
          ? `Brilliant needs a 2-letter state code; the address has only the name "${name}".`
          : "Brilliant needs a 2-letter state or province code; the address has none.",
      remedy: null,
    };
  }
  if (fallback === "country") return { ok: true, state: country };

  const place = countryName(country) ?? country;
  const noTwoLetterCodes = !subdivisionsOf(country).some((subdivision) => subdivision.code.length === 2);
  return {
    ok: false,
    problem: code
      ? `Brilliant needs a 2-letter state code; the address in ${place} has "${code}".`
      : name
        ? `Brilliant needs a 2-letter state code; the address in ${place} has only the name "${name}".`
        : noTwoLetterCodes
          ? `Brilliant needs a 2-letter state code, and ${place} addresses have none.`
          : `Brilliant needs a 2-letter state code; the address in ${place} has none.`,
    remedy: `To send such orders with the country code (${country}) as the state, choose "${SEND_COUNTRY_CHOICE}" for "${SUBDIVISION_SETTING_LABEL}" in Settings; this order then goes out by itself.`,
  };
}

/** Whether the shop's setting decides this address's state: it has none Brilliant takes, and may go without. */
export function subdivisionFallbackDecides(address: ShopifyAddress | null | undefined): boolean {
  const country = address?.country_code?.trim().toUpperCase();
  if (!address || !country || country.length !== 2) return false;
  const check = brilliantState(address, country, "hold");
  return !check.ok && check.remedy !== null;
}
