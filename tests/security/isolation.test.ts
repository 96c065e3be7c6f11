/**
 * Isolation, every route: shop A's session (or signature, or status token)
 * aimed at shop B's ids sees nothing of B and changes nothing of B.
 *
 * Every route file in app/routes must be accounted for below: checked
 * against B's ids, or named as holding no shop data with the reason. A new
 * route that is neither fails the first test, so no admin, API or webhook
 * route ships without an isolation check.
 *
 * GIVEN shop B with orders (held with an alert, forwarded), Shopify and
 *   Brilliant variants, a mapping, settings with credentials and a status
 *   token, and shop A installed beside it,
 * WHEN A's staff load every admin page and post every admin action with B's
 *   ids, the order block's API asks for B's orders, A's signed webhooks name
 *   B's order, product, variant and fulfillment order ids, and A's Brilliant
 *   status token names B's order,
 * THEN no answer contains anything of B (its domain, order names, ids, SKUs,
 *   product names), the answers for B's ids are 404 where a single record is
 *   asked for, and every row of B (in every table with a shop column, read
 *   from the catalog) is exactly as before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { applyQueuedProductUpdates } from "../../app/catalog/product-update-queue.server";
import { signedWebhookRequest } from "../../shopify-stand-in/webhooks";
import { orderInState } from "../helpers/admin-orders";
import { adminRequest, seedAdminShop } from "../helpers/admin-session";
import { shopRows } from "../helpers/catalog";
import { resetDatabase } from "../helpers/db";
import { TEST_API_SECRET, TEST_APP_URL } from "../setup/app-env";
import { answerOf, importRoute, routeIds, routePath, type RouteFunction, type RouteModule } from "./routes";

const A = "isolation-a.myshopify.com";
const B = "isolation-b.myshopify.com";

/** Routes that hold no shop's data, and why. */
const NO_SHOP_DATA: Record<string, string> = {
  _index: "the public landing page: a login form, no shop's data",
  "auth.$": "OAuth: Shopify's library answers; it stores the session of the shop that signs in",
  "auth.login": "the login form: validates a shop domain and redirects to Shopify",
};

interface ShopB {
  heldId: string;
  heldShopifyId: string;
  forwardedId: string;
  forwardedShopifyId: string;
  variantId: string;
  productId: string;
  fulfillmentOrderId: string;
}

let b: ShopB;
/** Strings only shop B's data contains. */
let markers: string[] = [];

/** An answer, and what its request carried (ids A sent may come back; nothing else of B may). */
interface Answer {
  response: Response;
  sent: string;
}

async function ask(
  route: RouteFunction,
  request: Request,
  params: Record<string, string> = {},
): Promise<Answer> {
  const sent = `${request.url} ${request.method === "GET" ? "" : await request.clone().text()}`;
  return {
    response: await answerOf(route, request, params),
    sent: decodeURIComponent(sent.replaceAll("+", " ")),
  };
}

/** Printed at the end: how much was tried and what got through. */
const tally = { routes: 0, requests: 0, leaks: 0, rows_changed: 0 };

async function expectNothingOfB(answers: Answer[], label: string): Promise<void> {
  tally.routes += 1;
  tally.requests += answers.length;
  for (const { response, sent } of answers) {
    const text = await response.clone().text();
    expect(response.status, `${label}: ${text}`).toBeLessThan(500);
    const leaked = markers.filter(
      (marker) => text.toLowerCase().includes(marker.toLowerCase()) && !sent.includes(marker),
    );
    tally.leaks += leaked.length;
    expect(leaked, `${label} answered ${response.status} with shop B's data`).toEqual([]);
  }
}

/** A staff member of shop A: a page fetch with A's session token. */
async function asA(url: string, body?: Record<string, string | string[]>): Promise<Request> {
  return adminRequest(url, { shop: A, method: body ? "POST" : "GET", body });
}

type Check = (route: RouteModule) => Promise<Answer[]>;

/** Per route: what shop A does with shop B's ids. Each answer must show nothing of B. */
const CHECKS: Record<string, Check> = {
  app: async (route) => [await ask(route.loader!, await asA("/app"))],
  "app._index": async (route) => [await ask(route.loader!, await asA("/app"))],
  "app.orders._index": async (route) => [
    await ask(route.loader!, await asA("/app/orders")),
    await ask(route.loader!, await asA(`/app/orders?query=${encodeURIComponent("#ISO-B")}`)),
    await ask(
      route.action!,
      await asA("/app/orders", { intent: "retry", orderIds: [b.heldId, b.forwardedId] }),
    ),
    await ask(route.action!, await asA("/app/orders", { intent: "resubmit", orderIds: [b.heldId] })),
  ],
  "app.orders.$id": async (route) => {
    const answers = [await ask(route.loader!, await asA(`/app/orders/${b.heldId}`), { id: b.heldId })];
    for (const intent of ["retry", "resubmit", "skip"]) {
      answers.push(
        await ask(route.action!, await asA(`/app/orders/${b.heldId}`, { intent }), { id: b.heldId }),
      );
    }
    answers.push(
      await ask(
        route.action!,
        await asA(`/app/orders/${b.heldId}`, {
          intent: "fixAddress",
          name: "Someone Else",
          address1: "1 Elsewhere St",
          city: "Austin",
          provinceCode: "TX",
          zip: "73301",
          countryCode: "US",
        }),
        { id: b.heldId },
      ),
    );
    for (const answer of answers) expect(answer.response.status).toBe(404);
    return answers;
  },
  "app.mappings._index": async (route) => [
    await ask(route.loader!, await asA("/app/mappings")),
    await ask(route.loader!, await asA("/app/mappings?q=BSKU")),
    await ask(route.action!, await asA("/app/mappings", { intent: "unmap", shopifyVariantId: b.variantId })),
  ],
  "app.mappings.$shopifyVariantId": async (route) => {
    const params = { shopifyVariantId: b.variantId };
    const answers = [
      await ask(route.loader!, await asA(`/app/mappings/${b.variantId}`), params),
      await ask(
        route.action!,
        await asA(`/app/mappings/${b.variantId}`, { brilliantVariantId: "73002" }),
        params,
      ),
    ];
    for (const answer of answers) expect(answer.response.status).toBe(404);
    return answers;
  },
  "app.mappings.auto-match": async (route) => [
    await ask(route.loader!, await asA("/app/mappings/auto-match?rule=sku_prefix&value=BSKU")),
    await ask(
      route.action!,
      await asA("/app/mappings/auto-match", { rule: "sku_prefix", value: "BSKU", accept: [b.variantId] }),
    ),
  ],
  "app.mappings.export": async (route) => [await ask(route.loader!, await asA("/app/mappings/export"))],
  "app.mappings.import": async (route) => {
    const csv = `shopify_variant_id,sku,brilliant_variant_id\n${b.variantId},BSKU-1,73003\n`;
    return [
      await ask(route.loader!, await asA("/app/mappings/import")),
      await ask(route.action!, await asA("/app/mappings/import", { intent: "preview", csv })),
      await ask(route.action!, await asA("/app/mappings/import", { intent: "apply", csv })),
    ];
  },
  "app.settings": async (route) => [
    await ask(route.loader!, await asA("/app/settings")),
    await ask(
      route.action!,
      await asA("/app/settings", {
        intent: "save",
        forwardingMode: "review",
        forwardingDelay: "0",
        forwardingDelayUnit: "seconds",
        holdTags: "",
        skipTags: "",
        lowStockThreshold: "5",
        reconcileDays: "7",
      }),
    ),
    await ask(route.action!, await asA("/app/settings", { intent: "reconcile" })),
  ],
  "api.orders.$shopifyOrderId.sync": async (route) => {
    const answers: Answer[] = [];
    for (const id of [b.heldShopifyId, `gid://shopify/Order/${b.heldShopifyId}`]) {
      const url = `/api/orders/${encodeURIComponent(id)}/sync`;
      answers.push(await ask(route.loader!, await asA(url), { shopifyOrderId: id }));
      answers.push(await ask(route.action!, await asA(url, {}), { shopifyOrderId: id }));
    }
    for (const answer of answers) expect(answer.response.status).toBe(404);
    return answers;
  },
  "brilliant.status.$token": async (route) => {
    const token = (await prisma.shopSettings.findUniqueOrThrow({ where: { shop: A } })).statusWebhookToken;
    const bodies = [
      {
        status: "shipped",
        ship_status: "shipped",
        custom_data: { shopify_shop: B, shopify_order_id: b.forwardedShopifyId },
      },
      { status: "shipped", ship_status: "shipped", custom_data: { shopify_order_id: b.forwardedShopifyId } },
      { id: "B-BRILLIANT-1", status: "shipped", ship_status: "shipped" },
    ];
    const answers: Answer[] = [];
    for (const body of bodies) {
      const request = new Request(`${TEST_APP_URL}/brilliant/status/${token}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      answers.push(await ask(route.action!, request, { token }));
    }
    return answers;
  },
};

/** A-signed webhooks whose bodies name B's ids, for every webhook route. */
async function webhookCheck(id: string, route: RouteModule): Promise<Answer[]> {
  const topic = routePath(id).replace(/^\/webhooks\//, "");
  const body = {
    id: Number(b.heldShopifyId),
    name: "#ISO-B1",
    admin_graphql_api_id: `gid://shopify/Order/${b.heldShopifyId}`,
    cancelled_at: new Date().toISOString(),
    line_items: [{ id: 1, variant_id: Number(b.variantId), sku: "BSKU-1", quantity: 1 }],
    variants: [{ id: Number(b.variantId), product_id: Number(b.productId), sku: "BSKU-1", title: "x" }],
    title: "renamed by A",
    orders_to_redact: [b.heldShopifyId, b.forwardedShopifyId],
    orders_requested: [b.heldShopifyId],
    customer: { id: 1, email: "b-customer@example.com" },
    fulfillment_order: { id: `gid://shopify/FulfillmentOrder/${b.fulfillmentOrderId}`, status: "on_hold" },
    current: ["read_orders"],
    shop_domain: B,
  };
  const request = signedWebhookRequest(`${TEST_APP_URL}/webhooks/${topic}`, {
    topic,
    shop: A,
    body,
    secret: TEST_API_SECRET,
  });
  const withProductId = signedWebhookRequest(`${TEST_APP_URL}/webhooks/${topic}`, {
    topic,
    shop: A,
    body: { ...body, id: Number(b.productId) },
    secret: TEST_API_SECRET,
  });
  const answers = [await ask(route.action!, request), await ask(route.action!, withProductId)];
  // Product webhooks are queued: what they change, the worker's chore writes.
  if (topic.startsWith("products/")) await applyQueuedProductUpdates();
  return answers;
}

beforeAll(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(A);
  await seedAdminShop(B, { brilliant: { apiKey: "b-brilliant-key", apiSecret: "b-brilliant-secret" } });
  await orderInState(A, "held", { name: "#ISO-A1", holdKind: "mapping" });

  const heldId = await orderInState(B, "held", {
    name: "#ISO-B1",
    holdKind: "mapping",
    reason: "B held reason",
  });
  const forwardedId = await orderInState(B, "forwarded", { name: "#ISO-B2" });
  await prisma.order.update({ where: { id: forwardedId }, data: { brilliantOrderId: "B-BRILLIANT-1" } });
  const held = await prisma.order.findUniqueOrThrow({ where: { id: heldId } });
  const forwarded = await prisma.order.findUniqueOrThrow({ where: { id: forwardedId } });
  await prisma.alert.create({
    data: {
      shop: B,
      kind: "mapping",
      key: "mapping:B-only",
      openKey: "mapping:B-only",
      title: "Bsecret alert title",
      detail: "Bsecret alert detail",
      orders: { create: [{ orderId: heldId }] },
    },
  });
  const variantId = "8800001";
  const productId = "8800100";
  await prisma.shopifyVariant.create({
    data: {
      shop: B,
      shopifyVariantId: variantId,
      shopifyProductId: productId,
      productTitle: "Bsecret Tee",
      variantTitle: "Bsecret Large",
      sku: "BSKU-1",
      syncedAt: new Date(),
    },
  });
  await prisma.brilliantVariant.create({
    data: {
      shop: B,
      brilliantVariantId: "73003",
      productId: "1",
      productName: "Bsecret Brilliant Mug",
      inventoryCount: 10,
      inventoryRequired: true,
      productInactive: false,
      syncedAt: new Date(),
    },
  });
  await prisma.variantMapping.create({
    data: {
      shop: B,
      shopifyVariantId: variantId,
      sku: "BSKU-1",
      brilliantVariantId: "73003",
      source: "manual",
    },
  });
  const fulfillmentOrderId = "8800200";
  await prisma.fulfillmentHold.create({
    data: {
      shop: B,
      fulfillmentOrderId,
      shopifyOrderId: held.shopifyOrderId,
      onHold: true,
      reason: "Bsecret hold",
      eventAt: new Date(),
    },
  });
  b = {
    heldId,
    heldShopifyId: held.shopifyOrderId,
    forwardedId,
    forwardedShopifyId: forwarded.shopifyOrderId,
    variantId,
    productId,
    fulfillmentOrderId,
  };
  markers = [
    B,
    "#ISO-B1",
    "#ISO-B2",
    heldId,
    forwardedId,
    "B held reason",
    "Bsecret",
    "BSKU-1",
    "b-brilliant-key",
    "B-BRILLIANT-1",
  ];
});

afterAll(() => {
  console.log(
    `isolation: routes=${tally.routes} requests=${tally.requests} leaks=${tally.leaks} b_rows_changed=${tally.rows_changed}`,
  );
});

describe("isolation: shop A on shop B's ids, every route", () => {
  it("accounts for every route file: checked below, or holding no shop data for a stated reason", () => {
    const unaccounted = routeIds().filter(
      (id) => !(id in CHECKS) && !(id in NO_SHOP_DATA) && !id.startsWith("webhooks."),
    );
    expect(unaccounted, "route files with no isolation check: add one to CHECKS").toEqual([]);
    const stale = [...Object.keys(CHECKS), ...Object.keys(NO_SHOP_DATA)].filter(
      (id) => !routeIds().includes(id),
    );
    expect(stale, "checks for route files that no longer exist").toEqual([]);
  });

  for (const id of routeIds().filter((routeId) => !(routeId in NO_SHOP_DATA))) {
    it(`${id}: shop A sees nothing of B and changes nothing of B`, async () => {
      const route = await importRoute(id);
      const before = await shopRows(prisma, B);
      const answers = id.startsWith("webhooks.") ? await webhookCheck(id, route) : await CHECKS[id]!(route);
      await expectNothingOfB(answers, id);
      const after = await shopRows(prisma, B);
      if (JSON.stringify(after) !== JSON.stringify(before)) tally.rows_changed += 1;
      expect(after).toEqual(before);
    });
  }
});
