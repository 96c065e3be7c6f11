import { describe, expect, it } from "vitest";
import { parseEnv } from "../env.server";
import {
  AdminApiOriginRefusedError,
  adminApiOriginOverride,
  redirectAdminApiRequest,
} from "./shopify-admin-origin.server";

const STAND_IN = "http://127.0.0.1:4020";

describe("adminApiOriginOverride", () => {
  it("is off unless SHOPIFY_ADMIN_API_ORIGIN is set, and on in development and tests", () => {
    expect(adminApiOriginOverride({ NODE_ENV: "test" })).toBeNull();
    expect(adminApiOriginOverride({ NODE_ENV: "test", SHOPIFY_ADMIN_API_ORIGIN: STAND_IN })).toBe(STAND_IN);
    expect(
      adminApiOriginOverride({ NODE_ENV: "development", SHOPIFY_ADMIN_API_ORIGIN: `${STAND_IN}/` }),
    ).toBe(STAND_IN);
  });

  it("refuses to send access tokens elsewhere in production unless explicitly allowed", () => {
    expect(() =>
      adminApiOriginOverride({ NODE_ENV: "production", SHOPIFY_ADMIN_API_ORIGIN: STAND_IN }),
    ).toThrow(AdminApiOriginRefusedError);
    expect(
      adminApiOriginOverride({
        NODE_ENV: "production",
        SHOPIFY_ADMIN_API_ORIGIN: STAND_IN,
        SHOPIFY_ADMIN_API_ORIGIN_ALLOW_PRODUCTION: "1",
      }),
    ).toBe(STAND_IN);
  });

  it("is checked by the environment schema: an origin, without a path", () => {
    const base = {
      NODE_ENV: "test" as const,
      SHOPIFY_API_KEY: "k",
      SHOPIFY_API_SECRET: "s",
      SHOPIFY_APP_URL: "https://app.test",
      CREDENTIALS_ENCRYPTION_KEY: "0".repeat(64),
    };
    expect(parseEnv({ ...base, SHOPIFY_ADMIN_API_ORIGIN: "" }).SHOPIFY_ADMIN_API_ORIGIN).toBeUndefined();
    expect(() => parseEnv({ ...base, SHOPIFY_ADMIN_API_ORIGIN: "http://127.0.0.1:4020/admin" })).toThrow(
      /SHOPIFY_ADMIN_API_ORIGIN/,
    );
    expect(() => parseEnv({ ...base, SHOPIFY_ADMIN_API_ORIGIN: "not a url" })).toThrow(
      /SHOPIFY_ADMIN_API_ORIGIN/,
    );
  });
});

describe("redirectAdminApiRequest", () => {
  it("sends an Admin API request to the origin, naming the shop in X-Forwarded-Host", () => {
    const init = {
      method: "POST",
      headers: { "X-Shopify-Access-Token": "shpat_x", "Content-Type": "application/json" },
      body: "{}",
    };
    const redirected = redirectAdminApiRequest(
      "https://shop-one.myshopify.com/admin/api/2026-10/graphql.json",
      init,
      STAND_IN,
    );
    expect(redirected).not.toBeNull();
    const [url, sent] = redirected!;
    expect(String(url)).toBe(`${STAND_IN}/admin/api/2026-10/graphql.json`);
    const headers = new Headers(sent!.headers);
    expect(headers.get("x-forwarded-host")).toBe("shop-one.myshopify.com");
    expect(headers.get("x-shopify-access-token")).toBe("shpat_x");
    expect(sent).toMatchObject({ method: "POST", body: "{}" });
  });

  it("sends the token endpoint (token exchange, refresh) to the origin as well", () => {
    const redirected = redirectAdminApiRequest(
      "https://shop-one.myshopify.com/admin/oauth/access_token",
      { method: "POST", body: "{}" },
      STAND_IN,
    );
    expect(String(redirected![0])).toBe(`${STAND_IN}/admin/oauth/access_token`);
    expect(new Headers(redirected![1]!.headers).get("x-forwarded-host")).toBe("shop-one.myshopify.com");
  });

  it("leaves everything else alone (the OAuth grant page, other paths)", () => {
    for (const url of [
      "https://shop-one.myshopify.com/admin/oauth/authorize?client_id=x",
      "https://shop-one.myshopify.com/admin/apps",
    ]) {
      expect(redirectAdminApiRequest(url, { method: "GET" }, STAND_IN)).toBeNull();
    }
  });
});
