import type { HoldKind } from "./state.server";
import type { HeldVariant } from "./preflight";
import type { ShopifyLineItem } from "./shopify-order";
import type { AlertInput } from "../models/alert.server";
import type { MerchantActionReason } from "../integrations/brilliant/outcome";

export const MERCHANT_HOLDS: Record<
  MerchantActionReason,
  { holdKind: HoldKind; alertKind: AlertInput["kind"]; what: string }
> = {
  address: { holdKind: "address", alertKind: "address", what: "Brilliant refused the shipping address" },
  unknown_variant: {
    holdKind: "mapping",
    alertKind: "mapping",
    what: "Brilliant does not have one of the mapped variants in your store",
  },
  stock: { holdKind: "stock", alertKind: "stock", what: "Brilliant has too little stock for this order" },
  inactive_variant: {
    holdKind: "inactive_variant",
    alertKind: "inactive_variant",
    what: "A variant in this order is inactive at Brilliant",
  },
};

export const NEXT_STEP: Record<MerchantActionReason, string> = {
  address: "Fix the shipping address, then resubmit the order.",
  unknown_variant: "Check the mapping of the variants named here; the order goes out once they are fixed.",
  stock: "Ask Brilliant to restock; the order goes out when stock returns.",
  inactive_variant: "Ask Brilliant to reactivate the variant, or map it to an active one.",
};

/** Brilliant's code when it gave one, else the client's reason (`network_error` → "network error"). */
export function describeAnswer(reason: string, code: number | null): string {
  if (code) return `code ${code}`;
  return reason.replace(/_/g, " ");
}

export function nameOf(variant: HeldVariant): string {
  return variant.sku ? `${variant.title} [SKU ${variant.sku}]` : variant.title;
}

/** Brilliant's invalid_records name the offending order items when it refuses variants. */
export function variantsFromInvalidRecords(
  records: unknown[],
  byBrilliantId: ReadonlyMap<string, HeldVariant>,
): HeldVariant[] {
  const variants: HeldVariant[] = [];
  for (const record of records) {
    if (record && typeof record === "object" && "variant_id" in record) {
      const id = (record as { variant_id: unknown }).variant_id;
      if (typeof id === "number" || typeof id === "string") {
        variants.push(
          byBrilliantId.get(String(id)) ?? {
            shopifyVariantId: null,
            brilliantVariantId: String(id),
            title: `Brilliant variant ${id}`,
            sku: null,
          },
        );
      }
    }
  }
  return variants;
}

/** Brilliant names refused variants by its own id; the merchant knows them by Shopify title and SKU. */
export function heldVariantsByBrilliantId(
  lineItems: readonly ShopifyLineItem[],
  mappings: ReadonlyMap<string, string>,
): Map<string, HeldVariant> {
  const byBrilliantId = new Map<string, HeldVariant>();
  for (const line of lineItems) {
    const brilliantVariantId = line.variant_id ? mappings.get(line.variant_id) : undefined;
    if (brilliantVariantId && !byBrilliantId.has(brilliantVariantId)) {
      byBrilliantId.set(brilliantVariantId, {
        shopifyVariantId: line.variant_id ?? null,
        brilliantVariantId,
        title: line.variant_title
          ? `${line.title} (${line.variant_title})`
          : (line.title ?? `Brilliant variant ${brilliantVariantId}`),
        sku: line.sku ?? null,
      });
    }
  }
  return byBrilliantId;
}

/** Why an order is held while the shop has no Brilliant credentials saved. */
export const NO_CREDENTIALS_REASON =
  "No Brilliant API key and secret are saved for this shop. Add them in Settings; held orders then go out.";

/** Why an order whose stored webhook body no longer validates is held. */
export const UNREADABLE_ORDER_REASON =
  "Brilliant Sync cannot read this order's stored data. Contact support; nothing was sent.";
