import { z } from "zod/v4";

import type { AdminGraphql, AdminThrottling } from "../integrations/shopify-admin.server";
import {
  readPagesWithinBudget,
  throttledAdminQuery,
  UnexpectedShopifyAnswerError,
} from "../integrations/shopify-admin.server";
import { connectionSchema } from "./admin-reads.server";
import {
  GraphqlOrderSchema,
  LineItemsConnectionSchema,
  restOrderFromGraphql,
  type GraphqlOrder,
  type GraphqlOrderLine,
} from "./shopify-order-from-graphql";
import { parseShopifyOrder, type ShopifyOrder } from "./shopify-order";

/**
 * Shopify orders read through the Admin GraphQL API and mapped to the
 * orders/paid body the app stores: the sweep's pages of paid orders, and one
 * order read again (order edits); and an order's tags and cancellation, read
 * just before it leaves the shop's forwarding delay.
 */

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
    # The customer's line item properties: the item's note at Brilliant.
    customAttributes {
      key
      value
    }
  }
`;

// The order fields the app reads (see restOrderFromGraphql), shared by the
// sweep's pages and the single-order read.
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
    # The customer's order note and cart attributes (a gift message): with the first item's note at Brilliant.
    note
    customAttributes {
      key
      value
    }
    # Placed with payment terms: recorded unpaid when the shop says so (payment-terms.ts).
    paymentTerms {
      paymentTermsName
      paymentTermsType
      dueInDays
    }
    # How it is delivered: a POS sale, a pickup or a local delivery has nothing for Brilliant to ship.
    sourceName
    shippingLines(first: 5) {
      nodes {
        code
        source
        title
        deliveryCategory
      }
    }
    fulfillmentOrders(first: 5) {
      nodes {
        deliveryMethod {
          methodType
        }
      }
    }
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

const ORDER_BEFORE_SENDING_QUERY = `#graphql
  query ReadOrderBeforeSending($id: ID!) {
    order(id: $id) {
      id
      tags
      cancelledAt
    }
  }
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
const OrdersPageSchema = z.object({ orders: connectionSchema(z.unknown()) });

// Read loosely like the pages, then checked as an order (an unreadable one is an error, not "none").
const OrderSchema = z.object({ order: z.unknown().nullable() });

const OrderBeforeSendingSchema = z.object({
  order: z
    .object({ id: z.string(), tags: z.array(z.string()), cancelledAt: z.string().nullable() })
    .nullable(),
});

const OrderLinesSchema = z.object({
  order: z.object({ id: z.string(), lineItems: LineItemsConnectionSchema }).nullable(),
});

export interface StoredShopifyOrder {
  order: ShopifyOrder;
  payload: Record<string, unknown>;
}

/**
 * The search Shopify runs for the sweep: orders of a financial status ("paid";
 * "pending" for those placed with payment terms) created since `since`.
 */
export function ordersSearch(financialStatus: "paid" | "pending", since: Date): string {
  return `financial_status:${financialStatus} created_at:>='${since.toISOString()}'`;
}

/**
 * Every page of the shop's orders of a financial status created since
 * `since`, within the shop's query budget: the orders that read as orders,
 * and the names of those that do not.
 */
export async function readOrderPages(
  graphql: AdminGraphql,
  throttling: AdminThrottling,
  read: {
    financialStatus: "paid" | "pending";
    since: Date;
    pageSize?: number;
    onPage: (orders: GraphqlOrder[], unreadable: string[]) => Promise<void>;
  },
): Promise<void> {
  await readPagesWithinBudget({
    graphql,
    operation: ORDERS_PAGE_QUERY,
    schema: OrdersPageSchema,
    throttling,
    pageSize: Math.min(ORDERS_PER_PAGE, read.pageSize ?? ORDERS_PER_PAGE),
    variables: (first, cursor) => ({
      first,
      cursor,
      search: ordersSearch(read.financialStatus, read.since),
      lines: LINES_PER_ORDER,
    }),
    pageInfo: (data) => data.orders.pageInfo,
    items: "orders",
    onPage: async (data) => {
      const orders: GraphqlOrder[] = [];
      const unreadable: string[] = [];
      for (const node of data.orders.nodes) {
        const parsed = GraphqlOrderSchema.safeParse(node);
        if (parsed.success) orders.push(parsed.data);
        else unreadable.push(nameOf(node));
      }
      await read.onPage(orders, unreadable);
    },
  });
}

/** An order as the orders/paid body the app stores, every line read; null when it cannot be read into that shape. */
export async function orderWithAllLines(
  graphql: AdminGraphql,
  order: GraphqlOrder,
  throttling: AdminThrottling,
): Promise<StoredShopifyOrder | null> {
  const payload = restOrderFromGraphql(order, await allLines(graphql, order, throttling));
  const parsed = parseShopifyOrder(payload);
  return parsed.success ? { order: parsed.data, payload } : null;
}

/**
 * One order as Shopify has it now, as the orders/paid body the app stores.
 * Null when Shopify has no such order for the app; throws when Shopify cannot
 * be read or answers something that is not an order.
 */
export async function fetchShopifyOrder(
  graphql: AdminGraphql,
  shopifyOrderId: string,
  throttling: AdminThrottling,
): Promise<StoredShopifyOrder | null> {
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

/**
 * What may change about an order while it waits out the forwarding delay
 * without an order edit: its tags and whether it was cancelled. Null when
 * Shopify has no such order for the app; throws when Shopify cannot be read.
 */
export async function fetchOrderTagsAndCancellation(
  graphql: AdminGraphql,
  shopifyOrderId: string,
  throttling: AdminThrottling,
): Promise<{ tags: string[]; cancelledAt: string | null } | null> {
  const answer = await throttledAdminQuery(
    graphql,
    ORDER_BEFORE_SENDING_QUERY,
    { id: `gid://shopify/Order/${shopifyOrderId}` },
    OrderBeforeSendingSchema,
    throttling,
    null,
  );
  return answer.data.order && { tags: answer.data.order.tags, cancelledAt: answer.data.order.cancelledAt };
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
