import { z } from "zod/v4";

// The shapes of Brilliant's Storefront API V2 (docs/brilliant-api/contract.md).
// Lenient on purpose: extra fields pass through, optional-looking fields may be
// null or missing, so a harmless change on Brilliant's side never turns an
// accepted order into an "unknown" one.

/** Brilliant's ids are integers; a string id is tolerated. */
export const brilliantIdSchema = z.union([z.number().int(), z.string().min(1)]);
export type BrilliantId = z.infer<typeof brilliantIdSchema>;

const optionalText = z.string().nullish();
const flag = z
  .boolean()
  .nullish()
  .transform((value) => value === true);
/** A list that may be null or missing: an empty one then. */
const listOf = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((items) => items ?? []);

export const variantImagesSchema = z.looseObject({
  thumb: optionalText,
  medium: optionalText,
  large: optionalText,
  xlarge: optionalText,
});

export const variantSchema = z.looseObject({
  id: brilliantIdSchema,
  product_id: brilliantIdSchema.nullish(),
  /** Stock on hand; -1 = not tracked (never blocks an order). null = not reported. */
  inventory_count: z.number().int().nullish(),
  size: optionalText,
  color: optionalText,
  flavor: optionalText,
  images: variantImagesSchema.nullish(),
});
export type BrilliantVariant = z.infer<typeof variantSchema>;

export const productSchema = z.looseObject({
  id: brilliantIdSchema,
  name: z.string(),
  description: optionalText,
  inactive: flag,
  inventory_required: flag,
  variants: listOf(variantSchema),
});
export type BrilliantProduct = z.infer<typeof productSchema>;

export const storeSchema = z.looseObject({
  name: optionalText,
  inactive: flag,
  products: listOf(productSchema),
});
export type BrilliantStore = z.infer<typeof storeSchema>;

export const orderSummarySchema = z.looseObject({
  id: brilliantIdSchema,
  created_at: optionalText,
  updated_at: optionalText,
  status: optionalText,
  ship_status: optionalText,
  order_item_count: z.number().int().nullish(),
});
export type BrilliantOrderSummary = z.infer<typeof orderSummarySchema>;

export const paginationSchema = z.looseObject({
  page: z.number().int(),
  per_page: z.number().int(),
  total_pages: z.number().int(),
  total_orders: z.number().int(),
});
export type BrilliantPagination = z.infer<typeof paginationSchema>;

export const orderListSchema = z.looseObject({
  orders: z.array(orderSummarySchema),
  pagination: paginationSchema,
});
export type BrilliantOrderList = z.infer<typeof orderListSchema>;

export const shippingAddressSchema = z.looseObject({
  name: optionalText,
  company: optionalText,
  address_1: optionalText,
  address_2: optionalText,
  city: optionalText,
  state: optionalText,
  postal_code: optionalText,
  country: optionalText,
  phone: optionalText,
});

export const orderItemSchema = z.looseObject({
  variant_id: brilliantIdSchema,
  quantity: z.number().int(),
  /** Responses say `notes` where requests say `note`. */
  notes: optionalText,
});

const orderFields = {
  created_at: optionalText,
  updated_at: optionalText,
  status: optionalText,
  ship_status: optionalText,
  shipping_address: shippingAddressSchema.nullish(),
  order_items: z.array(orderItemSchema).nullish(),
  webhook_url: optionalText,
  custom_data: z.record(z.string(), z.unknown()).nullish(),
};

export const orderSchema = z.looseObject({ id: brilliantIdSchema, ...orderFields });
export type BrilliantOrder = z.infer<typeof orderSchema>;

/** The 1200 payload: the docs' example carries no id, so it may be missing. */
export const createdOrderSchema = z.looseObject({ id: brilliantIdSchema.nullish(), ...orderFields });
export type BrilliantCreatedOrder = z.infer<typeof createdOrderSchema>;

export const createSuccessBodySchema = z.looseObject({
  code: z.literal(1200),
  message: optionalText,
  payload: createdOrderSchema,
});

/** Anything carrying a numeric body code: the code is the outcome, whatever the HTTP status. */
export const codedBodySchema = z.looseObject({
  code: z.number().int(),
  message: z.unknown().optional(),
  invalid_records: z.unknown().optional(),
  body: z.unknown().optional(),
});

// What we send. Mirrors the contract's field names, so it goes on the wire as is.
export interface BrilliantShippingAddress {
  name?: string | null;
  company?: string | null;
  address_1: string;
  address_2?: string | null;
  city: string;
  /** Exactly 2 characters. */
  state: string;
  postal_code: string;
  /** 2 characters. */
  country: string;
  phone?: string | null;
}

export interface BrilliantOrderItemRequest {
  variant_id: number | string;
  quantity: number;
  note?: string | null;
}

/** Every order this app sends carries these, so an unknown outcome can be looked up. */
export interface BrilliantSyncCustomData {
  shopify_shop: string;
  shopify_order_id: string;
  shopify_order_name: string;
  [extra: string]: unknown;
}

export interface CreateOrderRequest {
  /** Non-empty; each variant_id at most once (merge quantities instead). */
  order_items: BrilliantOrderItemRequest[];
  shipping_address: BrilliantShippingAddress;
  /** If set, webhook_url is required. */
  custom_data?: BrilliantSyncCustomData | Record<string, unknown>;
  webhook_url?: string;
}
