import type { AddressInfo } from "node:net";
import type { Server } from "node:http";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { tableRowCounts } from "../../tests/helpers/catalog";
import { resetDatabase } from "../../tests/helpers/db";
import { TEST_API_SECRET } from "../../tests/setup/app-env";
import { signedWebhookHeaders } from "../../shopify-stand-in/webhooks";
import { createAuthenticateOnlyServer } from "./authenticate-only-server";
import { postWebhook, wronglySignedOrder } from "./lane-test-helpers";
import { signedOrderRequests } from "./webhook-bodies";

/**
 * The bench's authenticate-only lane is a yardstick for the app, so it must
 * do the app's authentication (the signature, Shopify's headers, the body as
 * JSON) and nothing after it: it writes nothing.
 */
const SHOP = "lane-yardstick.myshopify.com";
let server: Server;
let url = "";

beforeAll(async () => {
  await resetDatabase(prisma);
  server = createAuthenticateOnlyServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/orders/paid`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const post = (headers: Record<string, string>, body: string) => postWebhook(url, headers, body);

describe("the bench's authenticate-only lane", () => {
  it("answers 200 to the bench's signed orders and writes nothing", async () => {
    const before = await tableRowCounts(prisma);
    const next = signedOrderRequests({ shops: [SHOP], secret: TEST_API_SECRET, firstOrderId: 9_100_000_000 });
    for (let seq = 0; seq < 5; seq += 1) {
      const { headers, body } = next(seq);
      expect(await post(headers, body)).toBe(200);
    }
    expect(await tableRowCounts(prisma)).toEqual(before);
  });

  it("refuses what the app refuses: a wrong signature (401), a signed body that is not JSON (400)", async () => {
    const { headers, body } = wronglySignedOrder(SHOP, 9_200_000_000);
    expect(await post(headers, body)).toBe(401);

    const notJson = signedWebhookHeaders({
      topic: "orders/paid",
      shop: SHOP,
      body: null,
      rawBody: "{not json",
      secret: TEST_API_SECRET,
    });
    expect(await post(notJson.headers, notJson.body)).toBe(400);
  });

  it("serves nothing else: another method on its URL is 405, as the app answers, and other paths 404", async () => {
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    await get.arrayBuffer();
    const other = await fetch(new URL("/app", url));
    expect(other.status).toBe(404);
    await other.arrayBuffer();
  });
});
