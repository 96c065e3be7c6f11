import { beforeEach, describe, expect, it } from "vitest";

import prisma from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { adminRequest, callRoute, seedAdminShop } from "../../tests/helpers/admin-session";
import { orderInState } from "../../tests/helpers/admin-orders";
import { action, loader } from "./api.orders.$shopifyOrderId.sync";

// GIVEN orders of two shops, WHEN the order page block asks for one's sync
// state or retries it with a session token, THEN it sees and changes only its
// own shop's orders, and every answer carries the CORS headers the admin needs.

const SHOP = "block-a.myshopify.com";
const OTHER = "block-b.myshopify.com";
const url = (id: string) => `https://brilliant-sync.test/api/orders/${id}/sync`;
// Admin UI extensions run on Shopify's extension origin, not the app's.
const EXTENSION_ORIGIN = "https://extensions.shopifycdn.com";

async function shopifyIdOf(orderId: string): Promise<string> {
  return (await prisma.order.findUniqueOrThrow({ where: { id: orderId } })).shopifyOrderId;
}

/** SHOP's order block, on the extension's origin, asks about order `shopifyOrderId` (GET) or retries it (POST). */
async function fromBlock(route: typeof loader | typeof action, shopifyOrderId: string, method?: "POST") {
  const request = await adminRequest(url(encodeURIComponent(shopifyOrderId)), {
    shop: SHOP,
    method,
    headers: { Origin: EXTENSION_ORIGIN },
  });
  return callRoute(route, request, { shopifyOrderId });
}

beforeEach(async () => {
  await resetDatabase(prisma);
  await seedAdminShop(SHOP);
  await seedAdminShop(OTHER);
});

describe("GET /api/orders/:shopifyOrderId/sync", () => {
  it("returns the held order's state, code, reason, next step and app link, with CORS headers", async () => {
    const orderId = await orderInState(SHOP, "held", {
      holdKind: "mapping",
      code: 2502,
      reason: "A variant is not mapped to Brilliant.",
    });
    const shopifyOrderId = await shopifyIdOf(orderId);
    const response = await fromBlock(loader, shopifyOrderId);
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const body = await response.json();
    expect(body.status).toMatchObject({
      orderId,
      shopifyOrderId,
      state: "held",
      stateLabel: "Held",
      code: 2502,
      reason: "A variant is not mapped to Brilliant.",
      retry: "resubmit",
      nextStep: { label: "Map the variant", url: "/app/mappings" },
      appPath: `/app/orders/${orderId}`,
    });
  });

  it("accepts the order's GID as the id", async () => {
    const orderId = await orderInState(SHOP, "forwarded");
    const shopifyOrderId = await shopifyIdOf(orderId);
    const gid = `gid://shopify/Order/${shopifyOrderId}`;
    const response = await fromBlock(loader, gid);
    expect(response.status).toBe(200);
    expect((await response.json()).status).toMatchObject({ state: "forwarded", retry: null });
  });

  it("answers 404 for an unknown id and for another shop's order", async () => {
    const unknown = await fromBlock(loader, "999");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("Access-Control-Allow-Origin")).toBe("*");

    const theirs = await shopifyIdOf(await orderInState(OTHER, "held"));
    const response = await fromBlock(loader, theirs);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain(theirs);
  });

  it("answers the browser's CORS preflight without a token", async () => {
    const response = await callRoute(
      loader,
      new Request(url("1"), {
        method: "OPTIONS",
        headers: { Origin: EXTENSION_ORIGIN, "Access-Control-Request-Method": "POST" },
      }),
      { shopifyOrderId: "1" },
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
  });

  it("refuses a request without a valid session token", async () => {
    const response = await callRoute(
      loader,
      new Request(url("1"), { headers: { Authorization: "Bearer forged" } }),
      { shopifyOrderId: "1" },
    );
    expect(response.status).toBe(401);
  });
});

describe("POST /api/orders/:shopifyOrderId/sync (Retry)", () => {
  it("resubmits a held order: it is ready to go again", async () => {
    const orderId = await orderInState(SHOP, "held", { holdKind: "mapping" });
    const shopifyOrderId = await shopifyIdOf(orderId);
    const response = await fromBlock(action, shopifyOrderId, "POST");
    expect(response.status).toBe(200);
    expect((await response.json()).status).toMatchObject({ state: "ready", retry: "retry" });
    const transitions = await prisma.orderTransition.findMany({ where: { orderId, toState: "ready" } });
    expect(transitions).toHaveLength(1);
    expect(transitions[0]?.actor).toBe("merchant");
  });

  it("brings a retrying order's next attempt forward", async () => {
    const orderId = await orderInState(SHOP, "retrying");
    await prisma.order.update({
      where: { id: orderId },
      data: { nextAttemptAt: new Date(Date.now() + 3_600_000) },
    });
    const shopifyOrderId = await shopifyIdOf(orderId);
    const response = await fromBlock(action, shopifyOrderId, "POST");
    expect(response.status).toBe(200);
    const order = await prisma.order.findUniqueOrThrow({ where: { id: orderId } });
    expect(order.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("answers 409 with the reason for a forwarded order, changing nothing", async () => {
    const orderId = await orderInState(SHOP, "forwarded");
    const shopifyOrderId = await shopifyIdOf(orderId);
    const before = await prisma.order.findUniqueOrThrow({ where: { id: orderId } });
    const response = await fromBlock(action, shopifyOrderId, "POST");
    expect(response.status).toBe(409);
    expect((await response.json()).error).toMatch(/already at Brilliant/);
    expect(await prisma.order.findUniqueOrThrow({ where: { id: orderId } })).toEqual(before);
  });

  it("cannot retry another shop's order: 404 and the order stays held", async () => {
    const orderId = await orderInState(OTHER, "held");
    const shopifyOrderId = await shopifyIdOf(orderId);
    const response = await fromBlock(action, shopifyOrderId, "POST");
    expect(response.status).toBe(404);
    expect((await prisma.order.findUniqueOrThrow({ where: { id: orderId } })).state).toBe("held");
  });
});
