/**
 * Route tests for the embedded admin (`app.*` loaders and actions): a shop
 * installed as OAuth leaves it, and real Requests carrying a Shopify session
 * token, so `authenticate.admin` runs for real (no mock) and finds the offline
 * session without any token exchange with Shopify.
 *
 *   beforeEach(async () => { await resetDatabase(prisma); await seedAdminShop(SHOP); });
 *   const response = await callRoute(loader, await adminRequest("/app/orders", { shop: SHOP }));
 *   const posted = await callRoute(action, await adminRequest("/app/orders", {
 *     shop: SHOP, method: "POST", body: { intent: "retry", orderIds: [id] },
 *   }));
 */
import { Session } from "@shopify/shopify-api";
import { sessionStorage } from "../../app/shopify.server";
import { ensureShopSettings, saveBrilliantCredentials } from "../../app/models/shop.server";
import { embeddedPageParams, mintSessionToken } from "../../shopify-stand-in/session-token";
import { TEST_APP_URL } from "../setup/app-env";

export { callRoute } from "./call-route";

function appCredentials() {
  const apiKey = process.env.SHOPIFY_API_KEY;
  const apiSecret = process.env.SHOPIFY_API_SECRET;
  if (!apiKey || !apiSecret)
    throw new Error("SHOPIFY_API_KEY and SHOPIFY_API_SECRET must be set (tests/setup/app-env.ts)");
  return { apiKey, apiSecret };
}

/**
 * An installed shop: the offline session with the app's scopes (so
 * `authenticate.admin` never asks Shopify for a token), and its settings.
 * With `brilliant`, Brilliant credentials are saved too.
 */
export async function seedAdminShop(
  shop: string,
  options: { brilliant?: { apiKey: string; apiSecret: string } } = {},
): Promise<void> {
  await sessionStorage.storeSession(
    new Session({
      id: `offline_${shop}`,
      shop,
      state: "seeded",
      isOnline: false,
      scope: process.env.SCOPES ?? "read_orders,read_products",
      accessToken: `shpat_test_${shop.replace(/\W/g, "_")}`,
    }),
  );
  await ensureShopSettings(shop);
  if (options.brilliant) await saveBrilliantCredentials(shop, options.brilliant);
}

/** A fresh session token for a staff member of `shop`, as App Bridge's `shopify.idToken()` gives. */
export async function sessionToken(shop: string, options: { userId?: number; ttlSeconds?: number } = {}) {
  return mintSessionToken({ shop, ...appCredentials(), ...options });
}

export interface AdminRequestOptions {
  shop: string;
  method?: string;
  /**
   * A form, as Remix's <Form>/useSubmit send it: a plain object (arrays become
   * repeated fields), URLSearchParams or FormData. A string is sent as is.
   */
  body?:
    Record<string, string | number | (string | number)[] | undefined> | URLSearchParams | FormData | string;
  headers?: Record<string, string>;
  /**
   * "data" (default): a fetch from the page, with `Authorization: Bearer <token>`.
   * "document": a page load, with `embedded=1&shop&host&id_token` in the URL.
   */
  kind?: "data" | "document";
}

/** A Request to the app at `url` (absolute, or a path on the test app's URL) from a staff member of `shop`. */
export async function adminRequest(url: string, options: AdminRequestOptions): Promise<Request> {
  const target = new URL(url, TEST_APP_URL);
  const headers = new Headers(options.headers);
  if (options.kind === "document") {
    for (const [key, value] of await embeddedPageParams({ shop: options.shop, ...appCredentials() })) {
      target.searchParams.set(key, value);
    }
  } else {
    headers.set("authorization", `Bearer ${await sessionToken(options.shop)}`);
  }
  let body: BodyInit | undefined;
  if (
    options.body instanceof URLSearchParams ||
    options.body instanceof FormData ||
    typeof options.body === "string"
  ) {
    body = options.body;
  } else if (options.body) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(options.body)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) form.append(key, String(item));
    }
    body = form;
  }
  return new Request(target, { method: options.method ?? (body ? "POST" : "GET"), headers, body });
}
