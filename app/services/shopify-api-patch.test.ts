import { createHmac, webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// The adapters the app runs with (shopify.server.ts): the Web API request
// conversion that shopify-app-remix installs, and its Node runtime string.
import "@shopify/shopify-api/adapters/web-api";
import "@shopify/shopify-app-remix/adapters/node";
import { shopifyApi, ApiVersion, LogSeverity } from "@shopify/shopify-api";
import {
  addHeader,
  canonicalizeHeaderName,
  canonicalizeHeaders,
  createSHA256HMAC,
  getHeader,
  getHeaders,
  HashFormat,
} from "@shopify/shopify-api/runtime";
import { describe, expect, it, vi } from "vitest";

import { signedWebhookRequest } from "../../shopify-stand-in/webhooks";

/**
 * patches/@shopify+shopify-api+*.patch (decision 007) makes functions of
 * the library cheaper on Node without changing what they return. These tests
 * hold the patched functions to what the library computed before, and fail
 * when `npm ci` did not apply the patch (the postinstall step).
 */

/** The library's own canonicalisation, as it was before the patch. */
function canonicalAsBefore(name: string): string {
  return name.replace(
    /(^|-)(\w+)/g,
    (_match, start: string, letters: string) =>
      start + letters.slice(0, 1).toUpperCase() + letters.slice(1).toLowerCase(),
  );
}

type HeaderObject = Record<string, string | number | Array<string | number>>;
/** The library types header values as text; at run time it takes numbers too (canonicalizeValue). */
type LibraryHeaders = NonNullable<Parameters<typeof getHeaders>[0]>;

/** The library's header lookup, as it was before the patch. */
function getHeadersAsBefore(headers: HeaderObject, needle: string): Array<string | number> {
  const result: Array<string | number> = [];
  for (const [key, values] of Object.entries(headers)) {
    if (canonicalAsBefore(key) !== canonicalAsBefore(needle)) continue;
    if (Array.isArray(values)) result.push(...values);
    else result.push(values);
  }
  return result;
}

/** The library's canonicalisation of a whole header object, as it was before the patch. */
function canonicalizeHeadersAsBefore(hdr: Record<string, unknown>): Record<string, unknown> {
  const asText = (value: unknown) => (typeof value === "number" ? value.toString() : value);
  for (const [key, values] of Object.entries(hdr)) {
    const canonKey = canonicalAsBefore(key);
    if (!hdr[canonKey]) hdr[canonKey] = [];
    if (!Array.isArray(hdr[canonKey])) hdr[canonKey] = [asText(hdr[canonKey])];
    if (key === canonKey) continue;
    delete hdr[key];
    (hdr[canonKey] as unknown[]).push(...[values].flat().map(asText));
  }
  return hdr;
}

/** The library's Web Crypto HMAC, as it was before the patch. */
async function webCryptoHmac(secret: string, payload: string, format: "base64" | "hex"): Promise<string> {
  const encoder = new TextEncoder();
  const key = await webcrypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: { name: "SHA-256" } },
    false,
    ["sign"],
  );
  const signature = Buffer.from(await webcrypto.subtle.sign("HMAC", key, encoder.encode(payload)));
  return signature.toString(format);
}

/** The library as the app configures it, quiet, with the tests' secret. */
function testApi() {
  return shopifyApi({
    apiKey: "key",
    apiSecretKey: "patch-test-secret",
    hostName: "brilliant-sync.test",
    apiVersion: ApiVersion.January25,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error, log: () => {} },
  });
}

describe("the patched @shopify/shopify-api", () => {
  it("is what npm ci installed (the postinstall step applied the patch to both builds)", () => {
    const require = createRequire(import.meta.url);
    // …/dist/cjs/lib/index.js
    const dist = join(dirname(require.resolve("@shopify/shopify-api")), "..", "..");
    for (const file of [
      "esm/runtime/http/headers.mjs",
      "cjs/runtime/http/headers.js",
      "esm/runtime/crypto/utils.mjs",
      "cjs/runtime/crypto/utils.js",
      "esm/lib/webhooks/validate.mjs",
      "cjs/lib/webhooks/validate.js",
      "esm/lib/utils/hmac-validator.mjs",
      "cjs/lib/utils/hmac-validator.js",
      "esm/lib/utils/shop-validator.mjs",
      "cjs/lib/utils/shop-validator.js",
    ]) {
      expect(readFileSync(join(dist, file), "utf8"), file).toContain("Brilliant Sync patch");
    }
  });

  it("canonicalises header names exactly as before, the first time and every time after", () => {
    const names = [
      "x-shopify-hmac-sha256",
      "X-SHOPIFY-TOPIC",
      "X-Shopify-Shop-Domain",
      "content-type",
      "x_odd_name",
      "a.b-c.D",
      "-leading-dash",
      "trailing-",
      "--double--dash",
      "ünïcode-name",
      "",
    ];
    for (let round = 0; round < 3; round++) {
      for (const name of names) expect(canonicalizeHeaderName(name), name).toBe(canonicalAsBefore(name));
    }
  });

  it("stays right past the names it remembers (its memory is bounded)", () => {
    for (let i = 0; i < 1_500; i++) {
      const name = `x-custom-${i}-HEADER`;
      expect(canonicalizeHeaderName(name)).toBe(canonicalAsBefore(name));
    }
    expect(getHeader({ "X-Custom-1499-Header": ["late"] }, "x-custom-1499-header")).toBe("late");
  });

  it("reads and canonicalises header objects exactly as before", () => {
    const shapes = (): Array<Record<string, unknown>> => [
      {},
      { "X-Shopify-Topic": ["orders/paid"], "Content-Type": ["application/json"] },
      { "x-shopify-topic": "orders/paid", "X-Shopify-Topic": ["twice"], "content-length": 42 },
      { "X-Shopify-Topic": "not a list", "X-Shopify-Hmac-Sha256": ["a", "b"] },
      { "x-empty": [], "X-Empty": "", "X-Zero": 0, "x-zero": [1] },
      { "X-Shopify-Api-Version": ["2025-01"], "x-shopify-api-version": ["2024-10"], Host: ["h"] },
    ];
    const needles = [
      "x-shopify-topic",
      "X-SHOPIFY-HMAC-SHA256",
      "content-length",
      "x-empty",
      "x-zero",
      "host",
    ];
    for (const [index, shape] of shapes().entries()) {
      for (const needle of needles) {
        expect(getHeaders(shape as LibraryHeaders, needle), `${index} ${needle}`).toEqual(
          getHeadersAsBefore(shape as HeaderObject, needle),
        );
      }
    }
    const before = shapes();
    for (const [index, shape] of shapes().entries()) {
      const after = canonicalizeHeaders(shape as LibraryHeaders);
      const expected = canonicalizeHeadersAsBefore(before[index]!);
      expect(after, String(index)).toEqual(expected);
      expect(Object.keys(after), String(index)).toEqual(Object.keys(expected));
      // A second time changes nothing, as before.
      expect(canonicalizeHeaders(after)).toEqual(canonicalizeHeadersAsBefore(structuredClone(expected)));
    }

    // An enumerable property the object only inherits was never a header.
    const inherited = Object.create({ "X-Shopify-Topic": ["inherited"] }) as LibraryHeaders;
    inherited["Content-Type"] = ["application/json"];
    expect(getHeader(inherited, "x-shopify-topic")).toBeUndefined();
    expect(Object.keys(canonicalizeHeaders(inherited))).toEqual(["Content-Type"]);

    // The Web API adapter adds a request's headers one by one.
    const added = {};
    for (const [name, value] of [
      ["x-shopify-topic", "orders/paid"],
      ["X-Shopify-Topic", "again"],
      ["content-type", "application/json"],
    ] as const) {
      addHeader(added, name, value);
    }
    expect(added).toEqual({
      "X-Shopify-Topic": ["orders/paid", "again"],
      "Content-Type": ["application/json"],
    });
  });

  it("sanitizes shop domains exactly as before, each time (its expressions are built once)", () => {
    const api = testApi();
    // The library's own expressions, as it built them on every call before the patch.
    const domains = "myshopify\\.com|shopify\\.com|myshopify\\.io|shop\\.dev";
    const shopUrl = new RegExp(`^[a-zA-Z0-9][a-zA-Z0-9-_]*\\.(${domains})[/]*$`);
    const shopAdmin = new RegExp(`^admin\\.(${domains})/store/([a-zA-Z0-9][a-zA-Z0-9-_]*)$`);
    const asBefore = (shop: string) => {
      const admin = shopAdmin.exec(shop);
      const url = admin ? `${admin[2]}.myshopify.com` : shop;
      return shopUrl.test(url) ? url : null;
    };
    const shops = [
      "a.myshopify.com",
      "A-b_c.myshopify.com/",
      "admin.shopify.com/store/abc",
      "x.shop.dev",
      "x.myshopify.io",
      "bad shop.myshopify.com",
      "-x.myshopify.com",
      "x.example.com",
      "x.myshopify.com.evil.com",
      "",
    ];
    for (let round = 0; round < 2; round++) {
      for (const shop of shops) expect([shop, api.utils.sanitizeShop(shop)]).toEqual([shop, asBefore(shop)]);
    }
    expect(() => api.utils.sanitizeShop("x.example.com", true)).toThrow();
    expect(api.session.getOfflineId("a.myshopify.com")).toBe("offline_a.myshopify.com");
  });

  it("signs as Web Crypto did: base64 and hex, text and bytes, any characters", async () => {
    const cases = [
      { secret: "s3cret", payload: '{"id":1}' },
      { secret: "another secret", payload: "" },
      { secret: "ключ", payload: '{"name":"Zoë\'s café ☕","note":"日本"}' },
      { secret: "s", payload: "x".repeat(100_000) },
    ];
    for (const { secret, payload } of cases) {
      expect(await createSHA256HMAC(secret, payload, HashFormat.Base64)).toBe(
        await webCryptoHmac(secret, payload, "base64"),
      );
      expect(await createSHA256HMAC(secret, payload, HashFormat.Hex)).toBe(
        await webCryptoHmac(secret, payload, "hex"),
      );
    }
    const bytes = new TextEncoder().encode("byte secret").buffer;
    expect(await createSHA256HMAC(bytes, "payload", HashFormat.Hex)).toBe(
      createHmac("sha256", "byte secret").update("payload").digest("hex"),
    );
  });

  it("still accepts Shopify's signature and refuses a forged one (webhooks.validate)", async () => {
    const api = testApi();
    const url = "https://brilliant-sync.test/webhooks/orders/paid";
    const body = { id: 1, name: "#1" };
    const genuine = signedWebhookRequest(url, {
      topic: "orders/paid",
      shop: "patch-test.myshopify.com",
      body,
      secret: "patch-test-secret",
    });
    const forged = signedWebhookRequest(url, {
      topic: "orders/paid",
      shop: "patch-test.myshopify.com",
      body,
      secret: "not-the-secret",
    });
    const check = async (request: Request) =>
      api.webhooks.validate({ rawBody: await request.clone().text(), rawRequest: request });

    expect(await check(genuine)).toMatchObject({
      valid: true,
      topic: "ORDERS_PAID",
      domain: "patch-test.myshopify.com",
    });
    expect(await check(forged)).toMatchObject({ valid: false, reason: "invalid_hmac" });

    // It reads the request's headers once: validate hands its conversion on to the HMAC check.
    const again = genuine.clone();
    const entries = vi.spyOn(again.headers, "entries");
    expect(await check(again)).toMatchObject({ valid: true });
    expect(entries).toHaveBeenCalledTimes(1);
    // A request with no HMAC header is still refused (the check reads the same conversion).
    const unsigned = genuine.clone();
    unsigned.headers.delete("x-shopify-hmac-sha256");
    expect(await check(unsigned)).toMatchObject({ valid: false, reason: "missing_hmac" });
  });
});
