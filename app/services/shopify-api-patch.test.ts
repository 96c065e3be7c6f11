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
  canonicalizeHeaderName,
  createSHA256HMAC,
  getHeader,
  HashFormat,
} from "@shopify/shopify-api/runtime";
import { describe, expect, it } from "vitest";

import { signedWebhookRequest } from "../../shopify-stand-in/webhooks";

/**
 * patches/@shopify+shopify-api+*.patch (decision 007) makes two functions of
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
    const api = shopifyApi({
      apiKey: "key",
      apiSecretKey: "patch-test-secret",
      hostName: "brilliant-sync.test",
      apiVersion: ApiVersion.January25,
      isEmbeddedApp: true,
      logger: { level: LogSeverity.Error, log: () => {} },
    });
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
  });
});
