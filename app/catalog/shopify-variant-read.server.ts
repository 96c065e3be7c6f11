import { z } from "zod/v4";

import type { AdminGraphql, AdminThrottling } from "../integrations/shopify-admin.server";
import {
  readPagesWithinBudget,
  throttledAdminQuery,
  UnexpectedShopifyAnswerError,
} from "../integrations/shopify-admin.server";
import type { Logger } from "../logger.server";
import { connectionSchema } from "../orders/admin-reads.server";
import { blankToNull, numericShopifyId, variantTitleOf, type VariantFields } from "./shopify-variants.server";
import type { VariantInventoryFields } from "./shopify-variant-write.server";

/** The shop's variants as the Admin GraphQL API lists them, read into the rows the app keeps. */

const PAGE_SIZE = 250;

// A variant has up to 20 barcodes (the single `barcode` is deprecated) and a
// product's featured image is its featured media's preview (`featuredImage` is
// deprecated); the app keeps the first barcode. See docs/shopify-api-2026-10.md.
const VARIANTS_PAGE_QUERY = `#graphql
  query ShopifyVariantsPage($first: Int!, $cursor: String) {
    productVariants(first: $first, after: $cursor) {
      nodes {
        id
        title
        sku
        barcodes(first: 1) {
          nodes {
            value
          }
        }
        image {
          url
        }
        inventoryItem {
          id
          tracked
        }
        product {
          id
          title
          featuredMedia {
            preview {
              image {
                url
              }
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const VARIANTS_COUNT_QUERY = `#graphql
  query ShopifyVariantsCount {
    productVariantsCount(limit: null) {
      count
      precision
    }
  }
`;

const ImageSchema = z.object({ url: z.string() }).nullish();

const VariantNodeSchema = z.object({
  id: z.string(),
  title: z.string().nullish(),
  sku: z.string().nullish(),
  barcodes: z.object({ nodes: z.array(z.object({ value: z.string() })) }).nullish(),
  image: ImageSchema,
  inventoryItem: z.object({ id: z.string(), tracked: z.boolean() }).nullish(),
  product: z.object({
    id: z.string(),
    title: z.string(),
    featuredMedia: z.object({ preview: z.object({ image: ImageSchema }).nullish() }).nullish(),
  }),
});

const VariantsPageSchema = z.object({ productVariants: connectionSchema(VariantNodeSchema) });

const VariantsCountSchema = z.object({
  productVariantsCount: z.object({ count: z.number().int(), precision: z.string() }).nullish(),
});

function fieldsFromNode(node: z.infer<typeof VariantNodeSchema>): VariantFields & VariantInventoryFields {
  return {
    shopifyVariantId: numericShopifyId(node.id),
    shopifyProductId: numericShopifyId(node.product.id),
    productTitle: node.product.title,
    variantTitle: variantTitleOf(node.title),
    sku: blankToNull(node.sku),
    barcode: blankToNull(node.barcodes?.nodes[0]?.value),
    imageUrl: node.image?.url ?? node.product.featuredMedia?.preview?.image?.url ?? null,
    // What the stock sync (stock-to-shopify.server.ts) sets, and whether Shopify counts it at all.
    inventoryItemId: node.inventoryItem?.id ?? null,
    inventoryTracked: node.inventoryItem?.tracked ?? null,
  };
}

/** Every page of the shop's variants, within its query budget, each with when it was asked for. */
export async function readVariantPages(
  graphql: AdminGraphql,
  throttling: AdminThrottling,
  pageSize: number | undefined,
  onPage: (variants: Array<VariantFields & VariantInventoryFields>, readAt: Date) => Promise<void>,
): Promise<void> {
  await readPagesWithinBudget({
    graphql,
    operation: VARIANTS_PAGE_QUERY,
    schema: VariantsPageSchema,
    throttling,
    pageSize: Math.min(PAGE_SIZE, pageSize ?? PAGE_SIZE),
    variables: (first, cursor) => ({ first, cursor }),
    pageInfo: (data) => data.productVariants.pageInfo,
    items: "variants",
    onPage: (data, readAt) => onPage(data.productVariants.nodes.map(fieldsFromNode), readAt),
  });
}

/** The exact number of variants, for progress; null when Shopify cannot say. */
export async function countVariants(
  graphql: AdminGraphql,
  throttling: AdminThrottling,
  log: Logger,
): Promise<number | null> {
  try {
    const answer = await throttledAdminQuery(
      graphql,
      VARIANTS_COUNT_QUERY,
      {},
      VariantsCountSchema,
      throttling,
      null,
    );
    const counted = answer.data.productVariantsCount;
    return counted && counted.precision === "EXACT" ? counted.count : null;
  } catch (error) {
    // Progress without a total is still progress; the pages decide.
    if (!(error instanceof UnexpectedShopifyAnswerError)) throw error;
    log.info({ reason: error.message }, "variant count unavailable; syncing without a total");
    return null;
  }
}
