import { randomUUID } from "node:crypto";

import { z } from "zod/v4";

import {
  QueryTooCostlyError,
  throttledAdminQuery,
  type AdminGraphql,
  type AdminThrottling,
} from "../integrations/shopify-admin.server";

/**
 * The shop's locations and the `available` quantities at one of them, read
 * and set through the Admin GraphQL API within the shop's cost budget
 * (throttledAdminQuery): what the stock sync (stock-to-shopify.server.ts) and
 * the settings page need of Shopify's inventory. Needs `write_inventory`
 * (which reads too; locations are readable with it).
 */

const LOCATIONS_QUERY = `#graphql
  query StockSyncLocations($first: Int!) {
    locations(first: $first) {
      nodes {
        id
        name
        isActive
        fulfillsOnlineOrders
      }
    }
  }
`;

const LEVELS_QUERY = `#graphql
  query StockSyncLevels($ids: [ID!]!, $locationId: ID!) {
    nodes(ids: $ids) {
      ... on InventoryItem {
        id
        tracked
        inventoryLevel(locationId: $locationId) {
          quantities(names: ["available"]) {
            name
            quantity
          }
        }
      }
    }
  }
`;

// Admin API 2026-10: compareQuantity and ignoreCompareQuantity are gone
// (removed in 2026-04); each quantity carries changeFromQuantity, the
// quantity we read, so a sale between our read and this write is never
// overwritten (CHANGE_FROM_QUANTITY_STALE instead), and the mutation must
// carry an idempotency key (@idempotent), the same one on every retry of it.
const SET_MUTATION = `#graphql
  mutation StockSyncSet($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
    inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
      inventoryAdjustmentGroup {
        id
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

/** Locations a shop lists at most; the settings page offers the first ones. */
export const MAX_LOCATIONS = 50;
/** Inventory items read at once: 3 points each as Shopify counts them, a third of a standard bucket. */
export const LEVELS_PER_READ = 100;
/** Quantities set at once. */
export const QUANTITIES_PER_SET = 250;

const LocationsSchema = z.object({
  locations: z.object({
    nodes: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        isActive: z.boolean(),
        fulfillsOnlineOrders: z.boolean(),
      }),
    ),
  }),
});

const ItemNodeSchema = z.object({
  id: z.string(),
  tracked: z.boolean(),
  inventoryLevel: z
    .object({ quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })) })
    .nullable(),
});

// An id that names nothing is null; one that names another kind of object, {}.
const LevelsSchema = z.object({ nodes: z.array(z.union([ItemNodeSchema, z.object({})]).nullable()) });

const SetSchema = z.object({
  inventorySetQuantities: z
    .object({
      inventoryAdjustmentGroup: z.object({ id: z.string() }).nullable(),
      userErrors: z.array(
        z.object({ code: z.string().nullable(), field: z.array(z.string()).nullable(), message: z.string() }),
      ),
    })
    .nullable(),
});

export interface ShopLocation {
  id: string;
  name: string;
  fulfillsOnlineOrders: boolean;
}

/** The shop's active locations, as the merchant names them. */
export async function readShopLocations(
  graphql: AdminGraphql,
  throttling: AdminThrottling,
): Promise<ShopLocation[]> {
  const answer = await throttledAdminQuery(
    graphql,
    LOCATIONS_QUERY,
    { first: MAX_LOCATIONS },
    LocationsSchema,
    throttling,
    null,
  );
  return answer.data.locations.nodes
    .filter((location) => location.isActive)
    .map(({ id, name, fulfillsOnlineOrders }) => ({ id, name, fulfillsOnlineOrders }));
}

export interface ItemAtLocation {
  tracked: boolean;
  /** Null when the item is not stocked at the location. */
  available: number | null;
}

/**
 * Whether each inventory item is tracked and its `available` at the location,
 * by item id; an item Shopify no longer has is left out. Reads
 * LEVELS_PER_READ at a time, fewer while one read costs more than the shop's
 * bucket holds.
 */
export async function readItemsAtLocation(
  graphql: AdminGraphql,
  throttling: AdminThrottling,
  locationId: string,
  inventoryItemIds: readonly string[],
): Promise<Map<string, ItemAtLocation>> {
  const items = new Map<string, ItemAtLocation>();
  let size = LEVELS_PER_READ;
  for (let from = 0; from < inventoryItemIds.length;) {
    const ids = inventoryItemIds.slice(from, from + size);
    let answer;
    try {
      answer = await throttledAdminQuery(
        graphql,
        LEVELS_QUERY,
        { ids, locationId },
        LevelsSchema,
        throttling,
        null,
      );
    } catch (error) {
      if (error instanceof QueryTooCostlyError && size > 1) {
        size = Math.max(1, Math.floor(size / 2));
        continue;
      }
      throw error;
    }
    for (const node of answer.data.nodes) {
      if (!node || !("tracked" in node)) continue;
      const available = node.inventoryLevel?.quantities.find((quantity) => quantity.name === "available");
      items.set(node.id, {
        tracked: node.tracked,
        available: node.inventoryLevel ? (available?.quantity ?? 0) : null,
      });
    }
    from += ids.length;
  }
  return items;
}

export interface QuantityToSet {
  inventoryItemId: string;
  quantity: number;
  /** What was read: Shopify sets `quantity` only while `available` is still this. */
  changeFromQuantity: number;
}

export interface RefusedQuantity {
  /** Index in the quantities sent; null when Shopify names no one quantity. */
  index: number | null;
  code: string | null;
  message: string;
}

/** Nothing is set when Shopify refuses any quantity of a call; `refused` says which and why. */
export type SetOutcome = { set: true } | { set: false; refused: RefusedQuantity[] };

/** Sets `available` of up to QUANTITIES_PER_SET items at the location, compare-and-swap on what was read. */
export async function setAvailableAt(
  graphql: AdminGraphql,
  throttling: AdminThrottling,
  locationId: string,
  quantities: readonly QuantityToSet[],
): Promise<SetOutcome> {
  const answer = await throttledAdminQuery(
    graphql,
    SET_MUTATION,
    {
      idempotencyKey: randomUUID(),
      input: {
        name: "available",
        reason: "correction",
        quantities: quantities.map((entry) => ({ ...entry, locationId })),
      },
    },
    SetSchema,
    throttling,
    null,
  );
  const errors = answer.data.inventorySetQuantities?.userErrors ?? [];
  if (errors.length === 0) return { set: true };
  return {
    set: false,
    refused: errors.map((error) => {
      // ["input", "quantities", "3", "changeFromQuantity"]: the fourth quantity sent.
      const at =
        error.field?.[0] === "input" && error.field[1] === "quantities" ? Number(error.field[2]) : NaN;
      return { index: Number.isInteger(at) ? at : null, code: error.code, message: error.message };
    }),
  };
}
