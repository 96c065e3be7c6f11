import { afterEach, beforeEach, describe, expect, it } from "vitest";

import {
  generateProducts,
  inventoryItemGid,
  inventoryItemIdOf,
  locationGid,
  STAND_IN_LOCATION,
  standInAccessToken,
  startAdminGraphqlStandIn,
  type AdminGraphqlStandIn,
} from "../../shopify-stand-in/admin-graphql";

// The stand-in's inventory over raw HTTP, as 2026-10 answers it: levels read
// per location, and inventorySetQuantities with changeFromQuantity and
// @idempotent. The app's side is in app/catalog/stock-to-shopify.server.test.ts.

const SHOP = "stand-in-inventory.myshopify.com";
const LOCATION = STAND_IN_LOCATION.id;
const [first, second] = generateProducts(2, 1).map((product) => inventoryItemIdOf(product.variants[0]!));

const SET = `mutation StockSyncSet($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { code field message }
  }
}`;

const LEVELS = `query StockSyncLevels($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem { id tracked inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } } }
  }
}`;

let standIn: AdminGraphqlStandIn;

beforeEach(async () => {
  standIn = await startAdminGraphqlStandIn({ shops: { [SHOP]: { products: generateProducts(2, 1) } } });
  standIn.setAvailable(SHOP, first!, LOCATION, 10);
  standIn.setAvailable(SHOP, second!, LOCATION, 3);
});
afterEach(() => standIn.close());

async function post(query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${standIn.origin}/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-host": SHOP,
      "x-shopify-access-token": standInAccessToken(SHOP),
    },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (await response.json()) as any;
}

const quantity = (item: number, to: number, changeFromQuantity: number | null) => ({
  inventoryItemId: inventoryItemGid(item),
  locationId: locationGid(LOCATION),
  quantity: to,
  changeFromQuantity,
});
const input = (...quantities: ReturnType<typeof quantity>[]) => ({
  name: "available",
  reason: "correction",
  quantities,
});

describe("Admin GraphQL stand-in: inventory", () => {
  it("reads each item's available at a location, null where it is not stocked or no such item", async () => {
    const body = await post(LEVELS, {
      ids: [inventoryItemGid(first!), inventoryItemGid(999)],
      locationId: locationGid(LOCATION),
    });
    expect(body.data.nodes).toEqual([
      {
        id: inventoryItemGid(first!),
        tracked: true,
        inventoryLevel: { quantities: [{ name: "available", quantity: 10 }] },
      },
      null,
    ]);
    const elsewhere = await post(LEVELS, { ids: [inventoryItemGid(first!)], locationId: locationGid(5) });
    expect(elsewhere.data.nodes[0].inventoryLevel).toBeNull();
    expect(body.extensions.cost).toMatchObject({ requestedQueryCost: 7, actualQueryCost: 4 });
  });

  it("sets quantities whose changeFromQuantity is what it holds, and refuses the whole call when one is stale", async () => {
    const stale = await post(SET, {
      idempotencyKey: "k1",
      input: input(quantity(first!, 12, 10), quantity(second!, 5, 2)),
    });
    expect(stale.data.inventorySetQuantities).toEqual({
      inventoryAdjustmentGroup: null,
      userErrors: [
        {
          code: "CHANGE_FROM_QUANTITY_STALE",
          field: ["input", "quantities", "1", "changeFromQuantity"],
          message: "The changeFromQuantity value does not match persisted value.",
        },
      ],
    });
    expect(standIn.available(SHOP, first!, LOCATION)).toBe(10);

    const set = await post(SET, {
      idempotencyKey: "k2",
      input: input(quantity(first!, 12, 10), quantity(second!, 5, 3)),
    });
    expect(set.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(set.data.inventorySetQuantities.inventoryAdjustmentGroup.changes).toEqual([
      { name: "available", delta: 2, quantityAfterChange: 12 },
      { name: "available", delta: 2, quantityAfterChange: 5 },
    ]);
    expect([standIn.available(SHOP, first!, LOCATION), standIn.available(SHOP, second!, LOCATION)]).toEqual([
      12, 5,
    ]);
  });

  it("answers a repeated idempotency key with its first answer, setting nothing again; another input under it is refused", async () => {
    const variables = { idempotencyKey: "same", input: input(quantity(first!, 20, null)) };
    const once = await post(SET, variables);
    standIn.setAvailable(SHOP, first!, LOCATION, 7); // a sale after the write
    expect((await post(SET, variables)).data).toEqual(once.data);
    expect(standIn.available(SHOP, first!, LOCATION)).toBe(7);
    expect(standIn.inventoryChanges(SHOP)).toHaveLength(1);

    const other = await post(SET, { idempotencyKey: "same", input: input(quantity(first!, 21, null)) });
    expect(other.data.inventorySetQuantities.userErrors[0].code).toBe("IDEMPOTENCY_KEY_PARAMETER_MISMATCH");
  });

  it("refuses, as 2026-10 does, a quantity without changeFromQuantity and a call without @idempotent", async () => {
    const { changeFromQuantity: _left, ...bare } = quantity(first!, 1, 10);
    const missing = await post(SET, {
      idempotencyKey: "k3",
      input: input(bare as ReturnType<typeof quantity>),
    });
    expect(missing.data.inventorySetQuantities.userErrors[0]).toMatchObject({
      code: "COMPARE_QUANTITY_REQUIRED",
      field: ["input", "quantities", "0", "changeFromQuantity"],
    });
    const withoutKey = await post(
      `mutation StockSyncSet($input: InventorySetQuantitiesInput!) {
        inventorySetQuantities(input: $input) { userErrors { code } }
      }`,
      { input: input(quantity(first!, 1, 10)) },
    );
    expect(withoutKey.errors[0].message).toMatch(/@idempotent/);
    expect(standIn.available(SHOP, first!, LOCATION)).toBe(10);
  });
});
