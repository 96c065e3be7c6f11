import type { ShopifyLineItem, ShopifyNoteAttribute, ShopifyOrder } from "./shopify-order";

/**
 * What Brilliant's picker reads with each item (`order_items[].note`): the
 * customer's line item properties ("Engraving: Ada · Gift wrap: yes"), and,
 * with the first item only, the order note and cart attributes ("Order note:
 * Happy birthday!"). A parcel needs its gift message once, and the first item
 * is where a pick list starts; repeating it on every item would also spend
 * every item's length on it. Names starting with "_" are the storefront's
 * private ones (bundle ids, upload tokens, which Shopify hides from the
 * customer too): they never go. See docs/brilliant-api/contract.md.
 */

/** Brilliant documents no limit: a note a picker still reads, and far below any column it may be stored in. */
export const ITEM_NOTE_MAX_LENGTH = 500;

const FIELD_SEPARATOR = " · ";
const LINE_SEPARATOR = " | ";
const ELLIPSIS = "…";

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Line breaks, tabs and control characters as single spaces: a note is one line on a pick list. */
function oneLine(text: string): string {
  return text.replace(/[\s\p{Cc}]+/gu, " ").trim();
}

/** "Name: value" for each attribute the customer filled in, private ones left out. */
function publicPairs(attributes: readonly ShopifyNoteAttribute[] | null | undefined): string[] {
  return (attributes ?? []).flatMap(({ name, value }) => {
    const label = oneLine(name);
    const text = oneLine(value ?? "");
    return label && text && !label.startsWith("_") ? [`${label}: ${text}`] : [];
  });
}

/** The line's properties as the picker reads them; null when it has none to send. */
export function lineNote(line: Pick<ShopifyLineItem, "properties">): string | null {
  const pairs = publicPairs(line.properties);
  return pairs.length > 0 ? pairs.join(FIELD_SEPARATOR) : null;
}

/** The order note and cart attributes, for the order's first item; null when there are none. */
export function orderNote(order: Pick<ShopifyOrder, "note" | "note_attributes">): string | null {
  const note = oneLine(order.note ?? "");
  const pairs = [...(note ? [`Order note: ${note}`] : []), ...publicPairs(order.note_attributes)];
  return pairs.length > 0 ? pairs.join(FIELD_SEPARATOR) : null;
}

/**
 * The note of one Brilliant item: the notes of the Shopify lines it carries,
 * each with its quantity when it carries several (their engravings differ),
 * then the order's when given; undefined when there is nothing to say.
 */
export function itemNote(lines: readonly ShopifyLineItem[], order: string | null): string | undefined {
  const parts = lines.flatMap((line) => {
    const note = lineNote(line);
    if (!note) return [];
    return lines.length > 1 ? [`${line.current_quantity ?? line.quantity} × ${note}`] : [note];
  });
  if (order) parts.push(order);
  return parts.length > 0 ? truncateNote(parts.join(LINE_SEPARATOR)) : undefined;
}

function characters(text: string): number {
  return [...text].length;
}

/**
 * At most `max` characters (Unicode code points), cut short with "…" between
 * two characters as a reader sees them: never inside an emoji, an accented
 * letter or a surrogate pair.
 */
export function truncateNote(text: string, max = ITEM_NOTE_MAX_LENGTH): string {
  if (characters(text) <= max) return text;
  let kept = "";
  let count = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = characters(segment);
    if (count + size > max - ELLIPSIS.length) break;
    kept += segment;
    count += size;
  }
  return `${kept.trimEnd()}${ELLIPSIS}`;
}
