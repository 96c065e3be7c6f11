import { Prisma, type ShopifyVariant } from "@prisma/client";

import prisma from "../db.server";
import type { VariantFields } from "./shopify-variants.server";

/** Writing a page of variants read from Shopify into the shop's mirror of them. */

/**
 * A variant's inventory item as the full sync reads it; the products webhooks
 * name only the item (a field left out is left as stored).
 */
export interface VariantInventoryFields {
  inventoryItemId?: string | null;
  inventoryTracked?: boolean | null;
}

type SyncedVariant = VariantFields & VariantInventoryFields;

export interface PageWrite {
  created: number;
  changed: number;
}

const WRITTEN_FIELDS = [
  "shopifyProductId",
  "productTitle",
  "variantTitle",
  "sku",
  "barcode",
  "imageUrl",
] as const satisfies ReadonlyArray<keyof VariantFields>;

function differs(row: ShopifyVariant, fields: SyncedVariant): boolean {
  return (
    row.deletedAt !== null ||
    WRITTEN_FIELDS.some((key) => row[key] !== fields[key]) ||
    (["inventoryItemId", "inventoryTracked"] as const).some(
      (key) => fields[key] !== undefined && row[key] !== fields[key],
    )
  );
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * Writes one page of variants read at `readAt`: new ones are created, changed
 * ones updated, and every one not learnt of later is marked as seen
 * (`syncedAt`), which is what tells the end of a full sync which are gone.
 */
export async function writeVariants(
  shop: string,
  variants: SyncedVariant[],
  readAt: Date,
): Promise<PageWrite> {
  const write = () =>
    prisma.$transaction(
      async (tx) => {
        const ids = variants.map((variant) => variant.shopifyVariantId);
        const existing = await tx.shopifyVariant.findMany({ where: { shop, shopifyVariantId: { in: ids } } });
        const byId = new Map(existing.map((row) => [row.shopifyVariantId, row]));
        const fresh = variants.filter((variant) => !byId.has(variant.shopifyVariantId));
        if (fresh.length > 0) {
          await tx.shopifyVariant.createMany({
            data: fresh.map((variant) => ({ shop, ...variant, syncedAt: readAt })),
          });
        }
        let changed = 0;
        for (const variant of variants) {
          const row = byId.get(variant.shopifyVariantId);
          if (!row || !differs(row, variant)) continue;
          const updated = await tx.shopifyVariant.updateMany({
            where: { id: row.id, syncedAt: { lte: readAt } },
            data: { ...variant, deletedAt: null, syncedAt: readAt },
          });
          changed += updated.count;
        }
        if (existing.length > 0) {
          await tx.shopifyVariant.updateMany({
            where: { id: { in: existing.map((row) => row.id) }, syncedAt: { lt: readAt } },
            data: { syncedAt: readAt },
          });
        }
        return { created: fresh.length, changed };
      },
      { timeout: 30_000 },
    );
  try {
    return await write();
  } catch (error) {
    // A webhook created one of these variants meanwhile: it exists now, so
    // the second go updates it instead.
    if (!isUniqueViolation(error)) throw error;
    return write();
  }
}
