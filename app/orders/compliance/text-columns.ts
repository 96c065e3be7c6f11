import type { Prisma } from "@prisma/client";

/** A text (or JSON) column, and what customers/redact does with it. */
export type ColumnRule =
  /** The order as Shopify sent it, the source of the values scrubbed elsewhere: redacted by structure, last, and never while a worker is sending the order. */
  | { redact: "source" }
  /** Moved into Order.payload before anything is redacted (the inbox is settled first), and redacted there. */
  | { redact: "moved" }
  /** A JSON body: on the redacted orders' rows every value under a personal-data key is replaced; then scrubbed by value as "text". */
  | { redact: "body" }
  /** Free text: the customer's identifying values scrubbed from every row of the shop, all of their values (whole addresses) from their orders' rows. */
  | { redact: "text" }
  /** Replaced whole on the redacted orders' rows. */
  | { redact: "replace" }
  /** Holds no customer personal data: why. Deleted with the rest of the shop by shop/redact. */
  | { none: string };

/** How a row belongs to an order, so the rules for the redacted orders' own rows apply to it. */
export type Owner = "id" | "orderId" | "shopifyOrderId" | "alertOrders";

export interface TableRules {
  /**
   * How shop/redact deletes the table's rows: by `shop`, in batches of the
   * column that names a row within the shop (`shop` itself for one row per
   * shop); or with the rows it belongs to (foreign keys, on delete cascade).
   */
  shopRows: { key: string } | { cascadeFrom: string } | { noShop: string };
  ownedBy?: Owner;
  /** Every String and Json column of the model. A test compares this with the schema. */
  text: Record<string, ColumnRule>;
}

/** Scrubbed by value (see ColumnRule). */
const TEXT = { redact: "text" } as const;
const BODY = { redact: "body" } as const;

const ID = { none: "an id" } as const;
const SHOP = { none: "the shop's domain" } as const;
const STATE = { none: "a state, kind or code from a fixed list" } as const;
const CATALOG = {
  none: "catalog data (products and variants, Shopify's or Brilliant's): no customer",
} as const;
const ORDER_NAME = { none: "the order's name (#1001)" } as const;
const ALERT_CAUSE = { none: "the alert's cause, by kind and ids" } as const;
const STAFF_MEMBER = {
  none: "the staff member's own name or email, never a customer's: deleted by shop/redact",
} as const;

/** A table with its own `id` and `shop` columns, which shop/redact deletes a batch of ids at a time. */
function shopTable(text: Record<string, ColumnRule>, ownedBy?: Owner): TableRules {
  return { shopRows: { key: "id" }, ...(ownedBy && { ownedBy }), text: { id: ID, shop: SHOP, ...text } };
}

/**
 * Every text column of every model, and what redaction does with it.
 * tests/security/redaction.test.ts compares this with the schema (Prisma's
 * DMMF): a text column or a table added without a decision here fails it.
 */
export const TEXT_COLUMNS: Record<Prisma.ModelName, TableRules> = {
  Session: shopTable({
    state: { none: "OAuth state nonce" },
    scope: { none: "the access scopes granted" },
    accessToken: { none: "an access token (encrypted)" },
    refreshToken: { none: "a refresh token (encrypted)" },
    locale: { none: "the staff member's locale" },
    firstName: STAFF_MEMBER,
    lastName: STAFF_MEMBER,
    email: STAFF_MEMBER,
  }),
  ShopSettings: {
    shopRows: { key: "shop" },
    text: {
      shop: SHOP,
      brilliantApiKeyEnc: { none: "the shop's Brilliant key (encrypted)" },
      brilliantApiSecretEnc: { none: "the shop's Brilliant secret (encrypted)" },
      statusWebhookToken: { none: "a random token" },
      forwardingMode: STATE,
      holdTags: { none: "the merchant's order tags" },
      skipTags: { none: "the merchant's order tags" },
      ianaTimezone: { none: "the shop's time zone" },
      subdivisionFallback: STATE,
      stockSyncLocationId: ID,
      stockSyncLocationName: { none: "the name of one of the shop's own locations" },
    },
  },
  Order: shopTable(
    {
      shopifyOrderId: ID,
      name: ORDER_NAME,
      payload: { redact: "source" },
      firstWebhookId: ID,
      state: STATE,
      stateReason: TEXT,
      holdKind: STATE,
      lastMessage: TEXT,
      leaseOwner: { none: "a worker's id" },
      brilliantOrderId: ID,
      brilliantStatus: STATE,
      brilliantShipStatus: STATE,
      brilliantTracking: TEXT,
      fulfillmentSync: STATE,
      fulfillmentSyncError: TEXT,
      shopifyFulfillmentIds: ID,
      lineChanges: { none: "Shopify line ids and the Brilliant variant ids the merchant chose" },
    },
    "id",
  ),
  OrderInbox: {
    shopRows: { key: "shopifyOrderId" },
    text: {
      shop: SHOP,
      shopifyOrderId: ID,
      id: ID,
      name: ORDER_NAME,
      payload: { redact: "moved" },
      webhookId: ID,
    },
  },
  ForwardAttempt: shopTable(
    {
      orderId: ID,
      kind: STATE,
      requestBody: BODY,
      responseBody: BODY,
      message: TEXT,
      invalidRecords: { redact: "replace" },
      outcome: STATE,
      workerId: { none: "a worker's id" },
    },
    "orderId",
  ),
  OrderTransition: shopTable(
    { orderId: ID, fromState: STATE, toState: STATE, reason: TEXT, actor: STATE },
    "orderId",
  ),
  VariantMapping: shopTable({
    shopifyVariantId: ID,
    shopifyProductId: ID,
    sku: CATALOG,
    brilliantVariantId: ID,
    source: STATE,
  }),
  BrilliantVariant: shopTable({
    brilliantVariantId: ID,
    productId: ID,
    productName: CATALOG,
    size: CATALOG,
    color: CATALOG,
    flavor: CATALOG,
    imageUrl: CATALOG,
  }),
  Alert: shopTable(
    { kind: STATE, key: ALERT_CAUSE, openKey: ALERT_CAUSE, title: TEXT, detail: TEXT, status: STATE },
    "alertOrders",
  ),
  AlertOrder: {
    shopRows: { cascadeFrom: "Alert and Order" },
    text: { alertId: ID, orderId: ID },
  },
  ShopifyVariant: shopTable({
    shopifyVariantId: ID,
    shopifyProductId: ID,
    productTitle: CATALOG,
    variantTitle: CATALOG,
    sku: CATALOG,
    barcode: CATALOG,
    imageUrl: CATALOG,
    inventoryItemId: ID,
  }),
  ProductUpdateQueue: {
    shopRows: { key: "shopifyProductId" },
    text: {
      shop: SHOP,
      shopifyProductId: ID,
      kind: STATE,
      payload: { none: "a products/* webhook's body: a product and its variants, no customer" },
      webhookId: ID,
    },
  },
  SyncRun: shopTable({ kind: STATE, status: STATE, summary: TEXT }),
  // The filter may hold a searched name; the summary names orders and why they stayed.
  UnshippedVariant: shopTable({ shopifyVariantId: ID }),
  WorkerHeartbeat: {
    shopRows: { noShop: "the app's own worker processes: no shop's data" },
    text: { workerId: { none: "a worker's id" }, hostname: { none: "the machine the worker runs on" } },
  },
  BulkJob: shopTable({
    intent: STATE,
    filter: TEXT,
    filterLabel: TEXT,
    status: STATE,
    summary: TEXT,
    cursor: ID,
    leaseOwner: { none: "a worker's id" },
    error: TEXT,
  }),
  BrilliantStatusEvent: shopTable(
    {
      body: BODY,
      orderId: ID,
      outcome: STATE,
      bodyHash: {
        none: "SHA-256 of the body as received: reveals nothing of it, and stops a replay from storing the redacted text again",
      },
    },
    "orderId",
  ),
  FulfillmentHold: shopTable(
    {
      fulfillmentOrderId: ID,
      shopifyOrderId: ID,
      // The merchant's hold notes can name the customer.
      reason: TEXT,
      lookupError: TEXT,
    },
    "shopifyOrderId",
  ),
};

export const TABLES = Object.entries(TEXT_COLUMNS) as [Prisma.ModelName, TableRules][];
