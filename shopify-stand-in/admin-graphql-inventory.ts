/**
 * The inventory side of the Admin GraphQL stand-in (`admin-graphql.ts`): a
 * shop's locations, the `available` quantity of each inventory item stocked
 * at a location, and `inventorySetQuantities` as 2026-10 takes it: each
 * quantity carries `changeFromQuantity` (compare-and-swap; `null` opts out,
 * leaving it out is refused), the mutation carries `@idempotent(key:)`, and a
 * stale `changeFromQuantity` is answered with the userError Shopify gives
 * (`CHANGE_FROM_QUANTITY_STALE`). Every variant of the shop's products has an
 * inventory item (`inventoryItemIdOf`), tracked unless the variant says not.
 *
 * Operations (matched by name, like the products ones):
 * - `StockSyncLocations`: `locations(first)` (active ones, as Shopify's
 *   default `includeInactive: false` lists them);
 * - `StockSyncLevels`: `nodes(ids)` as InventoryItems with
 *   `inventoryLevel(locationId) { quantities(names) }`: null for an unknown
 *   id, a null level for an item not stocked at the location;
 * - `StockSyncSet`: `inventorySetQuantities(input) @idempotent(key)`.
 *
 * Ours, where Shopify documents nothing: a batch with any userError sets
 * nothing; a repeated idempotency key with the same input answers the first
 * answer again without setting anything, with another input
 * `IDEMPOTENCY_KEY_PARAMETER_MISMATCH`; a mutation without the directive is a
 * GraphQL error. Cost model (ours): `locations(first: N)` requests 2 + N and
 * costs 2 + the locations returned; `nodes(ids)` requests 1 + 3 per id and
 * costs 1 + 3 per item found; a mutation costs 10.
 */

import { STAND_IN_LOCATION, type OperationResult } from "./admin-graphql-orders";

export interface StandInLocation {
  /** Numeric id, as in gid://shopify/Location/<id>. */
  id: number;
  name: string;
  /** true when left out. */
  isActive?: boolean;
  /** true when left out. */
  fulfillsOnlineOrders?: boolean;
}

/** A variant as far as its inventory item goes (StandInVariant's fields). */
export interface InventoryVariant {
  id: number;
  sku?: string | null;
  /** The variant's inventory item id; INVENTORY_ITEM_ID_OFFSET + the variant's id when left out. */
  inventoryItemId?: number;
  /** Whether Shopify tracks its inventory; true when left out. */
  tracked?: boolean;
}

export interface StandInInventoryChange {
  inventoryItemId: number;
  locationId: number;
  name: string;
  delta: number;
  quantityAfterChange: number;
  reason: string;
  at: string;
}

export interface InventoryState {
  locations: StandInLocation[];
  /** `${inventoryItemId}@${locationId}` → available; an item with no entry is not stocked there. */
  available: Map<string, number>;
  /** Every quantity set through inventorySetQuantities, oldest first. */
  changes: StandInInventoryChange[];
  /** Idempotency key → the input it came with and the answer given. */
  idempotency: Map<string, { input: string; result: OperationResult }>;
}

export const INVENTORY_ITEM_ID_OFFSET = 10_000_000_000;

/** The shop's one location unless a test sets others (the orders' fulfillment orders are assigned to it too). */
export const DEFAULT_LOCATIONS: readonly StandInLocation[] = [STAND_IN_LOCATION];

export function inventoryItemIdOf(variant: InventoryVariant): number {
  return variant.inventoryItemId ?? variant.id + INVENTORY_ITEM_ID_OFFSET;
}

export function inventoryItemGid(id: number | string): string {
  return `gid://shopify/InventoryItem/${id}`;
}

export function locationGid(id: number | string): string {
  return `gid://shopify/Location/${id}`;
}

export function inventoryState(locations: readonly StandInLocation[] = DEFAULT_LOCATIONS): InventoryState {
  return {
    locations: structuredClone([...locations]),
    available: new Map(),
    changes: [],
    idempotency: new Map(),
  };
}

export const levelKey = (inventoryItemId: number, locationId: number) => `${inventoryItemId}@${locationId}`;

/** The inventory item of a variant, as a ProductVariant's `inventoryItem` answers it. */
export function inventoryItemNode(variant: InventoryVariant) {
  const id = inventoryItemIdOf(variant);
  return {
    __typename: "InventoryItem",
    id: inventoryItemGid(id),
    legacyResourceId: String(id),
    sku: variant.sku ?? null,
    tracked: variant.tracked !== false,
  };
}

type Handler = (
  query: string,
  variables: Record<string, unknown>,
  state: InventoryState,
  variants: readonly InventoryVariant[],
  requested: number,
) => OperationResult;

/** What an inventory operation asks the bucket for before it runs; null for an operation not played here. */
export function requestedInventoryCost(
  operation: string,
  query: string,
  variables: Record<string, unknown>,
): number | null {
  switch (operation) {
    case "StockSyncLocations":
      return 2 + locationsFirst(query, variables);
    case "StockSyncLevels":
      return 1 + 3 * (Array.isArray(variables.ids) ? variables.ids.length : 0);
    case "StockSyncSet":
      return 10;
    default:
      return null;
  }
}

export const INVENTORY_OPERATIONS: Record<string, Handler> = {
  StockSyncLocations: (query, variables, state, _variants, requested) => {
    const nodes = state.locations
      .filter((location) => location.isActive !== false)
      .slice(0, locationsFirst(query, variables))
      .map((location) => ({
        id: locationGid(location.id),
        legacyResourceId: String(location.id),
        name: location.name,
        isActive: location.isActive !== false,
        fulfillsOnlineOrders: location.fulfillsOnlineOrders !== false,
      }));
    return {
      data: {
        locations: {
          nodes,
          pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
        },
      },
      requestedQueryCost: requested,
      actualQueryCost: 2 + nodes.length,
    };
  },

  StockSyncLevels: (query, variables, state, variants, requested) => {
    const ids = Array.isArray(variables.ids) ? variables.ids : [];
    const locationId =
      idOf(variables.locationId, "Location") ??
      idOf(/inventoryLevel\s*\(\s*locationId\s*:\s*"([^"]+)"/.exec(query)?.[1], "Location");
    const names = quantityNames(query);
    const byItem = new Map(variants.map((variant) => [inventoryItemIdOf(variant), variant]));
    let found = 0;
    const nodes = ids.map((gid) => {
      const id = idOf(gid, "InventoryItem");
      const variant = id === null ? undefined : byItem.get(id);
      if (id === null || !variant) return null;
      found += 1;
      const available = locationId === null ? undefined : state.available.get(levelKey(id, locationId));
      return {
        ...inventoryItemNode(variant),
        inventoryLevel:
          available === undefined
            ? null
            : {
                id: `gid://shopify/InventoryLevel/${id}?inventory_item_id=${id}&location_id=${locationId}`,
                quantities: names.map((name) => ({
                  id: `gid://shopify/InventoryQuantity/${id}?location_id=${locationId}&name=${name}`,
                  name,
                  // The stand-in keeps `available` only; on hand is as much (nothing committed).
                  quantity: name === "available" || name === "on_hand" ? available : 0,
                  updatedAt: null,
                })),
              },
      };
    });
    return { data: { nodes }, requestedQueryCost: requested, actualQueryCost: 1 + 3 * found };
  },

  StockSyncSet: (query, variables, state, variants, requested) => {
    const cost = { requestedQueryCost: requested, actualQueryCost: requested };
    const key = idempotencyKey(query, variables);
    if (key === null) {
      return {
        errors: [
          {
            message: "inventorySetQuantities requires the @idempotent directive with a key.",
            extensions: { code: "BAD_REQUEST" },
          },
        ],
        ...cost,
      };
    }
    const inputText = JSON.stringify(variables.input ?? null);
    const earlier = state.idempotency.get(key);
    if (earlier) {
      if (earlier.input === inputText) return earlier.result;
      return answer([
        {
          code: "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
          field: null,
          message: "The same idempotency key cannot be used with different operation parameters.",
        },
      ]);
    }
    const result = setQuantities(variables.input, state, variants);
    const answered = "errors" in result ? answer(result.errors) : answer([], result.group);
    state.idempotency.set(key, { input: inputText, result: answered });
    return answered;

    function answer(userErrors: UserError[], group: unknown = null): OperationResult {
      return { data: { inventorySetQuantities: { inventoryAdjustmentGroup: group, userErrors } }, ...cost };
    }
  },
};

interface UserError {
  code: string | null;
  field: string[] | null;
  message: string;
}

// The reasons Shopify takes (InventorySetQuantitiesInput.reason), as far as an app would send them.
const REASONS = new Set([
  "correction",
  "cycle_count_available",
  "damaged",
  "other",
  "promotion",
  "quality_control",
  "received",
  "restock",
  "safety_stock",
  "shrinkage",
]);

let nextGroupId = 9_000_000_001;

/** Sets every quantity of `input`, or none: the errors, as userErrors, when any is refused. */
function setQuantities(
  input: unknown,
  state: InventoryState,
  variants: readonly InventoryVariant[],
): { errors: UserError[] } | { group: unknown } {
  const given = (input ?? {}) as { name?: unknown; reason?: unknown; quantities?: unknown };
  const errors: UserError[] = [];
  if (given.name !== "available" && given.name !== "on_hand") {
    errors.push({
      code: "INVALID_NAME",
      field: ["input", "name"],
      message: "The quantity name must be either 'available' or 'on_hand'.",
    });
  }
  if (typeof given.reason !== "string" || !REASONS.has(given.reason)) {
    errors.push({
      code: "INVALID_REASON",
      field: ["input", "reason"],
      message: "The specified reason is invalid.",
    });
  }
  const items = new Set(variants.map(inventoryItemIdOf));
  const planned: Array<{ item: number; location: number; quantity: number; before: number }> = [];
  const quantities = Array.isArray(given.quantities) ? (given.quantities as Record<string, unknown>[]) : [];
  quantities.forEach((entry, index) => {
    const field = (name: string) => ["input", "quantities", String(index), name];
    const item = idOf(entry.inventoryItemId, "InventoryItem");
    const location = idOf(entry.locationId, "Location");
    const quantity = entry.quantity;
    if (!Object.hasOwn(entry, "changeFromQuantity")) {
      errors.push({
        code: "COMPARE_QUANTITY_REQUIRED",
        field: field("changeFromQuantity"),
        message: "changeFromQuantity must be given for each quantity (null to skip the check).",
      });
      return;
    }
    if (item === null || !items.has(item)) {
      errors.push({
        code: "INVALID_INVENTORY_ITEM",
        field: field("inventoryItemId"),
        message: "The specified inventory item could not be found.",
      });
      return;
    }
    if (location === null || !state.locations.some((candidate) => candidate.id === location)) {
      errors.push({
        code: "INVALID_LOCATION",
        field: field("locationId"),
        message: "The specified location could not be found.",
      });
      return;
    }
    const current = state.available.get(levelKey(item, location));
    if (current === undefined) {
      errors.push({
        code: "ITEM_NOT_STOCKED_AT_LOCATION",
        field: field("locationId"),
        message: "The specified inventory item is not stocked at the location.",
      });
      return;
    }
    if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 0) {
      errors.push({
        code: "INVALID_QUANTITY_NEGATIVE",
        field: field("quantity"),
        message: "The quantity can't be negative.",
      });
      return;
    }
    if (quantity > 1_000_000_000) {
      errors.push({
        code: "INVALID_QUANTITY_TOO_HIGH",
        field: field("quantity"),
        message: "The total quantity can't be higher than 1,000,000,000.",
      });
      return;
    }
    if (planned.some((other) => other.item === item && other.location === location)) {
      errors.push({
        code: "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
        field: field("inventoryItemId"),
        message: "The combination of inventoryItemId and locationId must be unique.",
      });
      return;
    }
    if (entry.changeFromQuantity !== null && entry.changeFromQuantity !== current) {
      errors.push({
        code: "CHANGE_FROM_QUANTITY_STALE",
        field: field("changeFromQuantity"),
        message: "The changeFromQuantity value does not match persisted value.",
      });
      return;
    }
    planned.push({ item, location, quantity, before: current });
  });
  if (errors.length > 0) return { errors };

  const at = new Date().toISOString();
  const reason = given.reason as string;
  const name = given.name as string;
  for (const { item, location, quantity, before } of planned) {
    state.available.set(levelKey(item, location), quantity);
    state.changes.push({
      inventoryItemId: item,
      locationId: location,
      name,
      delta: quantity - before,
      quantityAfterChange: quantity,
      reason,
      at,
    });
  }
  return {
    group: {
      id: `gid://shopify/InventoryAdjustmentGroup/${nextGroupId++}`,
      createdAt: at,
      reason,
      referenceDocumentUri: null,
      changes: planned.map(({ item, location, quantity, before }) => ({
        name,
        delta: quantity - before,
        quantityAfterChange: quantity,
        ledgerDocumentUri: null,
        item: { id: inventoryItemGid(item) },
        location: { id: locationGid(location) },
      })),
    },
  };
}

/** `@idempotent(key: $var)` or `@idempotent(key: "…")` on the mutation; null when it carries none. */
function idempotencyKey(query: string, variables: Record<string, unknown>): string | null {
  const match = /@idempotent\s*\(\s*key\s*:\s*(?:\$(\w+)|"([^"]*)")\s*\)/.exec(query);
  if (!match) return null;
  const key = match[1] !== undefined ? variables[match[1]] : match[2];
  return typeof key === "string" && key.trim() !== "" ? key : null;
}

/** The quantity names a `quantities(names: [...])` selection asks for. */
function quantityNames(query: string): string[] {
  const list = /quantities\s*\(\s*names\s*:\s*\[([^\]]*)\]/.exec(query)?.[1] ?? '"available"';
  return [...list.matchAll(/"([^"]+)"/g)].map((match) => match[1]!);
}

function locationsFirst(query: string, variables: Record<string, unknown>): number {
  const fromQuery = /locations\s*\(\s*[^)]*\bfirst\s*:\s*(\d+)/.exec(query)?.[1];
  const first = typeof variables.first === "number" ? variables.first : fromQuery ? Number(fromQuery) : 50;
  return Math.max(0, Math.min(250, first));
}

/** The numeric id at the end of a GID of `type`; null when it is not one. */
function idOf(value: unknown, type: string): number | null {
  if (typeof value !== "string") return null;
  const match = new RegExp(`^gid://shopify/${type}/(\\d+)$`).exec(value);
  return match ? Number(match[1]) : null;
}
