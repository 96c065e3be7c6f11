import { afterEach, describe, expect, it } from "vitest";
import {
  generateProducts,
  restProductPayload,
  standInAccessToken,
  startAdminGraphqlStandIn,
  type AdminGraphqlStandIn,
  type AdminGraphqlStandInOptions,
  type ThrottleStatus,
} from "../../shopify-stand-in/admin-graphql";

// The stand-in on its own, over raw HTTP, as Shopify's Admin GraphQL API
// answers: the app's side is tested in app/models/shopify-variants.server.test.ts.

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
  path = "/admin/api/2025-01/graphql.json",
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
    expect((await post({ query: PAGE_QUERY }, {}, "/admin/api/2025-01/products.json")).status).toBe(404);
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
