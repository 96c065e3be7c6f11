// Expiring offline tokens end to end (decision 011): the app's real token
// code (app/shopify.server.ts, app/integrations/shopify-session-storage.server.ts) against
// the Shopify stand-in's token endpoint and Admin API over HTTP, with access
// tokens that live 3 s and a 1 s renewal margin.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import prisma from "../../app/db.server";
import { resetEnvCache } from "../../app/env.server";
import { openAlerts } from "../../app/orders/dashboard.server";
import { loader as homeLoader } from "../../app/routes/app._index";
import { AppSessionStorage, forgetSessionsOf } from "../../app/integrations/shopify-session-storage.server";
import { shopAdminGraphql } from "../../app/integrations/shopify-shop-admin.server";
import { renewOfflineToken, sessionStorage } from "../../app/shopify.server";
import { renewDueOfflineTokens } from "../../app/worker/chores.server";
import { reconcileShop } from "../../app/orders/reconciliation.server";
import { lastReconciliation } from "../../app/orders/reconciliation-requests.server";
import {
  generateProducts,
  standInAccessToken,
  startAdminGraphqlStandIn,
  TokenAuthority,
  type AdminGraphqlStandIn,
} from "../../shopify-stand-in/admin-graphql";
import { adminRequest, callRoute } from "../helpers/admin-session";
import { seedStandInSession } from "../helpers/admin-graphql";
import { resetDatabase } from "../helpers/db";

const SHOP = "expiring-tokens.myshopify.com";
const SESSION_ID = `offline_${SHOP}`;
const TTL_SECONDS = 3;
const PAGE_QUERY = `#graphql
  query ShopifyVariantsPage($first: Int!, $cursor: String) {
    productVariants(first: $first, after: $cursor) { nodes { id } pageInfo { hasNextPage endCursor } }
  }`;

let standIn: AdminGraphqlStandIn;
let tokens: TokenAuthority;

beforeAll(async () => {
  tokens = new TokenAuthority({
    apiKey: process.env.SHOPIFY_API_KEY!,
    apiSecret: process.env.SHOPIFY_API_SECRET!,
    scope: process.env.SCOPES,
    accessTokenTtlSeconds: TTL_SECONDS,
  });
  standIn = await startAdminGraphqlStandIn({
    shops: { [SHOP]: { products: generateProducts(3, 2) } },
    bucket: { maximumAvailable: 1000, restoreRate: 100_000 },
    tokens,
  });
  process.env.SHOPIFY_ADMIN_API_ORIGIN = standIn.origin;
  process.env.SHOPIFY_TOKEN_REFRESH_MARGIN_MS = "1000";
  resetEnvCache();
});

afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
  delete process.env.SHOPIFY_TOKEN_REFRESH_MARGIN_MS;
  resetEnvCache();
  await standIn.close();
  await prisma.$disconnect();
});

beforeEach(async () => {
  await resetDatabase(prisma);
  tokens.reset();
  tokens.addNonExpiringToken(SHOP, standInAccessToken(SHOP));
  // Installed before expiring tokens: a non-expiring offline token, stored as plaintext then.
  await seedStandInSession(SHOP, standInAccessToken(SHOP));
});

afterEach(() => forgetSessionsOf(prisma));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function storedRow() {
  return prisma.session.findUniqueOrThrow({ where: { id: SESSION_ID } });
}

/** What the stand-in makes of the access token the app has stored now. */
async function storedTokenCheck() {
  forgetSessionsOf(prisma);
  const session = await sessionStorage.loadSession(SESSION_ID);
  return tokens.check(SHOP, session?.accessToken);
}

async function migrate() {
  expect(await renewDueOfflineTokens()).toBe(1);
}

async function variantsPage(graphql: Awaited<ReturnType<typeof shopAdminGraphql>>) {
  const response = await graphql(PAGE_QUERY, { variables: { first: 5 } });
  const body = (await response.json()) as { data: { productVariants: { nodes: unknown[] } } };
  return body.data.productVariants.nodes.length;
}

describe("expiring offline tokens", () => {
  it("moves a non-expiring token to an expiring pair, both stored encrypted, the old token revoked", async () => {
    await migrate();

    expect(tokens.granted(SHOP, "token_exchange")).toBe(1);
    const row = await storedRow();
    expect(row.accessToken).toMatch(/^v1\./);
    expect(row.refreshToken).toMatch(/^v1\./);
    expect(row.accessToken).not.toContain("shpat");
    expect(row.refreshToken).not.toContain("shprt");
    expect(row.expires!.getTime()).toBeGreaterThan(Date.now());
    expect(row.expires!.getTime()).toBeLessThanOrEqual(Date.now() + TTL_SECONDS * 1000);
    expect(row.refreshTokenExpires!.getTime()).toBeGreaterThan(Date.now() + 89 * 24 * 3600 * 1000);
    expect(tokens.check(SHOP, standInAccessToken(SHOP))).toBe("invalid");
    expect(await storedTokenCheck()).toBe("valid");

    // Nothing is due on the next round.
    expect(await renewDueOfflineTokens()).toBe(0);
    expect(tokens.granted(SHOP, "token_exchange")).toBe(1);
  });

  it("renews a refresh token a week before its 90 days, once, from the worker's token chore", async () => {
    await migrate();
    await prisma.session.update({
      where: { id: SESSION_ID },
      data: { refreshTokenExpires: new Date(Date.now() + 24 * 3600 * 1000) },
    });
    forgetSessionsOf(prisma);

    expect(await renewDueOfflineTokens()).toBe(1);
    expect(tokens.granted(SHOP, "refresh_token")).toBe(1);
    expect((await storedRow()).refreshTokenExpires!.getTime()).toBeGreaterThan(
      Date.now() + 89 * 24 * 3600 * 1000,
    );
    expect(await renewDueOfflineTokens()).toBe(0);
    expect(await storedTokenCheck()).toBe("valid");
  });

  it("keeps a worker chore's client working across the access token's expiry, with one refresh", async () => {
    await migrate();
    const graphql = await shopAdminGraphql(SHOP);
    expect(await variantsPage(graphql)).toBe(5);
    const firstToken = (await storedRow()).accessToken;
    const startedWith = (await sessionStorage.loadSession(SESSION_ID))!.accessToken;

    await sleep(TTL_SECONDS * 1000 + 200);
    expect(tokens.check(SHOP, startedWith)).toBe("expired");

    expect(await variantsPage(graphql)).toBe(5);
    expect(await variantsPage(graphql)).toBe(5);
    expect(tokens.granted(SHOP, "refresh_token")).toBe(1);
    expect((await storedRow()).accessToken).not.toBe(firstToken);
    expect(await storedTokenCheck()).toBe("valid");
    expect(standIn.requests.filter((request) => request.status === 401)).toEqual([]);
  });

  it("refreshes once when two processes find the token due at the same instant, and both use the result", async () => {
    await migrate();
    // Two processes: each its own storage (own cache, own in-process renewals), one database.
    const options = { renew: renewOfflineToken, refreshMarginMs: () => 1000 };
    const web = new AppSessionStorage(prisma, options);
    const worker = new AppSessionStorage(prisma, options);
    await sleep(TTL_SECONDS * 1000 - 900); // inside the margin

    const [fromWeb, fromWorker] = await Promise.all([
      web.loadSession(SESSION_ID),
      worker.loadSession(SESSION_ID),
    ]);

    expect(tokens.granted(SHOP, "refresh_token")).toBe(1);
    expect(fromWeb?.accessToken).toBe(fromWorker?.accessToken);
    expect(tokens.check(SHOP, fromWeb?.accessToken)).toBe("valid");
    expect(await storedTokenCheck()).toBe("valid");
    // Neither hands the refresh token to the library, which would spend it without a lock.
    expect(fromWeb?.refreshToken).toBeUndefined();
    expect((await storedRow()).renewingUntil).toBeNull();
  });

  it("GIVEN another process renewed the token a chore's call was about to use WHEN Shopify answers 401 THEN the call goes again once with the stored token, and the sweep succeeds", async () => {
    const graphql = await shopAdminGraphql(SHOP);
    expect(await variantsPage(graphql)).toBe(5); // this process now holds the token for a second
    // Another process moves the shop to a new token: the one held here is revoked.
    tokens.revokeShop(SHOP);
    tokens.addNonExpiringToken(SHOP, "shpat_renewed_elsewhere");
    await prisma.session.update({
      where: { id: SESSION_ID },
      data: { accessToken: "shpat_renewed_elsewhere" },
    });
    const before = standIn.requests.length;

    const result = await reconcileShop(SHOP, graphql);

    expect(result).toMatchObject({ ok: true });
    expect(standIn.requests.slice(before).map((request) => request.status)).toEqual([401, 200]);
    // Settings shows the sweep as it went: succeeded, no "Shopify refused the app's access".
    expect(await lastReconciliation(SHOP)).toMatchObject({ status: "succeeded" });

    // A token refused with nothing newer stored is a refusal: no second try.
    tokens.revokeShop(SHOP);
    const refused = standIn.requests.length;
    await expect(variantsPage(graphql)).rejects.toThrow(/401/);
    expect(standIn.requests.slice(refused).map((request) => request.status)).toEqual([401]);
  });

  it("raises a reconnect alert when Shopify refuses the refresh token, and opening the app reconnects", async () => {
    await migrate();
    tokens.revokeShop(SHOP); // e.g. the merchant revoked the app's access
    await sleep(TTL_SECONDS * 1000 - 900);

    await expect(variantsPage(await shopAdminGraphql(SHOP))).rejects.toThrow();
    expect(tokens.granted(SHOP, "refresh_token")).toBe(0);

    const alerts = await openAlerts(SHOP);
    expect(alerts).toEqual([
      expect.objectContaining({
        kind: "shopify_connection",
        title: "Reconnect Brilliant Sync to your store",
        fix: { label: "Reconnect", url: "/app" },
      }),
    ]);
    expect((await storedRow()).renewalRefusedAt).not.toBeNull();
    // Refused once, not asked again on every call.
    const refusals = tokens.requests.length;
    await shopAdminGraphql(SHOP).catch(() => undefined);
    expect(tokens.requests.length).toBe(refusals);

    // The merchant opens the app: token exchange with the page's session token.
    const response = await callRoute(
      homeLoader,
      await adminRequest("/app", { shop: SHOP, kind: "document" }),
    );
    expect(response.status).toBe(200);
    const home = (await response.json()) as { alerts: Array<{ kind: string }> };
    expect(home.alerts.map((alert) => alert.kind)).not.toContain("shopify_connection");
    expect(await openAlerts(SHOP)).toEqual([]);
    expect((await storedRow()).renewalRefusedAt).toBeNull();
    expect(await storedTokenCheck()).toBe("valid");
    expect(await variantsPage(await shopAdminGraphql(SHOP))).toBe(5);
  });
});
