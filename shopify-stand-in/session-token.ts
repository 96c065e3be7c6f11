import { randomUUID } from "node:crypto";
import { getJwt } from "@shopify/shopify-api/test-helpers";

/**
 * Shopify's side of an embedded admin page: the session token App Bridge hands
 * the app (an HS256 JWT signed with the app's API secret), and the `host`
 * query parameter the admin puts in the iframe's URL. Used by the local admin
 * preview, the route tests and the end-to-end tests; never by app code.
 */
export interface SessionTokenInput {
  /** The shop's myshopify.com domain. */
  shop: string;
  apiKey: string;
  apiSecret: string;
  /** The staff member's user id (`sub`). */
  userId?: string | number;
  /** Seconds until the token expires; Shopify's last one minute. */
  ttlSeconds?: number;
  /** The `dest` claim, the shop's URL unless given (tests forge others). */
  dest?: string;
}

export async function mintSessionToken(input: SessionTokenInput): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  // getJwt takes the store name and adds `.myshopify.com` itself.
  const store = input.shop.replace(/\.myshopify\.com$/, "");
  const { token } = await getJwt(store, input.apiKey, input.apiSecret, {
    iss: `${input.dest ?? `https://${input.shop}`}/admin`,
    dest: input.dest ?? `https://${input.shop}`,
    sub: String(input.userId ?? 1),
    iat: now,
    nbf: now - 5,
    exp: now + (input.ttlSeconds ?? 60),
    jti: randomUUID(),
    sid: randomUUID(),
  });
  return token;
}

/** The admin's `host` parameter: base64 of admin.shopify.com/store/<store>. */
export function adminHost(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64");
}

/**
 * The query parameters Shopify's admin adds when it loads an embedded page
 * (a document request): with them `authenticate.admin` accepts the page
 * without a redirect to the bounce page.
 */
export async function embeddedPageParams(input: SessionTokenInput): Promise<URLSearchParams> {
  return new URLSearchParams({
    embedded: "1",
    shop: input.shop,
    host: adminHost(input.shop),
    id_token: await mintSessionToken(input),
  });
}
