import type { SyncRun } from "@prisma/client";
import { z } from "zod/v4";

import prisma from "../db.server";
import { failSyncRun, lastSyncRun, liveSyncRun } from "../models/sync-run.server";
import { logger as rootLogger, type Logger } from "../logger.server";
import { recordPaidOrder } from "./ingest.server";
import {
  GraphqlOrderSchema,
  LineItemsConnectionSchema,
  restOrderFromGraphql,
  type GraphqlOrder,
  type GraphqlOrderLine,
} from "./shopify-order-from-graphql";
import { parseShopifyOrder, type ShopifyOrder } from "./shopify-order";
import {
  adminFailureSummary,
  readPagesWithinBudget,
  throttledAdminQuery,
  UnexpectedShopifyAnswerError,
  type AdminGraphql,
  type AdminThrottling,
} from "../integrations/shopify-admin.server";
import { MAX_RECONCILE_DAYS } from "./reconciliation";

/**
 * The reconciliation sweep: Shopify delivers webhooks at least once, but a
 * lost one (the app down for longer than Shopify retries, a subscription
 * dropped) would mean a paid order never reaches Brilliant. The sweep lists
 * the shop's paid orders of the last N days through the Admin GraphQL API and
 * records any the app never saw through the same `recordPaidOrder` as the
 * orders/paid webhook, so the unique (shop, order id) still lets each order in
 * once, whichever comes first. Each sweep is a SyncRun ("reconciliation") that
 * says what it read, what it recorded and what it could not read.
 */

export const RECONCILIATION_SYNC = "reconciliation";
export { MAX_RECONCILE_DAYS };

const ORDERS_PER_PAGE = 50;
/** Line items read with each order; an order with more has the rest read on its own. */
const LINES_PER_ORDER = 10;
const LINES_PER_PAGE = 250;

// The line item fields the app reads (see restOrderFromGraphql), shared by both queries.
const LINE_ITEM_FRAGMENT = `#graphql
  fragment ReconciledLineItem on LineItem {
    id
    sku
    title
    variantTitle
    quantity
    currentQuantity
    requiresShipping
    isGiftCard
    variant {
      id
    }
    product {
      id
    }
  }
`;

// The order fields the app reads (see restOrderFromGraphql), shared by the
// sweep's pages and the single-order read (order edits).
const ORDER_FRAGMENT = `#graphql
  fragment ReconciledOrder on Order {
    id
    legacyResourceId
    name
    createdAt
    cancelledAt
    displayFinancialStatus
    tags
    test
    shippingAddress {
      name
      firstName
      lastName
      company
      address1
      address2
      city
      province
      provinceCode
      zip
      country
      countryCodeV2
      phone
    }
    lineItems(first: $lines) {
      nodes {
        ...ReconciledLineItem
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const ORDERS_PAGE_QUERY = `#graphql
  query ReconcilePaidOrders($first: Int!, $cursor: String, $search: String!, $lines: Int!) {
    orders(first: $first, after: $cursor, query: $search) {
      nodes {
        ...ReconciledOrder
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }

  ${ORDER_FRAGMENT}
  ${LINE_ITEM_FRAGMENT}
`;

const ORDER_QUERY = `#graphql
  query ReadShopifyOrder($id: ID!, $lines: Int!) {
    order(id: $id) {
      ...ReconciledOrder
    }
  }

  ${ORDER_FRAGMENT}
  ${LINE_ITEM_FRAGMENT}
`;

const ORDER_LINES_QUERY = `#graphql
  query ReconcileOrderLineItems($id: ID!, $first: Int!, $cursor: String) {
    order(id: $id) {
      id
      lineItems(first: $first, after: $cursor) {
        nodes {
          ...ReconciledLineItem
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }

  ${LINE_ITEM_FRAGMENT}
`;

// Pages are read loosely (an order node Shopify shapes differently fails
// alone, not the whole sweep), then each node is checked on its own.
const OrdersPageSchema = z.object({
  orders: z.object({
    nodes: z.array(z.unknown()),
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
  }),
});

// Read loosely like the pages, then checked as an order (an unreadable one is an error, not "none").
const OrderSchema = z.object({ order: z.unknown().nullable() });

const OrderLinesSchema = z.object({
  order: z.object({ id: z.string(), lineItems: LineItemsConnectionSchema }).nullable(),
});

export interface ReconcileOptions {
  /** Days back from now; the shop's setting (7 by default) when left out. */
  days?: number;
  /** Orders per query, 50 by default. */
  pageSize?: number;
  maxThrottleRetries?: number;
  maxWaitMs?: number;
  /** Tests pass a recording clock. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  logger?: Logger;
}

export type ReconcileResult =
  | {
      ok: true;
      runId: string;
      /** Paid orders Shopify listed for the window. */
      seen: number;
      /** Orders the app had never recorded, recorded now. */
      ingested: number;
      /** Cancelled in Shopify and not known to the app: nothing to send. */
      cancelled: number;
      /** Orders that could not be read into the app's shape. */
      failed: number;
      summary: string;
    }
  | { ok: false; runId: string; reason: "already_running" | "failed"; summary: string };

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const count = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** The search Shopify runs for the sweep: paid orders created since `since`. */
export function paidOrdersSearch(since: Date): string {
  return `financial_status:paid created_at:>='${since.toISOString()}'`;
}

/**
 * Lists the shop's paid orders of the last `days` days and records those the
 * app never saw. Returns `{ ok: false }` when another sweep of the shop is
 * running or Shopify could not be read; only a Response thrown by the admin
 * client (authenticate.admin asking to re-authenticate) is thrown on.
 */
export async function reconcileShop(
  shop: string,
  graphql: AdminGraphql,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const running = await liveSyncRun(shop, RECONCILIATION_SYNC);
  if (running) {
    return {
      ok: false,
      runId: running.id,
      reason: "already_running",
      summary: "A reconciliation of this shop is already under way.",
    };
  }
  const now = options.now?.() ?? new Date();
  const settings = await prisma.shopSettings.findUnique({ where: { shop }, select: { reconcileDays: true } });
  const days = Math.max(1, Math.min(MAX_RECONCILE_DAYS, options.days ?? settings?.reconcileDays ?? 7));
  const since = new Date(now.getTime() - days * 24 * 60 * 60_000);
  const run = await prisma.syncRun.create({
    data: { shop, kind: RECONCILIATION_SYNC, status: "running", startedAt: now },
  });
  const log = (options.logger ?? rootLogger).child({ shop, syncRunId: run.id, sync: RECONCILIATION_SYNC });
  const throttling: AdminThrottling = {
    sleep: options.sleep ?? sleepFor,
    maxThrottleRetries: options.maxThrottleRetries ?? 10,
    maxWaitMs: options.maxWaitMs ?? 60_000,
    log,
  };

  let seen = 0;
  let ingested = 0;
  let cancelled = 0;
  const unreadable: string[] = [];
  try {
    await readPagesWithinBudget({
      graphql,
      operation: ORDERS_PAGE_QUERY,
      schema: OrdersPageSchema,
      throttling,
      pageSize: Math.min(ORDERS_PER_PAGE, options.pageSize ?? ORDERS_PER_PAGE),
      variables: (first, cursor) => ({
        first,
        cursor,
        search: paidOrdersSearch(since),
        lines: LINES_PER_ORDER,
      }),
      pageInfo: (data) => data.orders.pageInfo,
      items: "orders",
      onPage: async (data) => {
        const nodes = data.orders.nodes;
        const orders: GraphqlOrder[] = [];
        for (const node of nodes) {
          const parsed = GraphqlOrderSchema.safeParse(node);
          if (parsed.success) orders.push(parsed.data);
          else unreadable.push(nameOf(node));
        }
        seen += nodes.length;
        const known = new Set(
          (
            await prisma.order.findMany({
              where: { shop, shopifyOrderId: { in: orders.map((order) => order.legacyResourceId) } },
              select: { shopifyOrderId: true },
            })
          ).map((order) => order.shopifyOrderId),
        );
        for (const order of orders) {
          if (known.has(order.legacyResourceId)) continue;
          // A cancelled order the app never saw has nothing for Brilliant.
          if (order.cancelledAt) {
            cancelled += 1;
            continue;
          }
          const recorded = await recordMissedOrder(shop, graphql, order, throttling, log);
          if (recorded === true) ingested += 1;
          else if (recorded === false) unreadable.push(order.name);
        }
        await prisma.syncRun.update({
          where: { id: run.id },
          data: { processed: seen, ingested, failed: unreadable.length },
        });
      },
    });

    const summary = [
      `Read ${count(seen, "paid order")} of the last ${count(days, "day")}:`,
      ingested === 0
        ? "none was missing."
        : `${count(ingested, "order")} the app had not received ${ingested === 1 ? "was" : "were"} recorded and will be forwarded.`,
      cancelled > 0 ? `${count(cancelled, "unseen order")} cancelled in Shopify left out.` : "",
      unreadable.length > 0
        ? `${count(unreadable.length, "order")} could not be read (${unreadable.slice(0, 5).join(", ")}${unreadable.length > 5 ? ", …" : ""}); open them in Shopify.`
        : "",
    ]
      .filter(Boolean)
      .join(" ");
    await prisma.syncRun.update({
      where: { id: run.id },
      data: {
        status: "succeeded",
        finishedAt: new Date(),
        processed: seen,
        total: seen,
        ingested,
        failed: unreadable.length,
        summary,
      },
    });
    log.info({ seen, ingested, cancelled, failed: unreadable.length }, "reconciliation finished");
    return { ok: true, runId: run.id, seen, ingested, cancelled, failed: unreadable.length, summary };
  } catch (error) {
    const summary = adminFailureSummary(error);
    await failSyncRun(
      run.id,
      ingested > 0 ? `${summary} ${count(ingested, "missing order")} recorded before it stopped.` : summary,
      { processed: seen, ingested, failed: unreadable.length },
    );
    log.warn({ err: error instanceof Error ? { name: error.name, message: error.message } : error }, summary);
    if (error instanceof Response) throw error;
    return { ok: false, runId: run.id, reason: "failed", summary };
  }
}

/**
 * Records an order the app never saw, as its orders/paid webhook would have.
 * Returns false when it cannot be read into the webhook's shape. When its
 * webhook wins the race meanwhile, the order is still in exactly once and
 * this sweep does not count it.
 */
async function recordMissedOrder(
  shop: string,
  graphql: AdminGraphql,
  order: GraphqlOrder,
  throttling: AdminThrottling,
  log: Logger,
): Promise<boolean | "duplicate"> {
  const read = await orderWithAllLines(graphql, order, throttling);
  if (!read) return false;
  const recorded = await recordPaidOrder({
    shop,
    order: read.order,
    payload: read.payload,
    webhookId: null,
    source: "reconciliation",
  });
  if (recorded.kind === "duplicate") return "duplicate";
  log.info({ orderId: recorded.orderId }, "reconciliation recorded an order the app had not seen");
  return true;
}

/** An order as the orders/paid body the app stores, every line read; null when it cannot be read into that shape. */
async function orderWithAllLines(
  graphql: AdminGraphql,
  order: GraphqlOrder,
  throttling: AdminThrottling,
): Promise<{ order: ShopifyOrder; payload: Record<string, unknown> } | null> {
  const payload = restOrderFromGraphql(order, await allLines(graphql, order, throttling));
  const parsed = parseShopifyOrder(payload);
  return parsed.success ? { order: parsed.data, payload } : null;
}

/**
 * One order as Shopify has it now, as the orders/paid body the app stores
 * (the sweep's query and mapping, every line read). Null when Shopify has no
 * such order for the app; throws when Shopify cannot be read or answers
 * something that is not an order.
 */
export async function fetchShopifyOrder(
  graphql: AdminGraphql,
  shopifyOrderId: string,
  throttling: AdminThrottling,
): Promise<{ order: ShopifyOrder; payload: Record<string, unknown> } | null> {
  const answer = await throttledAdminQuery(
    graphql,
    ORDER_QUERY,
    { id: `gid://shopify/Order/${shopifyOrderId}`, lines: LINES_PER_ORDER },
    OrderSchema,
    throttling,
    null,
  );
  if (answer.data.order === null) return null;
  const parsed = GraphqlOrderSchema.safeParse(answer.data.order);
  if (!parsed.success)
    throw new UnexpectedShopifyAnswerError(`Shopify's order ${shopifyOrderId} could not be read`);
  const read = await orderWithAllLines(graphql, parsed.data, throttling);
  if (!read) throw new UnexpectedShopifyAnswerError(`Shopify's order ${parsed.data.name} could not be read`);
  return read;
}

/** Every line item of an order: the first ones came with it, the rest are read page by page. */
async function allLines(
  graphql: AdminGraphql,
  order: GraphqlOrder,
  throttling: AdminThrottling,
): Promise<GraphqlOrderLine[]> {
  const lines = [...order.lineItems.nodes];
  let pageInfo = order.lineItems.pageInfo;
  while (pageInfo.hasNextPage && pageInfo.endCursor) {
    const answer = await throttledAdminQuery(
      graphql,
      ORDER_LINES_QUERY,
      { id: order.id, first: LINES_PER_PAGE, cursor: pageInfo.endCursor },
      OrderLinesSchema,
      throttling,
      null,
    );
    if (!answer.data.order)
      throw new UnexpectedShopifyAnswerError(`Order ${order.name} disappeared while being read`);
    lines.push(...answer.data.order.lineItems.nodes);
    pageInfo = answer.data.order.lineItems.pageInfo;
  }
  return lines;
}

function nameOf(node: unknown): string {
  if (typeof node === "object" && node !== null) {
    const record = node as Record<string, unknown>;
    if (typeof record.name === "string") return record.name;
    if (typeof record.id === "string") return record.id;
  }
  return "an order";
}

export async function lastReconciliation(shop: string): Promise<SyncRun | null> {
  return lastSyncRun(shop, RECONCILIATION_SYNC);
}

/** "Reconcile now": the worker runs a sweep of the shop soon (see reconcileDueShops). */
export async function requestReconciliation(shop: string): Promise<void> {
  await prisma.shopSettings.updateMany({ where: { shop }, data: { reconcileRequestedAt: new Date() } });
}

/** Whether the shop is due a sweep: never swept, swept longer than `intervalMs` ago, or asked for since. */
export async function isReconciliationDue(
  shop: string,
  intervalMs: number,
  now = new Date(),
): Promise<boolean> {
  const [last, settings] = await Promise.all([
    lastReconciliation(shop),
    prisma.shopSettings.findUnique({ where: { shop }, select: { reconcileRequestedAt: true } }),
  ]);
  if (!last) return true;
  if (last.status === "running") return false;
  if (settings?.reconcileRequestedAt && settings.reconcileRequestedAt > last.startedAt) return true;
  return intervalMs > 0 && last.startedAt.getTime() <= now.getTime() - intervalMs;
}

export interface ReconciliationView {
  status: string;
  startedAt: string;
  finishedAt: string | null;
  seen: number;
  ingested: number;
  failed: number;
  summary: string | null;
}

/** The last sweep and whether one was asked for since, as the settings page shows them. */
export async function reconciliationView(
  shop: string,
): Promise<{ last: ReconciliationView | null; requested: boolean; days: number }> {
  const [last, settings] = await Promise.all([
    lastReconciliation(shop),
    prisma.shopSettings.findUnique({
      where: { shop },
      select: { reconcileRequestedAt: true, reconcileDays: true },
    }),
  ]);
  const requestedAt = settings?.reconcileRequestedAt ?? null;
  return {
    days: settings?.reconcileDays ?? 7,
    requested: requestedAt !== null && (!last || requestedAt > last.startedAt),
    last: last
      ? {
          status: last.status,
          startedAt: last.startedAt.toISOString(),
          finishedAt: last.finishedAt?.toISOString() ?? null,
          seen: last.processed,
          ingested: last.ingested,
          failed: last.failed,
          summary: last.summary,
        }
      : null,
  };
}
