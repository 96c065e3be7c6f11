import type { AlertKind } from "../models/alert.server";
import type { HoldKind, OrderState } from "./state.server";

/**
 * Where the merchant goes to fix what holds an order or raised an alert, in
 * their words. Pure, so the home page, the orders list and the order page
 * all say the same thing.
 */
export interface NextStep {
  label: string;
  /** An app path: /app/mappings, /app/settings or the order's page. */
  url: string;
}

export const MAPPINGS_PATH = "/app/mappings";
export const SETTINGS_PATH = "/app/settings";
/** Settings opened at the Brilliant key field (its input's id). */
export const CREDENTIALS_FIELD_PATH = `${SETTINGS_PATH}#brilliantApiKey`;
/** The order page's address form (its card's id). */
export const ADDRESS_FORM_ANCHOR = "shipping-address";

export function orderPath(orderId: string): string {
  return `/app/orders/${encodeURIComponent(orderId)}`;
}

/**
 * The one thing to do next for a held order. `mappingPicker`: the mapping
 * page of the variant that holds it, when known (fix-links.server.ts); else
 * the mappings list.
 */
export function nextStepForHold(
  holdKind: string | null,
  orderId: string,
  mappingPicker: string | null = null,
): NextStep {
  const mapping = mappingPicker ?? MAPPINGS_PATH;
  switch (holdKind as HoldKind | null) {
    case "mapping":
      return { label: "Map the variant", url: mapping };
    case "stock":
      return { label: "Map to a variant in stock, or resubmit once Brilliant restocks", url: mapping };
    case "inactive_variant":
      return { label: "Map to an active variant", url: mapping };
    case "credentials":
      return { label: "Save your Brilliant API key and secret", url: CREDENTIALS_FIELD_PATH };
    case "address":
      return { label: "Fix the shipping address", url: `${orderPath(orderId)}#${ADDRESS_FORM_ANCHOR}` };
    case "review":
      return { label: "Review and send", url: orderPath(orderId) };
    case "hold_tag":
    case "refund":
      return { label: "Resubmit or skip", url: orderPath(orderId) };
    case "fulfillment_hold":
      return { label: "Release the fulfillment hold in Shopify", url: orderPath(orderId) };
    case "fulfillment_hold_lookup":
      return {
        label: "Nothing to do: Shopify is asked whose hold it is every 30 s",
        url: orderPath(orderId),
      };
    case "order_edit":
      return { label: "Nothing to do: the edit is read again within a minute", url: orderPath(orderId) };
    case "app_error":
    default:
      return { label: "See what Brilliant answered", url: orderPath(orderId) };
  }
}

/**
 * Where to fix the cause of an alert; null when the fix is on each order.
 * `mappingPicker`: the mapping page of the one variant the alert names.
 */
export function fixForAlert(kind: string, mappingPicker: string | null = null): NextStep | null {
  switch (kind as AlertKind) {
    case "mapping":
    case "stock":
    case "inactive_variant":
      return mappingPicker
        ? { label: nextStepForHold(kind, "", mappingPicker).label, url: mappingPicker }
        : { label: "Open mappings", url: MAPPINGS_PATH };
    case "credentials":
      return { label: "Open settings", url: CREDENTIALS_FIELD_PATH };
    case "stuck":
      return { label: "See the orders retrying", url: "/app/orders?state=retrying" };
    case "shopify_connection":
      // Loading the app runs token exchange, which stores a new offline token.
      return { label: "Reconnect", url: "/app" };
    default:
      return null;
  }
}

/** Every state, in the order the orders list offers them as a filter. */
export const ORDER_STATE_CHOICES = [
  "held",
  "retrying",
  "unknown",
  "waiting",
  "received",
  "ready",
  "sending",
  "forwarded",
  "skipped",
  "cancelled",
] as const satisfies readonly OrderState[];

/** A state in the merchant's words. */
export function stateLabel(state: string): string {
  const labels: Record<OrderState, string> = {
    received: "Received",
    waiting: "Waiting",
    ready: "Ready to send",
    sending: "Sending",
    forwarded: "Forwarded",
    held: "Held",
    retrying: "Retrying",
    unknown: "Being checked",
    cancelled: "Cancelled",
    skipped: "Skipped",
  };
  return labels[state as OrderState] ?? state;
}

export type StateTone = "success" | "critical" | "attention" | "info" | "warning" | undefined;

export function stateTone(state: string): StateTone {
  switch (state as OrderState) {
    case "forwarded":
      return "success";
    case "held":
      return "critical";
    case "retrying":
    case "unknown":
      return "attention";
    case "waiting":
    case "received":
    case "ready":
    case "sending":
      return "info";
    default:
      return undefined;
  }
}
