/**
 * The shop's setting for a shipping address without a 2-letter state, which
 * Brilliant refuses (state-rule.ts applies it): hold the order, or send the
 * country's code as the state. Apart from the rule so that Settings does not
 * load the country data the rule reads.
 */
export const SUBDIVISION_FALLBACKS = ["hold", "country"] as const;
export type SubdivisionFallback = (typeof SUBDIVISION_FALLBACKS)[number];

/** The setting as stored: anything but "country" holds. */
export function subdivisionFallbackOf(stored: string | null | undefined): SubdivisionFallback {
  return stored === "country" ? "country" : "hold";
}

/** Its words on the Settings page, which hold reasons quote. */
export const SUBDIVISION_SETTING_LABEL = "Addresses without a 2-letter state";
export const SUBDIVISION_CHOICES: readonly { label: string; value: SubdivisionFallback }[] = [
  { label: "Hold the order for me", value: "hold" },
  { label: "Send the country code as the state", value: "country" },
];
