/**
 * customers/redact rewrites the customer's personal data wherever the app
 * stored it: by structure where it stored a body (the order as Shopify sent
 * it, what went to Brilliant and came back, Brilliant's status calls), and
 * by value where it arrived as free text (a message of Brilliant's quoting
 * the address). Order ids, states and codes stay, so the merchant's sync
 * history still adds up. It never writes an order's state, and a column is
 * rewritten only while it still holds the text read (compare-and-set), so a
 * worker's newer reason is scrubbed in turn, never replaced by an older one.
 * SQLite runs with secure_delete and its write-ahead log is emptied after,
 * so the old text is overwritten on disk too. See docs/architecture.md, "Compliance webhooks and redaction".
 */
import { placeholders, sqlFor, type Row, type SqlRunner, type SqlValue } from "../../db/sql.server";
import { logger } from "../../logger.server";
import { chunks } from "./batches";
import {
  collectFromPayload,
  MIN_SCRUBBED_LENGTH,
  redactJsonText,
  Scrubber,
  type PersonalValues,
} from "./personal-data";
import {
  ownRowIds,
  rebuildScrubbers,
  scrubTable,
  WRITE_TRIES,
  type OrderIds,
  type Redaction,
} from "./scrub-tables.server";
import { TABLES, TEXT_COLUMNS } from "./text-columns";
import { emptyWal, RedactionUnfinished, walNotEmptied } from "./wal.server";

export { RedactionUnfinished };

interface OrderSnapshot {
  id: string;
  shopifyOrderId: string;
  payload: string;
  state: string;
  /** As the database returned it (text on SQLite, a Date on PostgreSQL), to compare with as read. */
  updatedAt: SqlValue;
}

const SNAPSHOT = `SELECT "id", "shopifyOrderId", "payload", "state", "updatedAt", "leaseOwner", "leaseExpiresAt" FROM "Order"`;

function snapshotOf(row: Row): OrderSnapshot {
  return {
    id: String(row.id),
    shopifyOrderId: String(row.shopifyOrderId),
    payload: String(row.payload),
    state: String(row.state),
    updatedAt: row.updatedAt as SqlValue,
  };
}

/** Retention's mark: when, and the states an order must still be at to be marked. */
interface Removal {
  at: Date;
  states: readonly string[];
}

/**
 * Redacts the orders' bodies, the source of every value scrubbed elsewhere,
 * so it goes last: only while nobody wrote the order since its rows were
 * scrubbed (its `updatedAt` as read then; every transition, attempt and
 * status update moves it) and no worker holds it. With `removal`, the order
 * is marked in the same write, and only while it is at one of its states (an
 * order that left them since is not redacted, nor counted as held). Returns
 * how many orders a worker holds (the next delivery redacts them) and how
 * many were written.
 */
async function redactPayloads(
  snapshots: OrderSnapshot[],
  redaction: Redaction,
  removal?: Removal,
): Promise<{ held: number; written: number }> {
  const sql = sqlFor();
  let left = removal ? snapshots.filter((order) => removal.states.includes(order.state)) : snapshots;
  let held = 0;
  let written = 0;
  const mark = removal ? `, "personalDataRemovedAt" = ?` : "";
  const atState = removal ? ` AND "state" IN (${placeholders(removal.states.length)})` : "";
  for (let round = 1; left.length > 0; round++) {
    const refused: string[] = [];
    for (const chunk of chunks(left)) {
      const now = new Date();
      await sql.transaction(async (tx: SqlRunner) => {
        for (const order of chunk) {
          const redacted = redactJsonText(order.payload);
          if (redacted === order.payload && !removal) continue;
          const changed = await tx.run(
            `UPDATE "Order" SET "payload" = ?${mark}
             WHERE "id" = ? AND "payload" = ? AND "updatedAt" = ?
               AND ("leaseOwner" IS NULL OR "leaseExpiresAt" IS NULL OR "leaseExpiresAt" < ?)${atState}`,
            [
              redacted,
              ...(removal ? [removal.at] : []),
              order.id,
              order.payload,
              order.updatedAt,
              now,
              ...(removal?.states ?? []),
            ],
          );
          if (changed === 0) refused.push(order.id);
          else written += 1;
        }
      });
    }
    if (refused.length === 0) break;
    // A worker holding the order will write from the body it read, so the body stays for the next
    // delivery; an order written meanwhile has its rows scrubbed again, with what its body now holds.
    const again: OrderSnapshot[] = [];
    const now = Date.now();
    for (const chunk of chunks(refused)) {
      const rows = await sql.all<Row>(`${SNAPSHOT} WHERE "id" IN (${placeholders(chunk.length)})`, chunk);
      for (const row of rows) {
        const lease = row.leaseExpiresAt === null ? null : new Date(row.leaseExpiresAt as string | Date);
        if (removal && !removal.states.includes(String(row.state))) continue;
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
    const orders: OrderIds = {
      ids: again.map((order) => order.id),
      shopifyOrderIds: again.map((order) => order.shopifyOrderId),
    };
    for (const [model, rules] of TABLES) if (rules.ownedBy) await scrubTable(model, rules, redaction, orders);
    left = again;
  }
  return { held, written };
}

/**
 * customers/redact: scrub the named orders of one shop, and every other row
 * of the shop that quotes them. Returns how many orders were found. Throws
 * RedactionUnfinished when Shopify's next delivery must finish it.
 *
 * Each step is idempotent: the orders' bodies are read (the values to
 * scrub), every table's rows are scrubbed, and the bodies are redacted last,
 * so a delivery that stopped anywhere leaves the next one all it needs.
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
  // With nothing that identifies the customer, only their orders' own rows can hold their data.
  const { held, unwritten } = await redactOrders(shop, snapshots, values, {
    shopWide: values.identifying.size > 0,
  });
  const walEmptied = await emptyWal();

  logger.info(
    { shop, orders: snapshots.length, held, unwritten, walEmptied },
    "customers/redact: orders redacted",
  );
  if (held > 0 || unwritten > 0) {
    throw new RedactionUnfinished(
      `${held} order(s) held by a worker and ${unwritten} row(s) changing under the redaction: the next delivery finishes them`,
    );
  }
  if (!walEmptied) throw walNotEmptied();
  return snapshots.length;
}

/**
 * Scrubs the orders' own rows (every table `ownedBy` them) of every value
 * their bodies hold, with `shopWide` the identifying ones from every other
 * row of the shop too, and then redacts the bodies (redactPayloads).
 */
async function redactOrders(
  shop: string,
  snapshots: OrderSnapshot[],
  values: PersonalValues,
  options: { shopWide: boolean; removal?: Removal },
): Promise<{ held: number; unwritten: number; written: number }> {
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
  const orders: OrderIds = { ids: [...redaction.orderIds], shopifyOrderIds: [...redaction.shopifyOrderIds] };
  // Alerts of the redacted orders are theirs: known before any alert is read.
  await ownRowIds("Alert", TEXT_COLUMNS.Alert, redaction, orders);
  for (const [model, rules] of TABLES) {
    if (options.shopWide) await scrubTable(model, rules, redaction);
    else if (rules.ownedBy) await scrubTable(model, rules, redaction, orders);
  }
  // Retention marks orders only once all their rows are scrubbed: its next run tries again.
  if (options.removal && redaction.unwritten > 0)
    return { held: 0, unwritten: redaction.unwritten, written: 0 };
  const { held, written } = await redactPayloads(snapshots, redaction, options.removal);
  return { held, unwritten: redaction.unwritten, written };
}

/**
 * Retention (app/ops/retention.server.ts): the same redaction for settled
 * orders of one shop, by their ids, on their own rows only, since the
 * customer did not ask to be forgotten and their other orders keep what they
 * hold. Each body is redacted and the order marked `personalDataRemovedAt`
 * in one write, only while it is still at one of `settledStates`. Returns
 * how many were marked, and how many were held by a worker or kept
 * changing (the next run takes them).
 */
export async function removeOrdersPersonalData(
  shop: string,
  orderIds: string[],
  settledStates: readonly string[],
  at: Date = new Date(),
): Promise<{ removed: number; held: number; unwritten: number }> {
  const sql = sqlFor();
  const snapshots: OrderSnapshot[] = [];
  for (const chunk of chunks([...new Set(orderIds)])) {
    const rows = await sql.all<Row>(
      `${SNAPSHOT} WHERE "shop" = ? AND "id" IN (${placeholders(chunk.length)})
         AND "state" IN (${placeholders(settledStates.length)})`,
      [shop, ...chunk, ...settledStates],
    );
    snapshots.push(...rows.map(snapshotOf));
  }
  if (snapshots.length === 0) return { removed: 0, held: 0, unwritten: 0 };
  const values: PersonalValues = { identifying: new Set(), all: new Set() };
  for (const order of snapshots) collectFromPayload(order.payload, values);
  const { held, unwritten, written } = await redactOrders(shop, snapshots, values, {
    shopWide: false,
    removal: { at, states: settledStates },
  });
  return { removed: written, held, unwritten };
}
