/** What replaces a customer's personal data. */
export const REDACTED = "[redacted]";

const PII_KEYS = new Set([
  "customer",
  "email",
  "contact_email",
  "phone",
  "shipping_address",
  "billing_address",
  // The customer's own words: the order note, cart attributes and line item
  // properties (a gift message, an engraving) in Shopify's body, and the item
  // notes made of them in ours to Brilliant (`note`) and in Brilliant's answers
  // (`notes`), shortened there, so never found by value alone.
  "note",
  "notes",
  "note_attributes",
  "properties",
  "client_details",
  "browser_ip",
  "name_on_card",
  "invalid_records",
]);

/** Replaces every value under a personal-data key, at any depth. */
export function redactPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPersonalData);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        PII_KEYS.has(key) && inner !== null ? REDACTED : redactPersonalData(inner),
      ]),
    );
  }
  return value;
}

export function redactJsonText(text: string): string {
  try {
    return JSON.stringify(redactPersonalData(JSON.parse(text)));
  } catch {
    // Not JSON (an HTML error page, say): it cannot be scrubbed field by field.
    return REDACTED;
  }
}

/** What is kept of a body no order of ours owns: ids, states and times, which name nobody. */
const UNOWNED_KEPT_KEYS = new Set(["id", "status", "ship_status", "created_at", "updated_at", "variant_id"]);

/**
 * Retention for a body that belongs to no order of ours (a status call
 * naming none): nothing says whose data it holds, so every string but ids,
 * states and times is replaced; numbers, booleans and the shape stay.
 */
export function redactUnownedJsonText(text: string): string {
  const redact = (value: unknown, key: string): unknown => {
    if (typeof value === "string") return UNOWNED_KEPT_KEYS.has(key) ? value : REDACTED;
    if (Array.isArray(value)) return value.map((item) => redact(item, key));
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value).map(([inner, innerValue]) => [inner, redact(innerValue, inner)]),
      );
    }
    return value;
  };
  try {
    return JSON.stringify(redact(JSON.parse(text), ""));
  } catch {
    return REDACTED;
  }
}

/**
 * Keys whose string values name the customer wherever they appear (an error
 * message quoting the address, Brilliant echoing the order): scrubbed from
 * every row of the shop. The rest of an address (city, zip) is shared by
 * many customers, so only scrubbed from the redacted orders' own rows.
 */
const IDENTIFYING_KEYS = new Set([
  "email",
  "contact_email",
  "phone",
  "name",
  "first_name",
  "last_name",
  "address1",
  "address2",
  "address_1",
  "address_2",
  "note",
  "browser_ip",
  "name_on_card",
]);
const REGION_KEYS = new Set([
  "province",
  "province_code",
  "country",
  "country_code",
  "country_name",
  "state",
]);
/** Shorter values ("TX", "1") would scrub unrelated text. */
export const MIN_SCRUBBED_LENGTH = 4;

export interface PersonalValues {
  /** Values that identify the customer (or a recipient of their orders): scrubbed anywhere in the shop. */
  identifying: Set<string>;
  /** Also the rest of their addresses: scrubbed from their own orders' rows. */
  all: Set<string>;
}

/** The customer's string values found under personal-data keys of a stored order body. */
function collectPersonalValues(value: unknown, into: PersonalValues, underPii = false, key = ""): void {
  if (typeof value === "string") {
    const text = value.trim();
    // The mark itself (a body redacted by an earlier delivery) names nobody.
    if (!underPii || text.length < MIN_SCRUBBED_LENGTH || REGION_KEYS.has(key) || text === REDACTED) return;
    into.all.add(text);
    if (IDENTIFYING_KEYS.has(key)) into.identifying.add(text);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectPersonalValues(item, into, underPii, key);
    return;
  }
  if (value && typeof value === "object") {
    for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
      collectPersonalValues(innerValue, into, underPii || PII_KEYS.has(inner), inner);
    }
  }
}

export function collectFromPayload(payload: string, into: PersonalValues): void {
  try {
    collectPersonalValues(JSON.parse(payload), into);
  } catch {
    // An unreadable payload is replaced whole; it quoted nothing we can find by value.
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Finds and replaces a set of values in any case, also as a JSON string
 * holds them (escaped, and with non-ASCII as \u escapes), in one pass
 * whatever the number of values.
 */
export class Scrubber {
  private readonly pattern: RegExp | null;

  constructor(values: Iterable<string>) {
    const forms = new Set<string>();
    for (const value of values) {
      const escaped = JSON.stringify(value).slice(1, -1);
      forms.add(value);
      forms.add(escaped);
      forms.add(
        escaped.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
      );
    }
    // Longest first: a whole name goes before the first name it starts with.
    const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.pattern = alternatives.length === 0 ? null : new RegExp(alternatives.join("|"), "gi");
  }

  scrub(text: string): string {
    if (!this.pattern) return text;
    this.pattern.lastIndex = 0;
    return text.replace(this.pattern, REDACTED);
  }
}
