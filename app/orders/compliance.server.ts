import type { Prisma } from "@prisma/client";

import prisma from "../db.server";
import { placeholders, sqlFor, truncateWal, type Row, type SqlRunner, type SqlValue } from "../db/sql.server";
import { logger } from "../logger.server";
import { forgetSessionsOf } from "../integrations/shopify-session-storage.server";

/**
 * What Shopify's compliance webhooks ask of the app.
 *
 * customers/redact rewrites the customer's personal data wherever the app
 * stored it: by structure where it stored a body (the order as Shopify sent
 * it, what was sent to Brilliant and what came back, Brilliant's status
 * calls), and by value where it arrived as free text (a message of
 * Brilliant's quoting the address lands in the attempt, the order's last
 * message and reason, its transitions and alerts). Order ids, states and
 * codes stay, so the merchant's sync history still adds up. It never writes
 * an order's state: a column it rewrites is written only while it still holds
 * the text it read (compare-and-set), so a worker's newer reason is scrubbed
 * in turn, never replaced by an older one.
 *
 * shop/redact deletes every row of the shop. Both then checkpoint SQLite's
 * write-ahead log, and SQLite runs with secure_delete, so the old text is
 * overwritten on disk too (docs/architecture.md, "Compliance webhooks and redaction").
 */
const REDACTED = "[redacted]";

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
type Owner = "id" | "orderId" | "shopifyOrderId" | "alertOrders";

export interface TableRules {
  /**
   * How shop/redact deletes the table's rows: by `shop`, in batches of the
   * column that names a row within the shop (`shop` itself for one row per
   * shop); or with the rows it belongs to (foreign keys, on delete cascade).
   */
  shopRows: { key: string } | { cascadeFrom: string };
  ownedBy?: Owner;
  /** Every String and Json column of the model. A test compares this with the schema. */
  text: Record<string, ColumnRule>;
}

const ID = { none: "an id" } as const;
const SHOP = { none: "the shop's domain" } as const;
const STATE = { none: "a state, kind or code from a fixed list" } as const;
const CATALOG = {
  none: "catalog data (products and variants, Shopify's or Brilliant's): no customer",
} as const;

/**
 * Every text column of every model, and what redaction does with it. The
 * test in tests/security/redaction.test.ts compares this with the schema
 * (Prisma's DMMF): a text column or a table added without a decision here
 * fails it.
 */
export const TEXT_COLUMNS: Record<Prisma.ModelName, TableRules> = {
  Session: {
    shopRows: { key: "id" },
    text: {
      id: ID,
      shop: SHOP,
      state: { none: "OAuth state nonce" },
      scope: { none: "the access scopes granted" },
      accessToken: { none: "an access token (encrypted)" },
      refreshToken: { none: "a refresh token (encrypted)" },
      locale: { none: "the staff member's locale" },
      firstName: { none: "the staff member's own name, never a customer's: deleted by shop/redact" },
      lastName: { none: "the staff member's own name, never a customer's: deleted by shop/redact" },
      email: { none: "the staff member's own email, never a customer's: deleted by shop/redact" },
    },
  },
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
    },
  },
  Order: {
    shopRows: { key: "id" },
    ownedBy: "id",
    text: {
      id: ID,
      shop: SHOP,
      shopifyOrderId: ID,
      name: { none: "the order's name (#1001)" },
      payload: { redact: "source" },
      firstWebhookId: ID,
      state: STATE,
      stateReason: { redact: "text" },
      holdKind: STATE,
      lastMessage: { redact: "text" },
      leaseOwner: { none: "a worker's id" },
      brilliantOrderId: ID,
      brilliantStatus: STATE,
      brilliantShipStatus: STATE,
      brilliantTracking: { redact: "text" },
      fulfillmentSync: STATE,
      fulfillmentSyncError: { redact: "text" },
      shopifyFulfillmentIds: ID,
    },
  },
  OrderInbox: {
    shopRows: { key: "shopifyOrderId" },
    text: {
      shop: SHOP,
      shopifyOrderId: ID,
      id: ID,
      name: { none: "the order's name (#1001)" },
      payload: { redact: "moved" },
      webhookId: ID,
    },
  },
  ForwardAttempt: {
    shopRows: { key: "id" },
    ownedBy: "orderId",
    text: {
      id: ID,
      orderId: ID,
      shop: SHOP,
      kind: STATE,
      requestBody: { redact: "body" },
      responseBody: { redact: "body" },
      message: { redact: "text" },
      invalidRecords: { redact: "replace" },
      outcome: STATE,
      workerId: { none: "a worker's id" },
    },
  },
  OrderTransition: {
    shopRows: { key: "id" },
    ownedBy: "orderId",
    text: {
      id: ID,
      orderId: ID,
      shop: SHOP,
      fromState: STATE,
      toState: STATE,
      reason: { redact: "text" },
      actor: STATE,
    },
  },
  VariantMapping: {
    shopRows: { key: "id" },
    text: {
      id: ID,
      shop: SHOP,
      shopifyVariantId: ID,
      shopifyProductId: ID,
      sku: CATALOG,
      brilliantVariantId: ID,
      source: STATE,
    },
  },
  BrilliantVariant: {
    shopRows: { key: "id" },
    text: {
      id: ID,
      shop: SHOP,
      brilliantVariantId: ID,
      productId: ID,
      productName: CATALOG,
      size: CATALOG,
      color: CATALOG,
      flavor: CATALOG,
      imageUrl: CATALOG,
    },
  },
  Alert: {
    shopRows: { key: "id" },
    ownedBy: "alertOrders",
    text: {
      id: ID,
      shop: SHOP,
      kind: STATE,
      key: { none: "the alert's cause, by kind and ids" },
      openKey: { none: "the alert's cause, by kind and ids" },
      title: { redact: "text" },
      detail: { redact: "text" },
      status: STATE,
    },
  },
  AlertOrder: {
    shopRows: { cascadeFrom: "Alert and Order" },
    text: { alertId: ID, orderId: ID },
  },
  ShopifyVariant: {
    shopRows: { key: "id" },
    text: {
      id: ID,
      shop: SHOP,
      shopifyVariantId: ID,
      shopifyProductId: ID,
      productTitle: CATALOG,
      variantTitle: CATALOG,
      sku: CATALOG,
      barcode: CATALOG,
      imageUrl: CATALOG,
    },
  },
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
  SyncRun: {
    shopRows: { key: "id" },
    text: {
      id: ID,
      shop: SHOP,
      kind: STATE,
      status: STATE,
      summary: { redact: "text" },
    },
  },
  BrilliantStatusEvent: {
    shopRows: { key: "id" },
    ownedBy: "orderId",
    text: {
      id: ID,
      shop: SHOP,
      body: { redact: "body" },
      orderId: ID,
      outcome: STATE,
      bodyHash: {
        none: "SHA-256 of the body as received: reveals nothing of it, and stops a replay from storing the redacted text again",
      },
    },
  },
  FulfillmentHold: {
    shopRows: { key: "id" },
    ownedBy: "shopifyOrderId",
    text: {
      id: ID,
      shop: SHOP,
      fulfillmentOrderId: ID,
      shopifyOrderId: ID,
      // The merchant's hold notes can name the customer.
      reason: { redact: "text" },
      lookupError: { redact: "text" },
    },
  },
};

/** Rows (or ids) a statement names at once: far below any database's or Prisma's limit on bound parameters. */
const BATCH = 500;

function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

// ---------------------------------------------------------------- what is personal

const PII_KEYS = new Set([
  "customer",
  "email",
  "contact_email",
  "phone",
  "shipping_address",
  "billing_address",
  "note",
  "note_attributes",
  "client_details",
  "browser_ip",
  "name_on_card",
  "invalid_records",
]);

/** Replaces every value under a personal-data key, at any depth. */
export function redactPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPersonalData);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        PII_KEYS.has(key) && inner !== null ? REDACTED : redactPersonalData(inner),
      ]),
    );
  }
  return value;
}

function redactJsonText(text: string): string {
  try {
    return JSON.stringify(redactPersonalData(JSON.parse(text)));
  } catch {
    // Not JSON (an HTML error page, say): it cannot be scrubbed field by field.
    return REDACTED;
  }
}

/**
 * Keys whose string values name the customer wherever they appear (an error
 * message quoting the address, Brilliant echoing the order): these are
 * scrubbed by value from every row of the shop. The rest of an address (city,
 * zip) is shared by many customers and only scrubbed from the redacted
 * orders' own rows.
 */
const IDENTIFYING_KEYS = new Set([
  "email",
  "contact_email",
  "phone",
  "name",
  "first_name",
  "last_name",
  "address1",
  "address2",
  "address_1",
  "address_2",
  "note",
  "browser_ip",
  "name_on_card",
]);
const REGION_KEYS = new Set([
  "province",
  "province_code",
  "country",
  "country_code",
  "country_name",
  "state",
]);
/** Shorter values ("TX", "1") would scrub unrelated text. */
const MIN_SCRUBBED_LENGTH = 4;

interface PersonalValues {
  /** Values that identify the customer (or a recipient of their orders): scrubbed anywhere in the shop. */
  identifying: Set<string>;
  /** Also the rest of their addresses: scrubbed from their own orders' rows. */
  all: Set<string>;
}

/** The customer's string values found under personal-data keys of a stored order body. */
function collectPersonalValues(value: unknown, into: PersonalValues, underPii = false, key = ""): void {
  if (typeof value === "string") {
    const text = value.trim();
    // The mark itself (a body redacted by an earlier delivery) names nobody.
    if (!underPii || text.length < MIN_SCRUBBED_LENGTH || REGION_KEYS.has(key) || text === REDACTED) return;
    into.all.add(text);
    if (IDENTIFYING_KEYS.has(key)) into.identifying.add(text);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectPersonalValues(item, into, underPii, key);
    return;
  }
  if (value && typeof value === "object") {
    for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
      collectPersonalValues(innerValue, into, underPii || PII_KEYS.has(inner), inner);
    }
  }
}

function collectFromPayload(payload: string, into: PersonalValues): void {
  try {
    collectPersonalValues(JSON.parse(payload), into);
  } catch {
    // An unreadable payload is replaced whole; it quoted nothing we can find by value.
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Finds and replaces a set of values in any case, also as a JSON string
 * holds them (escaped, and with non-ASCII as \u escapes), in one pass: a
 * shop's every row is tested against it, whatever the number of values.
 */
class Scrubber {
  private readonly pattern: RegExp | null;

  constructor(values: Iterable<string>) {
    const forms = new Set<string>();
    for (const value of values) {
      const escaped = JSON.stringify(value).slice(1, -1);
      forms.add(value);
      forms.add(escaped);
      forms.add(
        escaped.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
      );
    }
    // Longest first: a whole name goes before the first name it starts with.
    const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.pattern = alternatives.length === 0 ? null : new RegExp(alternatives.join("|"), "gi");
  }

  scrub(text: string): string {
    if (!this.pattern) return text;
    this.pattern.lastIndex = 0;
    return text.replace(this.pattern, REDACTED);
  }
}

// ---------------------------------------------------------------- customers/redact

/**
 * Thrown when a redaction did all it could but must be finished by
 * Shopify's next delivery of the webhook (answered 503): an order was being
 * sent to Brilliant (the worker holds its body and will record what it
 * sent), or SQLite's write-ahead log could not be emptied yet. Every step is
 * idempotent and what finishing needs is kept: the order's own body stays
 * until nothing can be written from it any more.
 */
export class RedactionUnfinished extends Error {
  override name = "RedactionUnfinished";
}

interface Redaction {
  shop: string;
  values: PersonalValues;
  identifying: Scrubber;
  all: Scrubber;
  orderIds: Set<string>;
  shopifyOrderIds: Set<string>;
  alertIds: Set<string>;
  /** Rows left unwritten because they kept changing under the compare-and-set. */
  unwritten: number;
}

const SCRUBBED = new Set(["body", "text", "replace"]);
const TABLES = Object.entries(TEXT_COLUMNS) as [Prisma.ModelName, TableRules][];

function scrubbedColumns(rules: TableRules): string[] {
  return Object.entries(rules.text)
    .filter(([, rule]) => "redact" in rule && SCRUBBED.has(rule.redact))
    .map(([column]) => column);
}

function ownerColumn(rules: TableRules): string | null {
  return rules.ownedBy && rules.ownedBy !== "alertOrders" ? rules.ownedBy : null;
}

function isOwned(rules: TableRules, row: Row, redaction: Redaction): boolean {
  switch (rules.ownedBy) {
    case "id":
    case "orderId":
      return redaction.orderIds.has(String(row[rules.ownedBy]));
    case "shopifyOrderId":
      return redaction.shopifyOrderIds.has(String(row.shopifyOrderId));
    case "alertOrders":
      return redaction.alertIds.has(String(row.id));
    default:
      return false;
  }
}

interface ColumnChange {
  column: string;
  from: string;
  to: string;
}

/** What `row`'s scrubbed columns become. */
function changesOf(rules: TableRules, columns: string[], row: Row, redaction: Redaction): ColumnChange[] {
  const owned = isOwned(rules, row, redaction);
  const changes: ColumnChange[] = [];
  for (const column of columns) {
    const value = row[column];
    if (typeof value !== "string") continue;
    const rule = rules.text[column] as { redact: string };
    const to =
      rule.redact === "replace"
        ? owned
          ? REDACTED
          : value
        : owned
          ? redaction.all.scrub(rule.redact === "body" ? redactJsonText(value) : value)
          : redaction.identifying.scrub(value);
    if (to !== value) changes.push({ column, from: value, to });
  }
  return changes;
}

/** Tries to apply compare-and-set writes this many times before leaving a row to the next delivery. */
const WRITE_TRIES = 5;

/**
 * Writes each row's changed columns only while they still hold what was
 * read; a row somebody changed meanwhile is read again (inside the
 * transaction) and scrubbed afresh.
 */
async function writeScrubbed(
  model: string,
  rules: TableRules,
  columns: string[],
  pending: { id: string; changes: ColumnChange[] }[],
  redaction: Redaction,
): Promise<void> {
  if (pending.length === 0) return;
  const owner = ownerColumn(rules);
  const select = `SELECT ${["id", ...(owner && owner !== "id" ? [owner] : []), ...columns].map(quote).join(", ")}
    FROM ${quote(model)} WHERE "id" = ?`;
  await sqlFor().transaction(async (tx) => {
    for (const row of pending) {
      let changes = row.changes;
      for (let tries = 1; changes.length > 0; tries++) {
        const written = await tx.run(
          `UPDATE ${quote(model)} SET ${changes.map((change) => `${quote(change.column)} = ?`).join(", ")}
           WHERE "id" = ? AND ${changes.map((change) => `${quote(change.column)} = ?`).join(" AND ")}`,
          [...changes.map((change) => change.to), row.id, ...changes.map((change) => change.from)],
        );
        if (written > 0) break;
        if (tries >= WRITE_TRIES) {
          redaction.unwritten += 1;
          break;
        }
        const [fresh] = await tx.all<Row>(select, [row.id]);
        changes = fresh ? changesOf(rules, columns, fresh, redaction) : [];
      }
    }
  });
}

/** Ids of `model`'s rows that belong to the orders named (the redacted orders, or some of them). */
async function ownRowIds(
  model: string,
  rules: TableRules,
  redaction: Redaction,
  orderIds: string[],
  shopifyOrderIds: string[],
): Promise<string[]> {
  const sql = sqlFor();
  const ids: string[] = [];
  const read = async (text: string, params: SqlValue[], column = "id") => {
    for (const row of await sql.all<Row>(text, params)) ids.push(String(row[column]));
  };
  switch (rules.ownedBy) {
    case "id":
      return orderIds;
    case "orderId":
      for (const chunk of chunks(orderIds))
        await read(
          `SELECT "id" FROM ${quote(model)} WHERE "orderId" IN (${placeholders(chunk.length)})`,
          chunk,
        );
      return ids;
    case "shopifyOrderId":
      for (const chunk of chunks(shopifyOrderIds))
        await read(
          `SELECT "id" FROM ${quote(model)} WHERE "shop" = ? AND "shopifyOrderId" IN (${placeholders(chunk.length)})`,
          [redaction.shop, ...chunk],
        );
      return ids;
    case "alertOrders":
      for (const chunk of chunks(orderIds))
        await read(
          `SELECT DISTINCT "alertId" FROM "AlertOrder" WHERE "orderId" IN (${placeholders(chunk.length)})`,
          chunk,
          "alertId",
        );
      for (const id of ids) redaction.alertIds.add(id);
      return ids;
    default:
      return [];
  }
}

/**
 * Scrubs one table: every row of the shop (the customer's identifying values
 * anywhere, everything on their orders' rows), or, with `orders`, only those
 * orders' own rows. Rows are read and written a batch at a time, so no
 * statement grows with the shop or the customer.
 */
async function scrubTable(
  model: Prisma.ModelName,
  rules: TableRules,
  redaction: Redaction,
  orders?: { ids: string[]; shopifyOrderIds: string[] },
): Promise<void> {
  const columns = scrubbedColumns(rules);
  if (columns.length === 0) return;
  const sql = sqlFor();
  const owner = ownerColumn(rules);
  const ids = orders
    ? await ownRowIds(model, rules, redaction, orders.ids, orders.shopifyOrderIds)
    : (
        await sql.all<{ id: string }>(`SELECT "id" FROM ${quote(model)} WHERE "shop" = ?`, [redaction.shop])
      ).map((row) => String(row.id));
  const selected = ["id", ...(owner && owner !== "id" ? [owner] : []), ...columns].map(quote).join(", ");
  for (const chunk of chunks([...new Set(ids)])) {
    const rows = await sql.all<Row>(
      `SELECT ${selected} FROM ${quote(model)} WHERE "id" IN (${placeholders(chunk.length)})`,
      chunk,
    );
    const pending = rows
      .map((row) => ({ id: String(row.id), changes: changesOf(rules, columns, row, redaction) }))
      .filter((row) => row.changes.length > 0);
    await writeScrubbed(model, rules, columns, pending, redaction);
  }
}

function rebuildScrubbers(redaction: Redaction): void {
  redaction.identifying = new Scrubber(redaction.values.identifying);
  redaction.all = new Scrubber(redaction.values.all);
}

interface OrderSnapshot {
  id: string;
  shopifyOrderId: string;
  payload: string;
  /** As the database returned it (text on SQLite, a Date on PostgreSQL), to compare with as read. */
  updatedAt: SqlValue;
}

const SNAPSHOT = `SELECT "id", "shopifyOrderId", "payload", "updatedAt", "leaseOwner", "leaseExpiresAt" FROM "Order"`;

/**
 * Redacts the orders' bodies, the source of every value scrubbed elsewhere,
 * so it goes last: only while nobody wrote the order since its rows were
 * scrubbed (its `updatedAt` as read then; every transition, attempt and
 * status update moves it) and no worker holds it. Returns the orders left
 * for the next delivery: a worker holds them.
 */
async function redactPayloads(snapshots: OrderSnapshot[], redaction: Redaction): Promise<{ held: number }> {
  const sql = sqlFor();
  let left = snapshots;
  let held = 0;
  for (let round = 1; left.length > 0; round++) {
    const refused: string[] = [];
    for (const chunk of chunks(left)) {
      const now = new Date();
      await sql.transaction(async (tx: SqlRunner) => {
        for (const order of chunk) {
          const redacted = redactJsonText(order.payload);
          if (redacted === order.payload) continue;
          const written = await tx.run(
            `UPDATE "Order" SET "payload" = ?
             WHERE "id" = ? AND "payload" = ? AND "updatedAt" = ?
               AND ("leaseOwner" IS NULL OR "leaseExpiresAt" IS NULL OR "leaseExpiresAt" < ?)`,
            [redacted, order.id, order.payload, order.updatedAt, now],
          );
          if (written === 0) refused.push(order.id);
        }
      });
    }
    if (refused.length === 0) break;
    // Read again: a worker holding the order will write from the body it read, so the body stays
    // for the next delivery; an order written meanwhile has its own rows scrubbed again, with
    // whatever its body now holds.
    const again: OrderSnapshot[] = [];
    const now = Date.now();
    for (const chunk of chunks(refused)) {
      const rows = await sql.all<Row>(`${SNAPSHOT} WHERE "id" IN (${placeholders(chunk.length)})`, chunk);
      for (const row of rows) {
        const lease = row.leaseExpiresAt === null ? null : new Date(row.leaseExpiresAt as string | Date);
        if (row.leaseOwner !== null && lease !== null && lease.getTime() >= now) held += 1;
        else again.push(snapshotOf(row));
      }
    }
    if (round >= WRITE_TRIES) {
      held += again.length;
      break;
    }
    for (const order of again) collectFromPayload(order.payload, redaction.values);
    rebuildScrubbers(redaction);
    const orders = {
      ids: again.map((order) => order.id),
      shopifyOrderIds: again.map((order) => order.shopifyOrderId),
    };
    for (const [model, rules] of TABLES) if (rules.ownedBy) await scrubTable(model, rules, redaction, orders);
    left = again;
  }
  return { held };
}

function snapshotOf(row: Row): OrderSnapshot {
  return {
    id: String(row.id),
    shopifyOrderId: String(row.shopifyOrderId),
    payload: String(row.payload),
    updatedAt: row.updatedAt as SqlValue,
  };
}

/**
 * customers/redact: scrub the named orders of one shop, and every other row
 * of the shop that quotes them. Returns how many orders were found. Throws
 * RedactionUnfinished when Shopify's next delivery must finish it.
 *
 * Steps, each idempotent: the orders' bodies are read (the values to scrub);
 * every table's rows are scrubbed; the bodies are redacted last, so a
 * delivery that stopped anywhere before leaves the next one all it needs.
 */
export async function redactCustomerOrders(
  shop: string,
  shopifyOrderIds: string[],
  customer: { email?: string | null; phone?: string | null } = {},
): Promise<number> {
  const wanted = [...new Set(shopifyOrderIds)];
  if (wanted.length === 0) return 0;
  const sql = sqlFor();
  const snapshots: OrderSnapshot[] = [];
  for (const chunk of chunks(wanted)) {
    const rows = await sql.all<Row>(
      `${SNAPSHOT} WHERE "shop" = ? AND "shopifyOrderId" IN (${placeholders(chunk.length)})`,
      [shop, ...chunk],
    );
    snapshots.push(...rows.map(snapshotOf));
  }

  const values: PersonalValues = { identifying: new Set(), all: new Set() };
  for (const contact of [customer.email, customer.phone]) {
    const text = contact?.trim() ?? "";
    if (text.length >= MIN_SCRUBBED_LENGTH) {
      values.identifying.add(text);
      values.all.add(text);
    }
  }
  for (const order of snapshots) collectFromPayload(order.payload, values);
  const redaction: Redaction = {
    shop,
    values,
    identifying: new Scrubber([]),
    all: new Scrubber([]),
    orderIds: new Set(snapshots.map((order) => order.id)),
    shopifyOrderIds: new Set(snapshots.map((order) => order.shopifyOrderId)),
    alertIds: new Set(),
    unwritten: 0,
  };
  rebuildScrubbers(redaction);

  const orders = { ids: [...redaction.orderIds], shopifyOrderIds: [...redaction.shopifyOrderIds] };
  // Alerts of the redacted orders are theirs: known before any alert is read.
  await ownRowIds("Alert", TEXT_COLUMNS.Alert, redaction, orders.ids, []);
  for (const [model, rules] of TABLES) {
    // With nothing that identifies the customer, only their orders' own rows can hold their data.
    if (values.identifying.size > 0) await scrubTable(model, rules, redaction);
    else if (rules.ownedBy) await scrubTable(model, rules, redaction, orders);
  }
  const { held } = await redactPayloads(snapshots, redaction);
  const walEmptied = await emptyWal();

  logger.info(
    { shop, orders: snapshots.length, held, unwritten: redaction.unwritten, walEmptied },
    "customers/redact: orders redacted",
  );
  if (held > 0 || redaction.unwritten > 0) {
    throw new RedactionUnfinished(
      `${held} order(s) held by a worker and ${redaction.unwritten} row(s) changing under the redaction: the next delivery finishes them`,
    );
  }
  if (!walEmptied) throw new RedactionUnfinished("SQLite's write-ahead log could not be emptied yet");
  return snapshots.length;
}

/** How long a redaction tries to empty SQLite's write-ahead log (never blocking the process). */
const WAL_TRUNCATE_WAIT_MS = 2_000;

/**
 * SQLite keeps the old text of every rewritten page in the -wal file until a
 * checkpoint; this copies it all into the database file and truncates the
 * log. It needs a moment with no other connection writing or reading from
 * the log, so it is tried for a while, without waiting in SQLite.
 */
async function emptyWal(): Promise<boolean> {
  const deadline = Date.now() + WAL_TRUNCATE_WAIT_MS;
  for (;;) {
    if (await truncateWal()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
}

// ---------------------------------------------------------------- customers/data_request

/** customers/data_request: what the app holds for these orders, for the merchant to pass on. */
export async function customerDataSummary(shop: string, shopifyOrderIds: string[]) {
  const orders = [];
  for (const chunk of chunks([...new Set(shopifyOrderIds)])) {
    orders.push(
      ...(await prisma.order.findMany({
        where: { shop, shopifyOrderId: { in: chunk } },
        select: { shopifyOrderId: true, name: true, state: true, brilliantOrderId: true, createdAt: true },
      })),
    );
  }
  return orders;
}

// ---------------------------------------------------------------- shop/redact

/** Deleted last: while they are there the shop still looks installed to whatever else runs. */
const DELETED_LAST: readonly Prisma.ModelName[] = ["ShopSettings", "Session"];

/**
 * shop/redact: every row of the shop, in every table with a `shop` column
 * (and, through their foreign keys, the rows that belong to those), gone.
 * In batches, each its own transaction, so the write lock is never held
 * long; idempotent, so a redelivery finishes what a failure left. Throws
 * RedactionUnfinished when SQLite's write-ahead log could not be emptied.
 */
export async function deleteShopData(shop: string): Promise<void> {
  const sql = sqlFor();
  const tables = [
    ...TABLES.filter(([model]) => !DELETED_LAST.includes(model)),
    ...DELETED_LAST.map((model) => [model, TEXT_COLUMNS[model]] as const),
  ];
  for (const [model, rules] of tables) {
    if (!("key" in rules.shopRows)) continue;
    const { key } = rules.shopRows;
    if (key === "shop") {
      await sql.run(`DELETE FROM ${quote(model)} WHERE "shop" = ?`, [shop]);
      continue;
    }
    for (;;) {
      const deleted = await sql.run(
        `DELETE FROM ${quote(model)} WHERE "shop" = ? AND ${quote(key)} IN
           (SELECT ${quote(key)} FROM ${quote(model)} WHERE "shop" = ? LIMIT ${BATCH})`,
        [shop, shop],
      );
      if (deleted < BATCH) break;
    }
  }
  forgetSessionsOf(prisma, shop);
  if (!(await emptyWal())) throw new RedactionUnfinished("SQLite's write-ahead log could not be emptied yet");
}
