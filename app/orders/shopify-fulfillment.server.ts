import { z } from "zod/v4";

import {
  throttledAdminQuery,
  type AdminGraphql,
  type AdminThrottling,
} from "../integrations/shopify-admin.server";
import type { Tracking } from "./shipment-tracking";

/** An order's fulfillment orders in Shopify, and marking their lines fulfilled. */

const FULFILLMENT_ORDERS_QUERY = `#graphql
  query FulfillmentOrdersOfOrder($id: ID!, $first: Int!, $lines: Int!) {
    order(id: $id) {
      id
      fulfillmentOrders(first: $first) {
        nodes {
          id
          status
          supportedActions {
            action
          }
          assignedLocation {
            name
            location {
              id
            }
          }
          lineItems(first: $lines) {
            nodes {
              id
              totalQuantity
              remainingQuantity
              lineItem {
                id
              }
            }
          }
        }
      }
    }
  }
`;

const FULFILLMENT_CREATE_MUTATION = `#graphql
  mutation FulfillOrderShippedByBrilliant($fulfillment: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $fulfillment) {
      fulfillment {
        id
        status
      }
      userErrors {
        field
        message
      }
    }
  }
`;

const FulfillmentOrderSchema = z.object({
  id: z.string(),
  status: z.string(),
  supportedActions: z.array(z.object({ action: z.string() })),
  assignedLocation: z.object({
    name: z.string().nullish(),
    location: z.object({ id: z.string() }).nullish(),
  }),
  lineItems: z.object({
    nodes: z.array(
      z.object({
        id: z.string(),
        totalQuantity: z.number().int(),
        remainingQuantity: z.number().int(),
        lineItem: z.object({ id: z.string() }),
      }),
    ),
  }),
});

const FulfillmentOrdersSchema = z.object({
  order: z
    .object({ id: z.string(), fulfillmentOrders: z.object({ nodes: z.array(FulfillmentOrderSchema) }) })
    .nullable(),
});

const FulfillmentCreateSchema = z.object({
  fulfillmentCreate: z
    .object({
      fulfillment: z.object({ id: z.string(), status: z.string().nullish() }).nullish(),
      userErrors: z.array(z.object({ field: z.array(z.string()).nullish(), message: z.string() })),
    })
    .nullable(),
});

export type FulfillmentOrder = z.infer<typeof FulfillmentOrderSchema>;

/** The order's fulfillment orders as Shopify has them now; null when Shopify no longer has the order. */
export async function readFulfillmentOrders(
  graphql: AdminGraphql,
  shopifyOrderId: string,
  throttling: AdminThrottling,
): Promise<FulfillmentOrder[] | null> {
  const answer = await throttledAdminQuery(
    graphql,
    FULFILLMENT_ORDERS_QUERY,
    { id: `gid://shopify/Order/${shopifyOrderId}`, first: 5, lines: 50 },
    FulfillmentOrdersSchema,
    throttling,
    null,
  );
  return answer.data.order?.fulfillmentOrders.nodes ?? null;
}

/**
 * One fulfillment of what remains of these fulfillment orders' lines (all at
 * one location, as fulfillmentCreate requires), with the tracking. Shopify's
 * answer: no fulfillment, with its userErrors, when it refuses.
 */
export async function createFulfillment(
  graphql: AdminGraphql,
  fulfillmentOrders: Array<{ id: string; lines: Array<{ id: string; remainingQuantity: number }> }>,
  tracking: Tracking | null,
  throttling: AdminThrottling,
) {
  const created = await throttledAdminQuery(
    graphql,
    FULFILLMENT_CREATE_MUTATION,
    {
      fulfillment: {
        // Always line by line: a fulfillment order without its lines listed would be fulfilled
        // whole, lines Brilliant did not ship (the merchant's own, a pickup) included.
        lineItemsByFulfillmentOrder: fulfillmentOrders
          .filter((fo) => fo.lines.length > 0)
          .map((fo) => ({
            fulfillmentOrderId: fo.id,
            fulfillmentOrderLineItems: fo.lines.map((line) => ({
              id: line.id,
              quantity: line.remainingQuantity,
            })),
          })),
        // The customer hears of the shipment when there is something to track.
        notifyCustomer: Boolean(tracking?.number || tracking?.url),
        ...(tracking
          ? {
              trackingInfo: {
                ...(tracking.number ? { number: tracking.number } : {}),
                ...(tracking.url ? { url: tracking.url } : {}),
                ...(tracking.company ? { company: tracking.company } : {}),
              },
            }
          : {}),
      },
    },
    FulfillmentCreateSchema,
    throttling,
    10,
  );
  return created.data.fulfillmentCreate;
}
