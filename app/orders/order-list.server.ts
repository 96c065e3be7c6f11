import type { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { resubmitOrders, retryNow, type RecheckVerdict } from "./actions.server";
import type { NextStep } from "./next-step";
import { nextStepsForHeld } from "./fix-links.server";
import { orderSummaryOf, type OrderSummary } from "./order-summary";
import { keptShopTimeZone } from "../models/shop-time-zone.server";
import { dayInZone } from "../models/time-zone";

/**
 * The orders list: filters, search by order name and keyset pagination on
 * (createdAt, id), newest first. A page costs the same on the first page and
 * the ten-thousandth: it seeks in the (shop, createdAt, id) index instead of
 * skipping rows. Every query is filtered by shop.
 */
export const ORDERS_PAGE_SIZE = 50;

export interface OrderListFilters {
  state?: string;
  /** Brilliant's last code for the order (or the one pre-flight foresaw). */
  code?: number;
  /** Received on or after this day in the shop's time zone (YYYY-MM-DD). */
  from?: string;
  /** Received on or before this day in the shop's time zone (YYYY-MM-DD). */
  to?: string;
  /** An order name, with or without its "#". */
  query?: string;
}

export interface OrderListPage {
  orders: OrderListRow[];
  /** Cursor of the page after this one (older orders), if any. */
  nextCursor: string | null;
  /** Cursor of the page before this one (newer orders), if any. */
  previousCursor: string | null;
}

export interface OrderListRow extends OrderSummary {
  id: string;
  name: string;
  state: string;
  code: number | null;
  reason: string | null;
  holdKind: string | null;
  nextStep: NextStep | null;
  brilliantOrderId: string | null;
  attemptCount: number;
  createdAt: string;
}

export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
}

export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, "utf8").toString("base64url");
}

export function decodeCursor(value: string): Cursor {
  const [at, id] = Buffer.from(value, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  // Only what encodeCursor writes: an edited link's date (year 275760, month 13) is refused, not sent to the database.
  const written = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(at ?? "");
  if (!id || !written || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at)
    throw new InvalidCursorError("That page link is no longer valid");
  return { createdAt, id };
}

async function whereFor(shop: string, filters: OrderListFilters): Promise<Prisma.OrderWhereInput> {
  const where: Prisma.OrderWhereInput = { shop };
  if (filters.state) where.state = filters.state;
  if (filters.code !== undefined) where.lastCode = filters.code;
  if (filters.from || filters.to) {
    // Days as the merchant reads them: in the shop's time zone, as every time in the admin.
    const zone = await keptShopTimeZone(shop);
    where.createdAt = {
      ...(filters.from ? { gte: dayInZone(filters.from, zone).start } : {}),
      ...(filters.to ? { lt: dayInZone(filters.to, zone).end } : {}),
    };
  }
  return where;
}

/** The names a search stands for: exact names, with or without the "#". */
function namesFor(query: string | undefined): string[] | null {
  const trimmed = query?.trim();
  if (!trimmed) return null;
  const bare = trimmed.replace(/^#/, "");
  return [...new Set([trimmed, `#${bare}`, bare])];
}

/**
 * Ids of the shop's orders with one of these names (a handful), found through
 * the (shop, name) index alone. Looked up first, so that the page's query
 * seeks by id: asked in one query with the other filters and the ordering,
 * SQLite (without statistics) walks a whole date or state index instead.
 */
async function idsNamed(shop: string, names: string[]): Promise<string[]> {
  const rows = await prisma.order.findMany({
    where: { shop, name: { in: names } },
    select: { id: true },
    take: 1_000,
  });
  return rows.map((row) => row.id);
}

/**
 * The shop's orders the list's filters match, a search's names looked up
 * first. The list and the bulk jobs over a whole filter both start from it.
 */
export async function ordersMatching(
  shop: string,
  filters: OrderListFilters,
): Promise<Prisma.OrderWhereInput> {
  const where = await whereFor(shop, filters);
  const names = namesFor(filters.query);
  if (names) where.id = { in: await idsNamed(shop, names) };
  return where;
}

/** Orders older than `cursor` in the (createdAt, id) order; with `newer`, newer ones. */
export function pastCursor(cursor: Cursor, newer = false): Prisma.OrderWhereInput[] {
  const op = newer ? "gt" : "lt";
  return [
    // The first bound is redundant with the OR but is what lets the
    // database seek to the cursor in the index instead of walking every
    // newer (or older) order first: a deep page costs what the first does.
    { createdAt: { [newer ? "gte" : "lte"]: cursor.createdAt } },
    {
      OR: [
        { createdAt: { [op]: cursor.createdAt } },
        { createdAt: cursor.createdAt, id: { [op]: cursor.id } },
      ],
    },
  ];
}

/**
 * One page of orders. `after` gives the page of older orders than its cursor,
 * `before` the page of newer ones; neither gives the newest.
 */
export async function listOrders(
  shop: string,
  filters: OrderListFilters,
  page: { after?: string; before?: string; limit?: number } = {},
): Promise<OrderListPage> {
  const limit = page.limit ?? ORDERS_PAGE_SIZE;
  const base = await ordersMatching(shop, filters);
  const backwards = Boolean(page.before) && !page.after;
  const cursorValue = page.after ?? page.before;
  const where = cursorValue ? { AND: [base, ...pastCursor(decodeCursor(cursorValue), backwards)] } : base;
  const direction = backwards ? "asc" : "desc";
  // A code or state filter leads the ordering (it is one value, so the order
  // is the same): only its (shop, lastCode | state, createdAt, id) index then
  // gives the order without sorting, and SQLite's planner, which has no
  // statistics, picks it over walking (shop, createdAt, id) through a date range.
  const leading: Prisma.OrderOrderByWithRelationInput[] =
    filters.code !== undefined ? [{ lastCode: direction }] : filters.state ? [{ state: direction }] : [];
  const rows = await prisma.order.findMany({
    where,
    orderBy: [...leading, { createdAt: direction }, { id: direction }],
    take: limit + 1,
    select: {
      id: true,
      name: true,
      state: true,
      lastCode: true,
      stateReason: true,
      holdKind: true,
      brilliantOrderId: true,
      attemptCount: true,
      createdAt: true,
      payload: true,
    },
  });
  const hasMore = rows.length > limit;
  const pageRows = rows.slice(0, limit);
  if (backwards) pageRows.reverse();
  const first = pageRows[0];
  const last = pageRows[pageRows.length - 1];
  // Going back, there is a newer page when more rows came; going forward, when we came from a cursor.
  const hasNewer = backwards ? hasMore : Boolean(cursorValue);
  const hasOlder = backwards ? true : hasMore;
  const nextSteps = await nextStepsForHeld(shop, pageRows);
  return {
    orders: pageRows.map((row) => ({
      id: row.id,
      name: row.name,
      state: row.state,
      code: row.lastCode,
      reason: row.stateReason,
      holdKind: row.holdKind,
      nextStep: nextSteps.get(row.id) ?? null,
      brilliantOrderId: row.brilliantOrderId,
      attemptCount: row.attemptCount,
      createdAt: row.createdAt.toISOString(),
      ...orderSummaryOf(row.payload),
    })),
    nextCursor: hasOlder && last ? encodeCursor(last) : null,
    previousCursor: hasNewer && first ? encodeCursor(first) : null,
  };
}

/**
 * The Brilliant codes seen in this shop's orders, for the code filter: a
 * skip through the (shop, lastCode, …) index, one seek per distinct code,
 * where a GROUP BY would read every order of the shop (1M rows, seconds).
 */
export async function listOrderCodes(shop: string): Promise<number[]> {
  const rows = await prisma.$queryRaw<Array<{ code: number | bigint }>>`
    WITH RECURSIVE "codes"("code") AS (
      SELECT MIN("lastCode") FROM "Order" WHERE "shop" = ${shop} AND "lastCode" IS NOT NULL
      UNION ALL
      SELECT (SELECT MIN(o."lastCode") FROM "Order" o WHERE o."shop" = ${shop} AND o."lastCode" > c."code")
      FROM "codes" c WHERE c."code" IS NOT NULL
    )
    SELECT "code" FROM "codes" WHERE "code" IS NOT NULL
  `;
  return rows.map((row) => Number(row.code)).sort((a, b) => a - b);
}

export type BulkOrderIntent = "retry" | "resubmit";

export interface BulkOrderResult {
  intent: BulkOrderIntent;
  /** With a resubmit, what the checks said of each: sent, or held or skipped again and why. */
  changed: { id: string; name: string; verdict?: RecheckVerdict }[];
  unchanged: { id: string; name: string | null; why: string }[];
}

/**
 * "Retry now" or "Resubmit" for the orders the merchant selected, naming each
 * order that changed and each that did not, with why. Ids of other shops are
 * reported as unknown and left alone.
 */
export async function applyBulkOrderAction(
  shop: string,
  intent: BulkOrderIntent,
  orderIds: string[],
): Promise<BulkOrderResult> {
  const summary = intent === "retry" ? await retryNow(shop, orderIds) : await resubmitOrders(shop, orderIds);
  const named = await prisma.order.findMany({
    where: { shop, id: { in: orderIds } },
    select: { id: true, name: true },
  });
  const nameOf = new Map(named.map((order) => [order.id, order.name]));
  return {
    intent,
    changed: summary.changed.map((id) => ({
      id,
      name: nameOf.get(id) ?? id,
      ...(summary.checked?.has(id) ? { verdict: summary.checked.get(id) } : {}),
    })),
    unchanged: summary.unchanged.map((entry) => ({
      id: entry.orderId,
      name: nameOf.get(entry.orderId) ?? null,
      why: entry.why,
    })),
  };
}
