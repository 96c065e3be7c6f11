import { describe, expect, it } from "vitest";
import { addHeader } from "@shopify/shopify-api/runtime";

import { canonicalHeaderName, convertRequest } from "./shopify-request-adapter.server";

/** The library's own web-api conversion, as @shopify/shopify-api/adapters/web-api does it. */
function libraryConversion(request: Request) {
  const headers = {};
  for (const [key, value] of request.headers.entries()) addHeader(headers, key, value);
  return { headers, method: request.method, url: new URL(request.url).toString() };
}

describe("the app's request conversion for @shopify/shopify-api", () => {
  it("gives what the library's web-api adapter gives, header names of every shape included", async () => {
    const headers = new Headers([
      ["X-Shopify-Hmac-Sha256", "abc="],
      ["x-shopify-topic", "orders/paid"],
      ["X-SHOPIFY-SHOP-DOMAIN", "a.myshopify.com"],
      ["content-type", "application/json"],
      ["authorization", "Bearer x"],
      ["cookie", "a=1"],
      ["set-cookie", "b=2"],
      ["set-cookie", "c=3"],
      ["x-multi", "1"],
      ["x-multi", "2"],
      ["x--odd_name-9", "v"],
      ["etag", '"1"'],
    ]);
    const request = new Request("https://app.test/webhooks/orders/paid?x=1", {
      method: "POST",
      headers,
      body: "{}",
    });
    expect(await convertRequest({ rawRequest: request })).toEqual(libraryConversion(request));
    const get = new Request("https://app.test/app");
    expect(await convertRequest({ rawRequest: get })).toEqual(libraryConversion(get));
  });

  it("names a header as the library does, past the names it remembers too", () => {
    for (let i = 0; i < 1_100; i++) {
      const name = `x-custom-${i}-${i % 3 === 0 ? "ABC" : "def"}`;
      expect(canonicalHeaderName(name)).toBe(Object.keys(libraryConversionOf(name))[0]);
    }
  });
});

function libraryConversionOf(name: string) {
  const headers = {};
  addHeader(headers, name, "v");
  return headers;
}
