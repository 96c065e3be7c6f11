import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import {
  checkDocument,
  checkVariables,
  selectData,
  selectOperation,
  type ShopifyGraphqlError,
} from "./admin-schema";
import {
  ORDER_OPERATIONS,
  ordersState,
  requestedOrderCost,
  type OrdersState,
  type StandInFulfillment,
  type StandInFulfillmentOrder,
  type StandInFulfillmentOrderStatus,
  type StandInOrder,
} from "./admin-graphql-orders";

export * from "./admin-graphql-orders";
import {
  INVENTORY_OPERATIONS,
  inventoryItemIdOf,
  inventoryItemNode,
  inventoryState,
  levelKey,
  requestedInventoryCost,
  type InventoryState,
  type StandInInventoryChange,
  type StandInLocation,
} from "./admin-graphql-inventory";
export * from "./admin-graphql-inventory";
export { ADMIN_API_VERSION, ADMIN_SCHEMA_PATH } from "./admin-schema";

import { TokenAuthority } from "./oauth-tokens";
export { TokenAuthority } from "./oauth-tokens";

/**
 * Shopify's Admin GraphQL API, as far as the app uses it: a real HTTP server
 * the app's real client (`admin.graphql`, `unauthenticated.admin(shop)`) talks
 * to once SHOPIFY_ADMIN_API_ORIGIN points at it. Used by tests, the demo and
 * the benchmark; never imported by app code.
 *
 * What it plays:
 * - `POST /admin/api/<version>/graphql.json`, with the shop named by the
 *   `X-Forwarded-Host` header the app's origin rewrite adds (the shop's own
 *   host when it is Shopify answering), and `X-Shopify-Access-Token` checked
 *   against the shop's offline token (401 as Shopify words it otherwise);
 * - the operations the app sends, matched by operation name: anything else is
 *   answered with a GraphQL error, so a new query in the app fails loudly
 *   until it is added here too;
 * - the 2026-10 schema as far as the app uses it (admin-schema-2026-10.graphql,
 *   admin-schema.ts): a document that does not parse or validate, or variables
 *   that do not fit it, are answered with the errors Shopify gives (HTTP 200,
 *   e.g. "Field 'x' doesn't exist on type 'Y'", `undefinedField`), before any
 *   cost is taken; an answer holds only the fields the document selects;
 * - Shopify's cost-based throttling: a leaky bucket per shop, the cost in
 *   `extensions.cost`, `THROTTLED` (HTTP 200) when the bucket cannot pay for a
 *   query, and `MAX_COST_EXCEEDED` when no bucket ever could.
 *
 * Cost model (ours; Shopify's counts each selected object and connection, so
 * it asks more): a `productVariants(first: N)` page requests 2 + N points and
 * costs 2 + the variants it returns; a count costs 1.
 * Orders, fulfillment orders and fulfillments: see `admin-graphql-orders.ts`;
 * locations, inventory levels and inventorySetQuantities:
 * `admin-graphql-inventory.ts`.
 */

export interface StandInVariant {
  /** Numeric id, as in gid://shopify/ProductVariant/<id>. */
  id: number;
  /** "Default Title" for a product without options, as Shopify names it. */
  title: string;
  sku: string | null;
  barcode: string | null;
  imageUrl?: string | null;
  /** Its inventory item's id; INVENTORY_ITEM_ID_OFFSET + `id` when left out (admin-graphql-inventory.ts). */
  inventoryItemId?: number;
  /** Whether Shopify tracks its inventory; true when left out. */
  tracked?: boolean;
}

export interface StandInProduct {
  /** Numeric id, as in gid://shopify/Product/<id>. */
  id: number;
  title: string;
  /** The featured image. */
  imageUrl?: string | null;
  variants: StandInVariant[];
}

export interface StandInShop {
  products: StandInProduct[];
  /** Orders (each with a fulfillment order at the shop's location) for the reconciliation and fulfillment operations. */
  orders?: StandInOrder[];
  /** The offline token the app must send; standInAccessToken(shop) when left out. */
  accessToken?: string;
  /** The shop's locations; one ("Shop location", where orders' fulfillment orders are) when left out. */
  locations?: StandInLocation[];
}

export interface BucketOptions {
  /** Points the bucket holds when full (Shopify: 1000 on standard plans, more on others). */
  maximumAvailable?: number;
  /** Points restored per second. */
  restoreRate?: number;
}

export interface AdminGraphqlStandInOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  shops: Record<string, StandInShop>;
  /** Every query costs this (requested and actual) instead of the cost model above. */
  costPerQuery?: number;
  bucket?: BucketOptions;
  /**
   * Who issues and checks access tokens (shopify-stand-in/oauth-tokens.ts);
   * its token endpoint is served here too. By default one for the app's
   * SHOPIFY_API_KEY and SHOPIFY_API_SECRET in this process's environment when
   * a request comes. Each shop's seeded token is a
   * non-expiring offline token in it.
   */
  tokens?: TokenAuthority;
}

export interface RecordedRequest {
  shop: string | null;
  operation: string | null;
  variables: Record<string, unknown>;
  /** HTTP status answered. */
  status: number;
  /** The GraphQL error code answered, if any (THROTTLED, MAX_COST_EXCEEDED, …). */
  errorCode: string | null;
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  /** Points left in the bucket after this request. */
  currentlyAvailable: number | null;
  at: number;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface AdminGraphqlStandIn {
  /** e.g. http://127.0.0.1:54321: the value for SHOPIFY_ADMIN_API_ORIGIN. */
  origin: string;
  close(): Promise<void>;
  /** Replaces a shop's catalog (adds the shop when new). */
  setProducts(shop: string, products: StandInProduct[]): void;
  /** The shop's `ianaTimezone` (DEFAULT_TIME_ZONE until set). */
  setTimeZone(shop: string, ianaTimezone: string): void;
  /** Replaces a shop's orders, with fresh open fulfillment orders and no fulfillments (adds the shop when new). */
  setOrders(shop: string, orders: StandInOrder[]): void;
  /** The shop's fulfillment orders as they stand now (live objects: tests may change a status, e.g. to ON_HOLD). */
  fulfillmentOrders(shop: string, shopifyOrderId?: number | string): StandInFulfillmentOrder[];
  setFulfillmentOrderStatus(
    shop: string,
    fulfillmentOrderId: number,
    status: StandInFulfillmentOrderStatus,
  ): void;
  /** Every fulfillment created through fulfillmentCreate, oldest first. */
  fulfillments(shop: string): StandInFulfillment[];
  /** Replaces the shop's locations (admin-graphql-inventory.ts). */
  setLocations(shop: string, locations: StandInLocation[]): void;
  /** Stocks an inventory item at a location with this `available` quantity (a sale or a restock in Shopify). */
  setAvailable(shop: string, inventoryItemId: number, locationId: number, available: number): void;
  /** The item's `available` at the location; null when it is not stocked there. */
  available(shop: string, inventoryItemId: number, locationId: number): number | null;
  /** Every quantity set through inventorySetQuantities, oldest first. */
  inventoryChanges(shop: string): StandInInventoryChange[];
  /** The next `times` requests for `operation` answer with HTTP `status` (a Shopify outage), then it serves again. */
  failNext(operation: string, options?: { status?: number; times?: number }): void;
  /** The next `times` requests for `operation` get no answer at all (held open until the client gives up or close()). */
  hangNext(operation: string, times?: number): void;
  /** Every request answered, oldest first. */
  requests: RecordedRequest[];
  /** The token endpoint's and the Admin API's view of access tokens. */
  tokens: TokenAuthority;
  /** Takes `points` (all by default) from a shop's bucket, as another caller of the same app would. */
  drain(shop: string, points?: number): void;
  /** Changes the bucket of every shop from now on (each bucket starts full again). */
  setBucket(bucket: BucketOptions): void;
  throttleStatus(shop: string): ThrottleStatus;
}

export const DEFAULT_BUCKET: Required<BucketOptions> = { maximumAvailable: 1000, restoreRate: 50 };

/** Every operation the stand-in plays, by name (the app's operations must all be here). */
export const STAND_IN_OPERATIONS: readonly string[] = [
  "ShopifyVariantsPage",
  "ShopifyVariantsCount",
  "ShopTimeZone",
  ...Object.keys(ORDER_OPERATIONS),
  ...Object.keys(INVENTORY_OPERATIONS),
];

/** The offline token the stand-in expects for a shop unless told otherwise. */
export function standInAccessToken(shop: string): string {
  return `shpat_stand_in_${shop.replace(/[^a-z0-9]/gi, "_")}`;
}

export function variantGid(id: number | string): string {
  return `gid://shopify/ProductVariant/${id}`;
}

export function productGid(id: number | string): string {
  return `gid://shopify/Product/${id}`;
}

export const FIRST_PRODUCT_ID = 8_000_000_001;
export const FIRST_VARIANT_ID = 45_000_000_001;

export interface GenerateProductsOptions {
  /** The SKU of the n-th variant (0-based, across the catalog) within product p; `SKU-<n>` by default. */
  skuFor?: (variantIndex: number, productIndex: number) => string | null;
  barcodeFor?: (variantIndex: number, productIndex: number) => string | null;
  firstProductId?: number;
  firstVariantId?: number;
  /** Product titles; "Product 00001" … by default (zero-padded so they sort by number). */
  titleFor?: (productIndex: number) => string;
}

/**
 * A catalog of `count` products with `variantsPerProduct` variants each.
 * Variant ids rise with the product, as Shopify's do; every third product has
 * per-variant images, the others only a featured image, and every tenth none.
 */
export function generateProducts(
  count: number,
  variantsPerProduct: number,
  options: GenerateProductsOptions = {},
): StandInProduct[] {
  const firstProductId = options.firstProductId ?? FIRST_PRODUCT_ID;
  const firstVariantId = options.firstVariantId ?? FIRST_VARIANT_ID;
  const width = String(count).length;
  const products: StandInProduct[] = [];
  let variantIndex = 0;
  for (let p = 0; p < count; p++) {
    const productId = firstProductId + p;
    const withoutImages = p % 10 === 9;
    const variants: StandInVariant[] = [];
    for (let v = 0; v < variantsPerProduct; v++) {
      const n = variantIndex++;
      variants.push({
        id: firstVariantId + n,
        title:
          variantsPerProduct === 1
            ? "Default Title"
            : `Size ${["S", "M", "L", "XL"][v % 4]}${v >= 4 ? ` ${v}` : ""}`,
        sku: options.skuFor ? options.skuFor(n, p) : `SKU-${n}`,
        barcode: options.barcodeFor ? options.barcodeFor(n, p) : null,
        imageUrl:
          !withoutImages && p % 3 === 0
            ? `https://cdn.shopify.test/variants/${firstVariantId + n}.jpg`
            : null,
      });
    }
    products.push({
      id: productId,
      title: options.titleFor ? options.titleFor(p) : `Product ${String(p + 1).padStart(width, "0")}`,
      imageUrl: withoutImages ? null : `https://cdn.shopify.test/products/${productId}.jpg`,
      variants,
    });
  }
  return products;
}

/**
 * A product as Shopify's REST webhooks (products/create, products/update)
 * carry it: numeric ids, `variants[].image_id` pointing into `images`.
 */
export function restProductPayload(product: StandInProduct): Record<string, unknown> {
  const images: Array<{
    id: number;
    product_id: number;
    src: string;
    position: number;
    variant_ids: number[];
  }> = [];
  let nextImageId = product.id * 10;
  if (product.imageUrl) {
    images.push({
      id: nextImageId++,
      product_id: product.id,
      src: product.imageUrl,
      position: 1,
      variant_ids: [],
    });
  }
  const variants = product.variants.map((variant, index) => {
    let imageId: number | null = null;
    if (variant.imageUrl) {
      imageId = nextImageId++;
      images.push({
        id: imageId,
        product_id: product.id,
        src: variant.imageUrl,
        position: images.length + 1,
        variant_ids: [variant.id],
      });
    }
    return {
      id: variant.id,
      product_id: product.id,
      title: variant.title,
      sku: variant.sku ?? "",
      barcode: variant.barcode,
      position: index + 1,
      price: "10.00",
      image_id: imageId,
      inventory_item_id: inventoryItemIdOf(variant),
      admin_graphql_api_id: variantGid(variant.id),
    };
  });
  return {
    id: product.id,
    title: product.title,
    handle: product.title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    status: "active",
    updated_at: new Date().toISOString(),
    admin_graphql_api_id: productGid(product.id),
    variants,
    images,
    image: images[0] ?? null,
  };
}

// ---------------------------------------------------------------------------

interface GraphqlError {
  message: string;
  extensions?: Record<string, unknown>;
}

interface Bucket {
  available: number;
  updatedAt: number;
}

interface OperationResult {
  data?: unknown;
  errors?: GraphqlError[];
  requestedQueryCost: number;
  actualQueryCost: number;
}

/** A shop's time zone until a test sets another: not UTC, so times shown in UTC by mistake stand out. */
export const DEFAULT_TIME_ZONE = "America/New_York";

const INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";
const PAGE_SIZE_LIMIT = 250;

export async function startAdminGraphqlStandIn(
  options: AdminGraphqlStandInOptions,
): Promise<AdminGraphqlStandIn> {
  const shops = new Map<
    string,
    { products: StandInProduct[]; accessToken: string; orders: OrdersState; inventory: InventoryState }
  >();
  const tokens =
    options.tokens ??
    new TokenAuthority({
      apiKey: () => process.env.SHOPIFY_API_KEY ?? "",
      apiSecret: () => process.env.SHOPIFY_API_SECRET ?? "",
      scope: process.env.SCOPES ?? "",
    });
  const setProducts = (shop: string, products: StandInProduct[]) => {
    const existing = shops.get(shop);
    shops.set(shop, {
      products: structuredClone(products),
      accessToken: existing?.accessToken ?? seedToken(shop, standInAccessToken(shop)),
      orders: existing?.orders ?? ordersState([]),
      inventory: existing?.inventory ?? inventoryState(),
    });
  };
  const setOrders = (shop: string, orders: StandInOrder[]) => {
    const existing = shops.get(shop);
    shops.set(shop, {
      products: existing?.products ?? [],
      accessToken: existing?.accessToken ?? seedToken(shop, standInAccessToken(shop)),
      orders: ordersState(orders),
      inventory: existing?.inventory ?? inventoryState(),
    });
  };
  const ordersOf = (shop: string): OrdersState => {
    const seeded = shops.get(shop);
    if (!seeded) throw new Error(`The Admin GraphQL stand-in has no shop ${shop}`);
    return seeded.orders;
  };
  const inventoryOf = (shop: string): InventoryState => {
    const seeded = shops.get(shop);
    if (!seeded) throw new Error(`The Admin GraphQL stand-in has no shop ${shop}`);
    return seeded.inventory;
  };
  const failures = new Map<string, { status: number; times: number }>();
  const timeZones = new Map<string, string>();
  const hangs = new Map<string, number>();
  for (const [shop, seed] of Object.entries(options.shops)) {
    shops.set(shop, {
      products: structuredClone(seed.products),
      accessToken: seedToken(shop, seed.accessToken ?? standInAccessToken(shop)),
      orders: ordersState(seed.orders ?? []),
      inventory: inventoryState(seed.locations),
    });
  }

  let bucketOptions: Required<BucketOptions> = { ...DEFAULT_BUCKET, ...options.bucket };
  const buckets = new Map<string, Bucket>();
  const requests: RecordedRequest[] = [];

  /** Refills the shop's bucket for the time gone by and returns it. */
  const bucketOf = (shop: string): Bucket => {
    const now = Date.now();
    const bucket = buckets.get(shop) ?? { available: bucketOptions.maximumAvailable, updatedAt: now };
    const restored = ((now - bucket.updatedAt) / 1000) * bucketOptions.restoreRate;
    bucket.available = Math.min(bucketOptions.maximumAvailable, bucket.available + restored);
    bucket.updatedAt = now;
    buckets.set(shop, bucket);
    return bucket;
  };
  const throttleStatus = (shop: string): ThrottleStatus => ({
    maximumAvailable: bucketOptions.maximumAvailable,
    currentlyAvailable: Math.floor(bucketOf(shop).available),
    restoreRate: bucketOptions.restoreRate,
  });

  /** Registers a shop's seeded token as its non-expiring offline token. */
  function seedToken(shop: string, token: string): string {
    tokens.addNonExpiringToken(shop, token);
    return token;
  }

  /** `POST /admin/oauth/access_token` on the shop's domain (JSON, as @shopify/shopify-api sends it). */
  async function answerTokenRequest(
    request: IncomingMessage,
    raw: string,
    response: ServerResponse,
  ): Promise<void> {
    const shop = shopOf(request);
    if (!shop || !shops.has(shop)) {
      sendJson(response, 404, { errors: "Not Found" });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      sendJson(response, 400, { error: "invalid_request", error_description: "The body is not JSON" });
      return;
    }
    const answer = await tokens.handle(
      shop,
      body && typeof body === "object" ? (body as Record<string, unknown>) : {},
    );
    sendJson(response, answer.status, answer.body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      sendJson(response, 500, { errors: [{ message: `stand-in failure: ${String(error)}` }] });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://stand-in");
    const record: RecordedRequest = {
      shop: null,
      operation: null,
      variables: {},
      status: 0,
      errorCode: null,
      requestedQueryCost: null,
      actualQueryCost: null,
      currentlyAvailable: null,
      at: Date.now(),
    };
    const answer = (status: number, body: unknown) => {
      record.status = status;
      requests.push(record);
      sendJson(response, status, body);
    };
    /** A document or variables Shopify would refuse: its GraphQL errors, HTTP 200, nothing charged. */
    const answerInvalid = (errors: ShopifyGraphqlError[]) => {
      const code = errors[0]?.extensions?.code;
      record.errorCode = typeof code === "string" ? code : "INVALID_DOCUMENT";
      answer(200, { errors });
    };

    const raw = await readBody(request);
    if (request.method === "POST" && url.pathname === "/admin/oauth/access_token") {
      await answerTokenRequest(request, raw, response);
      return;
    }
    if (request.method !== "POST" || !/^\/admin\/api\/[^/]+\/graphql\.json$/.test(url.pathname)) {
      answer(404, { errors: "Not Found" });
      return;
    }
    const shop = shopOf(request);
    record.shop = shop;
    const seeded = shop ? shops.get(shop) : undefined;
    if (!shop || !seeded) {
      // Shopify has no such shop: its domain answers 404.
      answer(404, { errors: "Not Found" });
      return;
    }
    const token = request.headers["x-shopify-access-token"];
    if (tokens.check(shop, typeof token === "string" ? token : undefined) !== "valid") {
      answer(401, { errors: INVALID_TOKEN });
      return;
    }

    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      answer(400, { errors: { query: "Required parameter missing or invalid" } });
      return;
    }
    if (typeof body.query !== "string" || body.query.trim() === "") {
      answer(400, { errors: { query: "Required parameter missing or invalid" } });
      return;
    }
    const variables =
      body.variables && typeof body.variables === "object" ? (body.variables as Record<string, unknown>) : {};
    // Parsed and checked against the 2026-10 schema once per document text.
    const checked = checkDocument(body.query);
    const definition = checked.document
      ? selectOperation(checked.document, typeof body.operationName === "string" ? body.operationName : null)
      : null;
    const operation = definition?.name?.value ?? null;
    record.operation = operation;
    record.variables = variables;
    if (!checked.document) {
      answerInvalid(checked.ok ? [] : checked.errors);
      return;
    }

    const hang = operation ? (hangs.get(operation) ?? 0) : 0;
    if (hang > 0) {
      hangs.set(operation!, hang - 1);
      return;
    }
    const failure = operation ? failures.get(operation) : undefined;
    if (failure && failure.times > 0) {
      failure.times -= 1;
      answer(failure.status, { errors: "Internal Server Error" });
      return;
    }

    const requested = requestedCost(operation, body.query, variables);
    if (requested === null) {
      record.errorCode = "UNKNOWN_OPERATION";
      answer(200, {
        errors: [
          {
            message:
              `The Admin GraphQL stand-in does not implement ${operation ? `operation ${operation}` : "anonymous operations"}. ` +
              "Add it to shopify-stand-in/admin-graphql.ts.",
            extensions: { code: "UNKNOWN_OPERATION" },
          },
        ],
      });
      return;
    }
    // As Shopify: an invalid document, or variables that do not fit it, cost nothing.
    const invalid = checked.ok ? checkVariables(definition!, variables) : checked.errors;
    if (invalid.length > 0) {
      answerInvalid(invalid);
      return;
    }
    record.requestedQueryCost = requested;

    if (requested > bucketOptions.maximumAvailable) {
      record.errorCode = "MAX_COST_EXCEEDED";
      answer(200, {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${bucketOptions.maximumAvailable}).`,
            extensions: {
              code: "MAX_COST_EXCEEDED",
              cost: requested,
              maxCost: bucketOptions.maximumAvailable,
            },
          },
        ],
        extensions: { cost: costExtension(shop, requested, null) },
      });
      return;
    }
    const bucket = bucketOf(shop);
    if (bucket.available < requested) {
      record.errorCode = "THROTTLED";
      record.currentlyAvailable = Math.floor(bucket.available);
      answer(200, {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
        extensions: { cost: costExtension(shop, requested, null) },
      });
      return;
    }

    const result = run(operation!, body.query, variables, seeded, requested, shop);
    bucket.available -= result.actualQueryCost;
    record.actualQueryCost = result.actualQueryCost;
    record.currentlyAvailable = Math.floor(bucket.available);
    const code = result.errors?.[0]?.extensions?.code;
    record.errorCode = typeof code === "string" ? code : null;
    // Only what the document selects, under its aliases, as a GraphQL server answers.
    const data =
      result.data === undefined
        ? undefined
        : selectData(result.data, checked.document, definition!, variables);
    answer(200, {
      ...(data === undefined ? {} : { data }),
      ...(result.errors ? { errors: result.errors } : {}),
      extensions: { cost: costExtension(shop, result.requestedQueryCost, result.actualQueryCost) },
    });
  }

  function costExtension(shop: string, requested: number, actual: number | null) {
    return { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus(shop) };
  }

  /** The cost the bucket must hold before the query runs, or null for an operation we do not play. */
  function requestedCost(
    operation: string | null,
    query: string,
    variables: Record<string, unknown>,
  ): number | null {
    if (operation === null) return null;
    if (operation in INVENTORY_OPERATIONS)
      return options.costPerQuery ?? requestedInventoryCost(operation, query, variables);
    if (operation in ORDER_OPERATIONS)
      return options.costPerQuery ?? requestedOrderCost(operation, query, variables);
    if (operation === "ShopTimeZone") return 1;
    if (!(operation in OPERATIONS)) return null;
    if (options.costPerQuery !== undefined) return options.costPerQuery;
    if (operation === "ShopifyVariantsPage") return 2 + pageSize(query, variables);
    return 1;
  }

  const OPERATIONS: Record<
    string,
    (query: string, variables: Record<string, unknown>, products: StandInProduct[]) => OperationResult
  > = {
    ShopifyVariantsPage: (query, variables, products) => {
      const first = pageSize(query, variables);
      const after =
        typeof variables.cursor === "string" ? variables.cursor : (variables.after as string | undefined);
      const afterId = after ? decodeCursor(after) : 0;
      if (afterId === null) {
        return {
          errors: [
            { message: `Invalid cursor for current pagination sort.`, extensions: { code: "BAD_REQUEST" } },
          ],
          requestedQueryCost: 2 + first,
          actualQueryCost: 1,
        };
      }
      // Shopify lists variants by id when no sort key is given; paging by the
      // last id seen keeps the pages right when the catalog changes meanwhile.
      const all = products
        .flatMap((product) => product.variants.map((variant) => ({ product, variant })))
        .filter(({ variant }) => variant.id > afterId)
        .sort((a, b) => a.variant.id - b.variant.id);
      const page = all.slice(0, first);
      const nodes = page.map(({ product, variant }) => variantNode(product, variant));
      const last = page.at(-1);
      const requested = 2 + first;
      const actual = 2 + nodes.length;
      return {
        data: {
          productVariants: {
            edges: nodes.map((node) => ({ cursor: encodeCursor(Number(node.id.split("/").pop())), node })),
            nodes,
            pageInfo: {
              hasNextPage: all.length > page.length,
              hasPreviousPage: afterId > 0,
              startCursor: page[0] ? encodeCursor(page[0].variant.id) : null,
              endCursor: last ? encodeCursor(last.variant.id) : null,
            },
          },
        },
        requestedQueryCost: options.costPerQuery ?? requested,
        actualQueryCost: options.costPerQuery ?? actual,
      };
    },
    ShopifyVariantsCount: (_query, _variables, products) => {
      const count = products.reduce((sum, product) => sum + product.variants.length, 0);
      return {
        data: { productVariantsCount: { count, precision: "EXACT" } },
        requestedQueryCost: options.costPerQuery ?? 1,
        actualQueryCost: options.costPerQuery ?? 1,
      };
    },
  };

  function run(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    shop: { products: StandInProduct[]; orders: OrdersState; inventory: InventoryState },
    requested: number,
    shopDomain: string,
  ): OperationResult {
    if (operation === "ShopTimeZone") {
      const ianaTimezone = timeZones.get(shopDomain) ?? DEFAULT_TIME_ZONE;
      return { data: { shop: { ianaTimezone } }, requestedQueryCost: 1, actualQueryCost: 1 };
    }
    const inventoryOperation = INVENTORY_OPERATIONS[operation];
    if (inventoryOperation) {
      const variants = shop.products.flatMap((product) => product.variants);
      const result = inventoryOperation(query, variables, shop.inventory, variants, requested);
      return options.costPerQuery === undefined
        ? result
        : { ...result, requestedQueryCost: options.costPerQuery, actualQueryCost: options.costPerQuery };
    }
    const orderOperation = ORDER_OPERATIONS[operation];
    if (orderOperation) {
      const result = orderOperation(query, variables, shop.orders, requested);
      return options.costPerQuery === undefined
        ? result
        : { ...result, requestedQueryCost: options.costPerQuery, actualQueryCost: options.costPerQuery };
    }
    return OPERATIONS[operation]!(query, variables, shop.products);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    origin: `http://${host}:${address.port}`,
    requests,
    tokens,
    setProducts,
    setTimeZone: (shop, ianaTimezone) => void timeZones.set(shop, ianaTimezone),
    setOrders,
    fulfillmentOrders: (shop, shopifyOrderId) =>
      ordersOf(shop).fulfillmentOrders.filter(
        (fo) => shopifyOrderId === undefined || String(fo.orderId) === String(shopifyOrderId),
      ),
    setFulfillmentOrderStatus(shop, fulfillmentOrderId, status) {
      const fo = ordersOf(shop).fulfillmentOrders.find((candidate) => candidate.id === fulfillmentOrderId);
      if (!fo) throw new Error(`No fulfillment order ${fulfillmentOrderId} in ${shop}`);
      fo.status = status;
    },
    fulfillments: (shop) => ordersOf(shop).fulfillments,
    setLocations(shop, locations) {
      inventoryOf(shop).locations = structuredClone(locations);
    },
    setAvailable(shop, inventoryItemId, locationId, available) {
      inventoryOf(shop).available.set(levelKey(inventoryItemId, locationId), available);
    },
    available: (shop, inventoryItemId, locationId) =>
      inventoryOf(shop).available.get(levelKey(inventoryItemId, locationId)) ?? null,
    inventoryChanges: (shop) => inventoryOf(shop).changes,
    failNext(operation, failure = {}) {
      failures.set(operation, { status: failure.status ?? 500, times: failure.times ?? 1 });
    },
    hangNext(operation, times = 1) {
      hangs.set(operation, times);
    },
    throttleStatus,
    drain(shop, points) {
      const bucket = bucketOf(shop);
      bucket.available = points === undefined ? 0 : Math.max(0, bucket.available - points);
    },
    setBucket(bucket) {
      bucketOptions = { ...bucketOptions, ...bucket };
      buckets.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * A variant as 2026-10 answers it (trimmed later to what the query selects):
 * `barcodes` (the first is what the deprecated `barcode` returns) and the
 * product's `featuredMedia` (its preview image is what the deprecated
 * `featuredImage` returns). The stand-in's variants have at most one barcode.
 */
function variantNode(product: StandInProduct, variant: StandInVariant) {
  const barcodes = variant.barcode ? [{ value: variant.barcode, type: null }] : [];
  const featured = product.imageUrl ? { url: product.imageUrl } : null;
  return {
    id: variantGid(variant.id),
    legacyResourceId: String(variant.id),
    title: variant.title,
    displayName: `${product.title} - ${variant.title}`,
    sku: variant.sku ?? "",
    barcode: variant.barcode,
    barcodes: {
      nodes: barcodes,
      edges: barcodes.map((node, index) => ({ cursor: encodeCursor(index + 1), node })),
      pageInfo: {
        hasNextPage: false,
        hasPreviousPage: false,
        startCursor: barcodes.length > 0 ? encodeCursor(1) : null,
        endCursor: barcodes.length > 0 ? encodeCursor(barcodes.length) : null,
      },
    },
    image: variant.imageUrl ? { url: variant.imageUrl } : null,
    inventoryItem: inventoryItemNode(variant),
    product: {
      id: productGid(product.id),
      legacyResourceId: String(product.id),
      title: product.title,
      handle: product.title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
      featuredImage: featured,
      featuredMedia: featured
        ? {
            __typename: "MediaImage",
            id: `gid://shopify/MediaImage/${product.id}`,
            alt: null,
            mediaContentType: "IMAGE",
            status: "READY",
            image: featured,
            preview: { image: featured, status: "READY" },
          }
        : null,
    },
  };
}

/** `first` from the variables, or written into the query; Shopify refuses more than 250. */
function pageSize(query: string, variables: Record<string, unknown>): number {
  const fromVariables = variables.first;
  const fromQuery = /productVariants\s*\(\s*[^)]*\bfirst\s*:\s*(\d+)/.exec(query)?.[1];
  const first =
    typeof fromVariables === "number" ? fromVariables : fromQuery ? Number(fromQuery) : PAGE_SIZE_LIMIT;
  return Math.max(0, Math.min(PAGE_SIZE_LIMIT, first));
}

/** The shop a request is for: the host the app meant to reach. */
function shopOf(request: IncomingMessage): string | null {
  const forwarded = request.headers["x-forwarded-host"];
  const value = (Array.isArray(forwarded) ? forwarded[0] : forwarded) ?? request.headers.host ?? null;
  return value ? value.split(",")[0]!.trim().toLowerCase() : null;
}

function encodeCursor(variantId: number): string {
  return Buffer.from(JSON.stringify({ last_id: variantId }), "utf8").toString("base64");
}

function decodeCursor(cursor: string): number | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: unknown };
    return typeof parsed.last_id === "number" ? parsed.last_id : null;
  } catch {
    return null;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}
