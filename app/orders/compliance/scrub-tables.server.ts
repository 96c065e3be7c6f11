import type { Prisma } from "@prisma/client";

import { placeholders, sqlFor, type Row, type SqlValue } from "../../db/sql.server";
import { chunks, quote } from "./batches";
import { redactJsonText, REDACTED, Scrubber, type PersonalValues } from "./personal-data";
import type { TableRules } from "./text-columns";

/** One customers/redact delivery: what it scrubs, and where. */
export interface Redaction {
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

/** Some of the redacted orders, by both of their ids. */
export interface OrderIds {
  ids: string[];
  shopifyOrderIds: string[];
}

/** Tries to apply compare-and-set writes this many times before leaving a row to the next delivery. */
export const WRITE_TRIES = 5;

export function rebuildScrubbers(redaction: Redaction): void {
  redaction.identifying = new Scrubber(redaction.values.identifying);
  redaction.all = new Scrubber(redaction.values.all);
}

const SCRUBBED = new Set(["body", "text", "replace"]);

function scrubbedColumns(rules: TableRules): string[] {
  return Object.entries(rules.text)
    .filter(([, rule]) => "redact" in rule && SCRUBBED.has(rule.redact))
    .map(([column]) => column);
}

/** The columns a row is read by: its id, the column that ties it to an order, and the scrubbed ones. */
function selectedColumns(rules: TableRules, columns: string[]): string {
  const owner = rules.ownedBy && rules.ownedBy !== "alertOrders" ? rules.ownedBy : null;
  return ["id", ...(owner && owner !== "id" ? [owner] : []), ...columns].map(quote).join(", ");
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
  const select = `SELECT ${selectedColumns(rules, columns)} FROM ${quote(model)} WHERE "id" = ?`;
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
export async function ownRowIds(
  model: string,
  rules: TableRules,
  redaction: Redaction,
  orders: OrderIds,
): Promise<string[]> {
  const sql = sqlFor();
  const ids: string[] = [];
  const read = async (text: string, params: SqlValue[], column = "id") => {
    for (const row of await sql.all<Row>(text, params)) ids.push(String(row[column]));
  };
  switch (rules.ownedBy) {
    case "id":
      return orders.ids;
    case "orderId":
      for (const chunk of chunks(orders.ids))
        await read(
          `SELECT "id" FROM ${quote(model)} WHERE "orderId" IN (${placeholders(chunk.length)})`,
          chunk,
        );
      return ids;
    case "shopifyOrderId":
      for (const chunk of chunks(orders.shopifyOrderIds))
        await read(
          `SELECT "id" FROM ${quote(model)} WHERE "shop" = ? AND "shopifyOrderId" IN (${placeholders(chunk.length)})`,
          [redaction.shop, ...chunk],
        );
      return ids;
    case "alertOrders":
      for (const chunk of chunks(orders.ids))
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
 * orders' own rows. A batch of rows at a time, so no statement grows with
 * the shop or the customer.
 */
export async function scrubTable(
  model: Prisma.ModelName,
  rules: TableRules,
  redaction: Redaction,
  orders?: OrderIds,
): Promise<void> {
  const columns = scrubbedColumns(rules);
  if (columns.length === 0) return;
  const sql = sqlFor();
  const ids = orders
    ? await ownRowIds(model, rules, redaction, orders)
    : (
        await sql.all<{ id: string }>(`SELECT "id" FROM ${quote(model)} WHERE "shop" = ?`, [redaction.shop])
      ).map((row) => String(row.id));
  const selected = selectedColumns(rules, columns);
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
