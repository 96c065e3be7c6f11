/** Tracking for a shipment, as Brilliant reports it and Shopify's fulfillments carry it. */

export interface Tracking {
  number: string | null;
  url: string | null;
  company: string | null;
}

function text(value: unknown): string | null {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

/**
 * Tracking from a Brilliant status body or order. The contract documents none
 * (see contract.md), so the common spellings are read where present.
 */
export function trackingFrom(body: Record<string, unknown>): Tracking | null {
  const numbers = Array.isArray(body.tracking_numbers) ? body.tracking_numbers : [];
  const tracking: Tracking = {
    number: text(body.tracking_number) ?? text(body.tracking) ?? text(numbers[0]),
    url: text(body.tracking_url),
    company: text(body.tracking_company) ?? text(body.carrier) ?? text(body.shipping_carrier),
  };
  return tracking.number || tracking.url ? tracking : null;
}
