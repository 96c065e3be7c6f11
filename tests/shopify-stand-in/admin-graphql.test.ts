import { afterEach, describe, expect, it } from "vitest";
import {
  fulfillmentOrderGid,
  generateProducts,
  restProductPayload,
  standInAccessToken,
  startAdminGraphqlStandIn,
  type AdminGraphqlStandIn,
  type AdminGraphqlStandInOptions,
  type StandInOrder,
  type ThrottleStatus,
} from "../../shopify-stand-in/admin-graphql";

// The stand-in on its own, over raw HTTP, as Shopify's Admin GraphQL API
// answers: the app's side is tested in app/catalog/shopify-variants.server.test.ts.

const SHOP = "stand-in-test.myshopify.com";
const PAGE_QUERY = `#graphql
  query ShopifyVariantsPage($first: Int!, $cursor: String) {
    productVariants(first: $first, after: $cursor) { nodes { id } pageInfo { hasNextPage endCursor } }
  }`;

interface StandInAnswer {
  data?: {
    productVariants: {
      nodes: Array<{ id: string }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
  errors?: Array<{ message: string; extensions: { code: string } }>;
  extensions: {
    cost: { requestedQueryCost: number; actualQueryCost: number | null; throttleStatus: ThrottleStatus };
  };
}

let standIn: AdminGraphqlStandIn | undefined;

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function start(options: Partial<AdminGraphqlStandInOptions> = {}) {
  standIn = await startAdminGraphqlStandIn({
    shops: { [SHOP]: { products: generateProducts(10, 3) } },
    ...options,
  });
  return standIn;
}

async function post(
  body: unknown,
  headers: Record<string, string> = {},
  path = "/admin/api/2026-10/graphql.json",
): Promise<{ status: number; body: StandInAnswer }> {
  const response = await fetch(`${standIn!.origin}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-host": SHOP,
      "x-shopify-access-token": standInAccessToken(SHOP),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as StandInAnswer };
}

describe("Admin GraphQL stand-in", () => {
  it("GIVEN 30 variants WHEN paged 12 at a time THEN every variant comes once, in id order, with Shopify's cost extension", async () => {
    await start();
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { status, body } = await post({ query: PAGE_QUERY, variables: { first: 12, cursor } });
      expect(status).toBe(200);
      expect(body.extensions.cost).toMatchObject({
        requestedQueryCost: 14,
        throttleStatus: { maximumAvailable: 1000, restoreRate: 50 },
      });
      const connection = body.data!.productVariants;
      ids.push(...connection.nodes.map((node) => node.id));
      if (!connection.pageInfo.hasNextPage) break;
      cursor = connection.pageInfo.endCursor;
    }
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(ids[0]).toBe("gid://shopify/ProductVariant/45000000001");
    expect([...ids].sort()).toEqual(ids);
  });

  it("answers 401 to a wrong access token and 404 to an unknown shop or path", async () => {
    await start();
    expect((await post({ query: PAGE_QUERY }, { "x-shopify-access-token": "nope" })).status).toBe(401);
    expect((await post({ query: PAGE_QUERY }, { "x-forwarded-host": "other.myshopify.com" })).status).toBe(
      404,
    );
    expect((await post({ query: PAGE_QUERY }, {}, "/admin/api/2026-10/products.json")).status).toBe(404);
  });

  it("answers an operation it does not play with a GraphQL error naming it", async () => {
    await start();
    const { status, body } = await post({ query: "query SomethingNew { shop { name } }" });
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions.code).toBe("UNKNOWN_OPERATION");
    expect(body.errors?.[0]?.message).toMatch(/SomethingNew/);
  });

  it("GIVEN an empty bucket THEN answers THROTTLED with HTTP 200 and the throttle status, and serves again once refilled", async () => {
    // 52 points a query, 100 restored a second: throttled for ~0.5 s after draining.
    await start({ bucket: { maximumAvailable: 100, restoreRate: 100 } });
    standIn!.drain(SHOP);
    const throttled = await post({ query: PAGE_QUERY, variables: { first: 50 } });
    expect(throttled.status).toBe(200);
    expect(throttled.body.errors).toEqual([{ message: "Throttled", extensions: { code: "THROTTLED" } }]);
    expect(throttled.body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(52);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const served = await post({ query: PAGE_QUERY, variables: { first: 50 } });
    expect(served.body.data?.productVariants.nodes).toHaveLength(30);
    expect(served.body.extensions.cost.actualQueryCost).toBe(32);
    expect(standIn!.requests.map((request) => request.errorCode)).toEqual(["THROTTLED", null]);
  });

  it("answers MAX_COST_EXCEEDED to a query no bucket could pay for", async () => {
    await start({ bucket: { maximumAvailable: 100 } });
    const { body } = await post({ query: PAGE_QUERY, variables: { first: 250 } });
    expect(body.errors?.[0]?.extensions.code).toBe("MAX_COST_EXCEEDED");
  });

  it("generates big catalogs and their REST webhook payloads", () => {
    const products = generateProducts(400, 3, { skuFor: (n) => (n % 2 === 0 ? String(73000 + n) : null) });
    expect(products.flatMap((product) => product.variants)).toHaveLength(1200);
    expect(products[0]!.variants[0]!.sku).toBe("73000");
    expect(products[0]!.variants[1]!.sku).toBeNull();
    const payload = restProductPayload(products[0]!) as {
      variants: Array<{ id: number; image_id: number | null }>;
      images: Array<{ id: number; src: string }>;
    };
    expect(payload.variants[0]!.image_id).toBe(payload.images[1]!.id);
  });
});

describe("Admin GraphQL stand-in: orders and fulfillment orders", () => {
  const order = (id: number, overrides: Partial<StandInOrder> = {}): StandInOrder => ({
    id,
    name: `#${id}`,
    createdAt: "2026-11-20T10:00:00Z",
    displayFinancialStatus: "PAID",
    lineItems: [
      { id: id * 10, variantId: 45000000001, title: "Tee", quantity: 2 },
      {
        id: id * 10 + 1,
        variantId: null,
        title: "Gift card",
        quantity: 1,
        requiresShipping: false,
        isGiftCard: true,
      },
    ],
    ...overrides,
  });
  const ORDERS_QUERY = `query ReconcilePaidOrders($first: Int!, $cursor: String, $search: String!, $lines: Int!) {
    orders(first: $first, after: $cursor, query: $search) { nodes { id lineItems(first: $lines) { nodes { id } } } pageInfo { hasNextPage endCursor } } }`;
  const FULFILL = `mutation FulfillOrderShippedByBrilliant($fulfillment: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status } userErrors { field message } } }`;

  it("lists paid orders created since a date, by id, a page at a time, with the cost of what it returned", async () => {
    await start();
    standIn!.setOrders(SHOP, [
      order(3),
      order(1),
      order(2, { displayFinancialStatus: "PENDING" }),
      order(4, { createdAt: "2026-10-01T00:00:00Z" }),
      order(5),
    ]);
    const search = "financial_status:paid created_at:>='2026-11-01T00:00:00.000Z'";
    const first = (await post({
      query: ORDERS_QUERY,
      variables: { first: 2, search, lines: 10 },
    })) as unknown as {
      body: {
        data: {
          orders: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
        };
        extensions: StandInAnswer["extensions"];
      };
    };
    expect(first.body.data.orders.nodes.map((node) => node.id)).toEqual([
      "gid://shopify/Order/1",
      "gid://shopify/Order/3",
    ]);
    expect(first.body.extensions.cost).toMatchObject({
      requestedQueryCost: 2 + 2 * 13,
      actualQueryCost: 2 + 2 * (3 + 2),
    });
    const second = (await post({
      query: ORDERS_QUERY,
      variables: { first: 2, search, lines: 10, cursor: first.body.data.orders.pageInfo.endCursor },
    })) as unknown as typeof first;
    expect(second.body.data.orders.nodes.map((node) => node.id)).toEqual(["gid://shopify/Order/5"]);
    expect(second.body.data.orders.pageInfo.hasNextPage).toBe(false);
  });

  it("fulfills a fulfillment order once: a second fulfillmentCreate, or one on hold, gets userErrors as Shopify answers", async () => {
    await start();
    standIn!.setOrders(SHOP, [order(7), order(8)]);
    const [fo] = standIn!.fulfillmentOrders(SHOP, 7);
    // The gift card needs no shipping: only the tee is on the fulfillment order.
    expect(fo!.lineItems).toHaveLength(1);
    const fulfill = (id: number) =>
      post({
        query: FULFILL,
        variables: {
          fulfillment: {
            lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fulfillmentOrderGid(id) }],
            trackingInfo: { number: "1Z1", company: "UPS" },
          },
        },
      }) as unknown as Promise<{
        body: {
          data: {
            fulfillmentCreate: { fulfillment: { id: string } | null; userErrors: Array<{ message: string }> };
          };
        };
      }>;

    const created = await fulfill(fo!.id);
    expect(created.body.data.fulfillmentCreate).toMatchObject({
      fulfillment: { id: expect.stringMatching(/^gid:\/\/shopify\/Fulfillment\/\d+$/) },
      userErrors: [],
    });
    expect(standIn!.fulfillmentOrders(SHOP, 7)[0]!.status).toBe("CLOSED");
    const again = await fulfill(fo!.id);
    expect(again.body.data.fulfillmentCreate.fulfillment).toBeNull();
    expect(again.body.data.fulfillmentCreate.userErrors[0]!.message).toMatch(/unfulfillable status= closed/);

    const [held] = standIn!.fulfillmentOrders(SHOP, 8);
    standIn!.setFulfillmentOrderStatus(SHOP, held!.id, "ON_HOLD");
    expect((await fulfill(held!.id)).body.data.fulfillmentCreate.userErrors[0]!.message).toMatch(/on_hold/);
    expect(standIn!.fulfillments(SHOP)).toHaveLength(1);
    expect(standIn!.fulfillments(SHOP)[0]).toMatchObject({
      orderId: 7,
      trackingInfo: { number: "1Z1", company: "UPS" },
      // What it fulfilled, line by line.
      lineItems: [{ lineItemId: 70, quantity: 2 }],
    });
  });

  it("tells how an order reaches its customer: its channel, shipping lines and fulfillment orders' delivery methods", async () => {
    await start();
    standIn!.setOrders(SHOP, [
      order(9, {
        sourceName: "web",
        shippingLines: [
          { title: "Main St store", code: "Pickup", source: "shopify", deliveryCategory: "pickup" },
        ],
        deliveryMethodType: "PICK_UP",
      }),
    ]);
    const answer = (await post({
      query: `query ReadShopifyOrder($id: ID!, $lines: Int!) {
        order(id: $id) {
          sourceName
          shippingLines(first: 5) { nodes { code source title deliveryCategory } }
          fulfillmentOrders(first: 5) { nodes { deliveryMethod { methodType } } }
          lineItems(first: $lines) { nodes { id } }
        }
      }`,
      variables: { id: "gid://shopify/Order/9", lines: 5 },
    })) as unknown as { body: { data: { order: unknown } } };
    expect(answer.body.data.order).toEqual({
      sourceName: "web",
      shippingLines: {
        nodes: [{ code: "Pickup", source: "shopify", title: "Main St store", deliveryCategory: "pickup" }],
      },
      fulfillmentOrders: { nodes: [{ deliveryMethod: { methodType: "PICK_UP" } }] },
      lineItems: { nodes: [{ id: "gid://shopify/LineItem/90" }, { id: "gid://shopify/LineItem/91" }] },
    });
  });
});
