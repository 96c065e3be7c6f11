import type { AlertInput } from "../models/alert.server";
import type { HoldKind } from "./state.server";
import type { HeldVariant } from "./preflight";

export function credentialsAlert(): Omit<AlertInput, "shop"> {
  return {
    kind: "credentials",
    key: "credentials",
    title: "Brilliant credentials are missing or refused",
    detail: "Orders wait until a working Brilliant API key and secret are saved in Settings.",
  };
}

/** An alert's key: one alert per variant where the hold names one, else one for the order. */
function alertKey(prefix: string, variantId: string | null | undefined, orderId: string): string {
  return variantId ? `${prefix}:variant:${variantId}` : `${prefix}:order:${orderId}`;
}

export function holdAlert(
  orderName: string,
  holdKind: HoldKind,
  variants: HeldVariant[],
  reason: string,
  orderId: string,
): Omit<AlertInput, "shop"> | undefined {
  const first = variants[0];
  switch (holdKind) {
    case "mapping":
      return {
        kind: "mapping",
        key: alertKey("mapping", first?.shopifyVariantId ?? first?.brilliantVariantId, orderId),
        title: first
          ? `${first.title} cannot be sent to Brilliant`
          : `Order ${orderName} has a variant Brilliant does not know`,
        detail: reason,
      };
    case "stock":
      return {
        kind: "stock",
        key: alertKey("stock", first?.brilliantVariantId, orderId),
        title: first
          ? `Not enough stock at Brilliant: ${first.title}`
          : `Not enough stock at Brilliant for order ${orderName}`,
        detail: reason,
      };
    case "inactive_variant":
      return {
        kind: "inactive_variant",
        key: alertKey("inactive", first?.brilliantVariantId, orderId),
        title: first ? `Inactive at Brilliant: ${first.title}` : `Order ${orderName} has an inactive variant`,
        detail: reason,
      };
    case "address":
      return {
        kind: "address",
        key: `address:order:${orderId}`,
        title: `Order ${orderName} has an address Brilliant cannot ship to`,
        detail: reason,
      };
    default:
      return undefined;
  }
}
