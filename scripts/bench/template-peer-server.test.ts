import { copyFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { TEST_API_KEY, TEST_API_SECRET, TEST_APP_URL } from "../../tests/setup/app-env";
import { createTemplatePeer, PEER_ORDERS_TABLE, type TemplatePeer } from "./template-peer-server";
import { postWebhook, wronglySignedOrder } from "./lane-test-helpers";
import { signedOrderRequests } from "./webhook-bodies";

/**
 * The bench's template peer is what a user would otherwise write, so it must
 * do what such a route does and nothing else: authenticate.webhook, then one
 * row per acknowledged order in its own table of its own database; a bad
 * signature is a 401 and writes nothing.
 */
const SHOP = "template-peer.myshopify.com";
const testDatabase = inject("testDatabase");
let peer: TemplatePeer;
let url = "";
let dbFile = "";

// The peer runs on SQLite only (a file of its own, as the bench gives it).
describe.skipIf(testDatabase.kind !== "sqlite")("the bench's template peer", () => {
  beforeAll(async () => {
    if (testDatabase.kind !== "sqlite") return;
    // A migrated database of the peer's own (Prisma's Session table), as the bench's copy of its template.
    dbFile = join(testDatabase.directory, `template-peer-${process.env.VITEST_POOL_ID ?? "1"}.sqlite`);
    copyFileSync(testDatabase.templateFile, dbFile);
    peer = await createTemplatePeer({
      databaseUrl: `file:${dbFile}`,
      apiKey: TEST_API_KEY,
      apiSecretKey: TEST_API_SECRET,
      appUrl: TEST_APP_URL,
      scopes: ["read_orders"],
    });
    await new Promise<void>((resolve) => peer.server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(peer.server.address() as AddressInfo).port}/webhooks/orders/paid`;
  });

  afterAll(async () => {
    await peer?.close();
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${dbFile}${suffix}`, { force: true });
  });

  const post = (headers: Record<string, string>, body: string) => postWebhook(url, headers, body);

  const rows = () =>
    peer.prisma.$queryRawUnsafe<Array<{ shop: string; shopifyOrderId: string; webhookId: string }>>(
      `SELECT "shop", "shopifyOrderId", "webhookId" FROM "${PEER_ORDERS_TABLE}" ORDER BY "id"`,
    );

  it("answers 200 to the bench's signed orders and stores exactly one row for each", async () => {
    const before = (await rows()).length;
    const next = signedOrderRequests({ shops: [SHOP], secret: TEST_API_SECRET, firstOrderId: 9_300_000_000 });
    for (let seq = 0; seq < 5; seq += 1) {
      const { headers, body } = next(seq);
      expect(await post(headers, body)).toBe(200);
    }
    const stored = (await rows()).slice(before);
    expect(stored).toEqual(
      Array.from({ length: 5 }, (_, seq) => ({
        shop: SHOP,
        shopifyOrderId: String(9_300_000_000 + seq),
        webhookId: `bench-${9_300_000_000 + seq}`,
      })),
    );
  });

  it("answers 401 to a wrong signature and writes nothing", async () => {
    const before = await rows();
    const { headers, body } = wronglySignedOrder(SHOP, 9_400_000_000);
    expect(await post(headers, body)).toBe(401);
    expect(await rows()).toEqual(before);
  });

  it("serves nothing else", async () => {
    const response = await fetch(url);
    expect(response.status).toBe(404);
    await response.arrayBuffer();
  });
});
