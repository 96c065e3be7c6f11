import { z } from "zod/v4";

import prisma from "../db.server";
import { placeholders, sqlFor } from "../db/sql.server";
import { newId } from "../db/ids";
import { canonicalShopifyId, shopifyId } from "../models/shopify-id";
import { blankToNull, numericShopifyId, variantTitleOf, type VariantFields } from "./shopify-variants.server";

/**
 * products/create, products/update and products/delete: checked in the web
 * process, parsed and applied to the mirrored variants by the worker
 * (app/catalog/product-update-queue.server.ts).
 */

// Canonical ids, as orders use them (app/models/shopify-id.ts).
const RestIdSchema = shopifyId;

/** products/update (and products/create) as Shopify's REST webhooks send it, the fields we read. */
const ProductWebhookSchema = z.object({
  id: RestIdSchema,
  title: z.string(),
  variants: z.array(
    z.object({
      id: RestIdSchema,
      title: z.string().nullish(),
      sku: z.string().nullish(),
      barcode: z.string().nullish(),
      image_id: RestIdSchema.nullish(),
      // Read leniently: a shape Shopify changes loses only the stock sync's item, never the product.
      inventory_item_id: RestIdSchema.nullish().catch(null),
    }),
  ),
  images: z.array(z.object({ id: RestIdSchema, src: z.string(), position: z.number().nullish() })).nullish(),
  image: z.object({ src: z.string() }).nullish(),
});

export type ProductWebhook = z.infer<typeof ProductWebhookSchema>;

export function parseProductWebhook(payload: unknown) {
  return ProductWebhookSchema.safeParse(payload);
}

/**
 * What products/create and products/update check in the web process before
 * the product is queued for the worker, which parses it in full with
 * ProductWebhookSchema: the product's own fields by that schema, its variants
 * by hand by the same rules: zod over Shopify's 2,048 variants costs more
 * than parsing the body, on the event loop that also answers orders/paid.
 */
const ProductEnvelopeSchema = ProductWebhookSchema.extend({
  variants: z.array(z.unknown()),
  updated_at: z.unknown(),
});

export type ProductEnvelopeCheck =
  { ok: true; productId: string; updatedAt: Date | null } | { ok: false; issues: string[] };

export function checkProductWebhook(payload: unknown): ProductEnvelopeCheck {
  const envelope = ProductEnvelopeSchema.safeParse(payload);
  if (!envelope.success) {
    return { ok: false, issues: envelope.error.issues.map((issue) => issue.path.join(".")) };
  }
  const { variants, updated_at: updatedAtText } = envelope.data;
  for (let index = 0; index < variants.length; index++) {
    const field = variantIssue(variants[index]);
    if (field !== null) return { ok: false, issues: [`variants.${index}${field ? `.${field}` : ""}`] };
  }
  const updatedAt = typeof updatedAtText === "string" ? new Date(updatedAtText) : null;
  return {
    ok: true,
    productId: numericShopifyId(envelope.data.id),
    updatedAt: updatedAt && !Number.isNaN(updatedAt.getTime()) ? updatedAt : null,
  };
}

/** RestIdSchema's rule, without zod. */
const isRestId = (value: unknown) => canonicalShopifyId(value) !== null;
const isTextOrNothing = (value: unknown) =>
  value === undefined || value === null || typeof value === "string";

/** The field of one variant that breaks ProductWebhookSchema's rules ("" for the variant itself), or null. */
function variantIssue(variant: unknown): string | null {
  if (typeof variant !== "object" || variant === null || Array.isArray(variant)) return "";
  const fields = variant as Record<string, unknown>;
  if (!isRestId(fields.id)) return "id";
  for (const key of ["title", "sku", "barcode"] as const) if (!isTextOrNothing(fields[key])) return key;
  if (fields.image_id !== undefined && fields.image_id !== null && !isRestId(fields.image_id))
    return "image_id";
  return null;
}

const ProductDeleteWebhookSchema = z.object({ id: RestIdSchema });

export function parseProductDeleteWebhook(payload: unknown) {
  return ProductDeleteWebhookSchema.safeParse(payload);
}

// ---------------------------------------------------------------------------
// Applying them

/**
 * Shopify's product webhooks may carry only the first 100 variants of a
 * product; when a payload is that long we cannot tell a missing variant from
 * one left out, and leave it to the next full sync.
 */
const WEBHOOK_VARIANTS_MAYBE_TRUNCATED_AT = 100;

export interface ProductWebhookResult {
  upserted: number;
  deleted: number;
}

/** Variants per INSERT: 11 parameters each, far below either database's limit for one statement. */
const UPSERT_SLICE = 200;

/**
 * products/update, applied by the worker (app/catalog/product-update-queue.server.ts):
 * writes the product's variants as the webhook describes them, and marks
 * deleted those of the product it no longer lists, in one transaction, so a
 * reader sees the product as it was or as it is, never half of each.
 * `learntAt` is when the webhook came: a variant learnt of later (a full
 * sync's page read since) is left as it is. Applying the same webhook again
 * writes the same values.
 *
 * Direct SQL, a slice of variants per statement, yielding between slices:
 * 2,048 Prisma upserts held the worker's event loop for seconds.
 */
export async function applyProductWebhook(
  shop: string,
  product: ProductWebhook,
  learntAt: Date = new Date(),
): Promise<ProductWebhookResult> {
  const shopifyProductId = numericShopifyId(product.id);
  const images = [...(product.images ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const imageById = new Map(images.map((image) => [numericShopifyId(image.id), image.src]));
  const featured = product.image?.src ?? images[0]?.src ?? null;

  // By id, the last listing of a variant winning: one statement may not write a row twice (PostgreSQL).
  const byId = new Map<string, VariantFields & { inventoryItemId: string | null }>();
  for (const variant of product.variants) {
    const shopifyVariantId = numericShopifyId(variant.id);
    byId.set(shopifyVariantId, {
      shopifyVariantId,
      shopifyProductId,
      productTitle: product.title,
      variantTitle: variantTitleOf(variant.title),
      sku: blankToNull(variant.sku),
      barcode: blankToNull(variant.barcode),
      imageUrl:
        (variant.image_id !== null && variant.image_id !== undefined
          ? imageById.get(numericShopifyId(variant.image_id))
          : undefined) ?? featured,
      // Only the item: whether Shopify tracks it comes from the full sync, and
      // the stock sync reads it again before it sets anything.
      inventoryItemId:
        variant.inventory_item_id === null || variant.inventory_item_id === undefined
          ? null
          : `gid://shopify/InventoryItem/${variant.inventory_item_id}`,
    });
  }
  const variants = [...byId.values()];

  return sqlFor().transaction(async (tx) => {
    let upserted = 0;
    for (let from = 0; from < variants.length; from += UPSERT_SLICE) {
      const slice = variants.slice(from, from + UPSERT_SLICE);
      upserted += await tx.run(
        `INSERT INTO "ShopifyVariant" ("id", "shop", "shopifyVariantId", "shopifyProductId", "productTitle",
           "variantTitle", "sku", "barcode", "imageUrl", "inventoryItemId", "syncedAt")
         VALUES ${slice.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
         ON CONFLICT ("shop", "shopifyVariantId") DO UPDATE SET
           "shopifyProductId" = excluded."shopifyProductId", "productTitle" = excluded."productTitle",
           "variantTitle" = excluded."variantTitle", "sku" = excluded."sku", "barcode" = excluded."barcode",
           "imageUrl" = excluded."imageUrl", "deletedAt" = NULL, "syncedAt" = excluded."syncedAt",
           "inventoryItemId" = COALESCE(excluded."inventoryItemId", "ShopifyVariant"."inventoryItemId")
         WHERE "ShopifyVariant"."syncedAt" <= excluded."syncedAt"`,
        slice.flatMap((variant) => [
          newId(),
          shop,
          variant.shopifyVariantId,
          variant.shopifyProductId,
          variant.productTitle,
          variant.variantTitle,
          variant.sku,
          variant.barcode,
          variant.imageUrl,
          variant.inventoryItemId,
          learntAt,
        ]),
      );
      // The worker's other work (Brilliant's answers, its claims) gets a turn between slices.
      await new Promise((resolve) => setImmediate(resolve));
    }
    let deleted = 0;
    if (variants.length < WEBHOOK_VARIANTS_MAYBE_TRUNCATED_AT) {
      const listed = variants.map((variant) => variant.shopifyVariantId);
      deleted = await tx.run(
        `UPDATE "ShopifyVariant" SET "deletedAt" = ?, "syncedAt" = ?
         WHERE "shop" = ? AND "shopifyProductId" = ? AND "deletedAt" IS NULL AND "syncedAt" <= ?
           ${listed.length > 0 ? `AND "shopifyVariantId" NOT IN (${placeholders(listed.length)})` : ""}`,
        [learntAt, learntAt, shop, shopifyProductId, learntAt, ...listed],
      );
    }
    return { upserted, deleted };
  });
}

/**
 * products/delete: every variant of the product is marked deleted (kept, so
 * held orders can still name it), unless learnt of after `learntAt`.
 */
export async function markProductDeleted(
  shop: string,
  productId: string | number,
  learntAt: Date = new Date(),
): Promise<number> {
  const result = await prisma.shopifyVariant.updateMany({
    where: {
      shop,
      shopifyProductId: numericShopifyId(productId),
      deletedAt: null,
      syncedAt: { lte: learntAt },
    },
    data: { deletedAt: learntAt, syncedAt: learntAt },
  });
  return result.count;
}
