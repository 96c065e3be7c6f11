import { describe, expect, it } from "vitest";

import { callRoute } from "../../tests/helpers/admin-session";
import { TEST_APP_URL } from "../../tests/setup/app-env";
import { loader } from "./auth.$";

describe("/auth/*", () => {
  it("refuses an exit-iframe redirect outside the app and the Shopify admin with 400, not a server error", async () => {
    for (const destination of ["https://evil.example/phish", "javascript:alert(1)", ""]) {
      const url = new URL("/auth/exit-iframe", TEST_APP_URL);
      url.searchParams.set("shop", "shop-one.myshopify.com");
      url.searchParams.set("exitIframe", destination);
      const response = await callRoute(loader, new Request(url));
      expect(response.status).toBe(400);
    }
  });

  it("still renders the exit-iframe page for the app's own path", async () => {
    const url = new URL("/auth/exit-iframe", TEST_APP_URL);
    url.searchParams.set("shop", "shop-one.myshopify.com");
    url.searchParams.set("exitIframe", "/auth/login");
    const response = await callRoute(loader, new Request(url));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("/auth/login");
  });
});
