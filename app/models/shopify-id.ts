import { z } from "zod/v4";

/**
 * Shopify ids (orders, line items, variants, products, fulfillment orders) in
 * one canonical form before they key anything: the decimal digits of a
 * positive integer, no leading zeros. `8400704573` and `"08400704573"` are the
 * same order; `0`, negatives, fractions and anything else are no id at all.
 *
 * The range is 1 … Number.MAX_SAFE_INTEGER (2^53 − 1). Shopify declares its
 * ids 64-bit, but the ones it issues are far below 2^53 and its REST bodies
 * carry them as JSON numbers, which JavaScript reads exactly only up to 2^53:
 * a larger number has already been rounded by JSON.parse, so two orders could
 * share it. Digit strings are held to the same bound, so both spellings of an
 * id are accepted or refused alike.
 */
export const MAX_SHOPIFY_ID = Number.MAX_SAFE_INTEGER;

/** Longest id text read at all (leading zeros included): no real id comes near it. */
const MAX_ID_TEXT = 32;

/**
 * The canonical text of a Shopify id given as a JSON number, a digit string
 * or, when `gidType` is named, `gid://shopify/<gidType>/<digits>`; null for
 * anything else.
 */
export function canonicalShopifyId(value: unknown, gidType?: string): string | null {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 1 ? String(value) : null;
  }
  if (typeof value !== "string") return null;
  const prefix = gidType ? `gid://shopify/${gidType}/` : null;
  const digits = prefix && value.startsWith(prefix) ? value.slice(prefix.length) : value;
  if (digits.length === 0 || digits.length > MAX_ID_TEXT || !/^\d+$/.test(digits)) return null;
  const stripped = digits.replace(/^0+/, "");
  // 16 digits hold every safe integer; Number() of 16 digits rounds monotonically, so the bound is exact.
  if (stripped === "" || stripped.length > 16 || Number(stripped) > MAX_SHOPIFY_ID) return null;
  return stripped;
}

const ID_RULE = `a positive whole number up to ${MAX_SHOPIFY_ID}`;

/** A Shopify REST id (JSON number or digit string) → its canonical text. */
export const shopifyId = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const id = canonicalShopifyId(value);
  if (id === null) {
    ctx.addIssue({ code: "custom", message: `Not a Shopify id: ${ID_RULE}` });
    return z.NEVER;
  }
  return id;
});

/** Like `shopifyId`, also accepting Shopify's GraphQL form `gid://shopify/<type>/<digits>`. */
export function shopifyGid(type: string) {
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    const id = canonicalShopifyId(value, type);
    if (id === null) {
      ctx.addIssue({ code: "custom", message: `Not a Shopify ${type} id: ${ID_RULE}` });
      return z.NEVER;
    }
    return id;
  });
}

/**
 * Order ids to find (compliance requests): each as given and in its canonical
 * form, so an order is found however the request spells its id. Nothing is
 * refused: an id that is no Shopify id matches no order, and a request that
 * cannot be answered would be delivered again and again.
 */
export const shopifyIdsToMatch = z
  .array(z.union([z.number(), z.string()]))
  .transform((ids) => [
    ...new Set(ids.flatMap((id) => [String(id), canonicalShopifyId(id)]).filter((id) => id !== null)),
  ]);
