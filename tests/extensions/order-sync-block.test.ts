import { describe, expect, it } from "vitest";

import {
  appHref,
  describeStatus,
  loadSyncStatus,
  numericOrderId,
  retrySync,
  syncPath,
  type SyncStatus,
} from "../../extensions/order-sync-block/src/sync-status";

// The order page block's logic, without Shopify's extension runtime: what it
// asks the app for, and what it tells the merchant.

const held: SyncStatus = {
  orderId: "ord_1",
  shopifyOrderId: "5001",
  name: "#1002",
  state: "held",
  stateLabel: "Held",
  reason: "A variant is not mapped to Brilliant.",
  code: 2502,
  message: "Variant not found",
  brilliantOrderId: null,
  nextAttemptAt: null,
  retry: "resubmit",
  nextStep: { label: "Map the variant", url: "/app/mappings" },
  appPath: "/app/orders/ord_1",
  updatedAt: "2026-11-25T10:00:00.000Z",
};

function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; method: string }[] = [];
  const fetchImpl = async (url: string, init?: { method?: string }) => {
    calls.push({ url, method: init?.method ?? "GET" });
    return { ok: status >= 200 && status < 300, status, json: async () => body };
  };
  return { fetchImpl, calls };
}

describe("order ids", () => {
  it("reads the order GID the admin gives the block", () => {
    expect(numericOrderId("gid://shopify/Order/5001")).toBe("5001");
    expect(numericOrderId("5001")).toBe("5001");
    expect(numericOrderId("gid://shopify/Product/5001")).toBeNull();
    expect(syncPath("gid://shopify/Order/5001")).toBe("/api/orders/5001/sync");
  });
});

describe("loadSyncStatus", () => {
  it("GETs the app's sync route and returns the status", async () => {
    const { fetchImpl, calls } = fakeFetch(200, { status: held });
    expect(await loadSyncStatus(fetchImpl, "gid://shopify/Order/5001")).toEqual({ kind: "ok", status: held });
    expect(calls).toEqual([{ url: "/api/orders/5001/sync", method: "GET" }]);
  });

  it("says not found for 404, and names the HTTP status otherwise", async () => {
    expect(await loadSyncStatus(fakeFetch(404, {}).fetchImpl, "gid://shopify/Order/1")).toEqual({
      kind: "not_found",
    });
    expect(await loadSyncStatus(fakeFetch(500, {}).fetchImpl, "gid://shopify/Order/1")).toEqual({
      kind: "error",
      message: "Brilliant Sync answered HTTP 500.",
    });
  });

  it("turns a network failure into a message, never a throw", async () => {
    const failing = async () => {
      throw new TypeError("fetch failed");
    };
    const result = await loadSyncStatus(failing, "gid://shopify/Order/1");
    expect(result).toMatchObject({ kind: "error", message: expect.stringContaining("could not be reached") });
  });
});

describe("retrySync", () => {
  it("POSTs and returns the new status", async () => {
    const ready = { ...held, state: "ready", retry: "retry" as const };
    const { fetchImpl, calls } = fakeFetch(200, { status: ready });
    expect(await retrySync(fetchImpl, "gid://shopify/Order/5001")).toEqual({ kind: "ok", status: ready });
    expect(calls[0]).toEqual({ url: "/api/orders/5001/sync", method: "POST" });
  });

  it("passes on the app's reason when there is nothing to retry (409)", async () => {
    const forwarded = { ...held, state: "forwarded", retry: null };
    const result = await retrySync(
      fakeFetch(409, { error: "Nothing to retry: it is already at Brilliant.", status: forwarded }).fetchImpl,
      "5001",
    );
    expect(result).toEqual({
      kind: "refused",
      message: "Nothing to retry: it is already at Brilliant.",
      status: forwarded,
    });
  });
});

describe("describeStatus", () => {
  it("tells a held order's cause, Brilliant's code and the next step", () => {
    expect(describeStatus(held)).toEqual({
      tone: "critical",
      headline: "Held: needs you",
      detail: "A variant is not mapped to Brilliant.",
      codeLine: "Brilliant code 2502: Variant not found",
      retryLabel: "Check again and send",
      appHref: "app:app/orders/ord_1",
      nextStep: { label: "Map the variant", href: "app:app/mappings" },
    });
  });

  it("shows Brilliant's order for a forwarded order, with nothing to retry", () => {
    const view = describeStatus({
      ...held,
      state: "forwarded",
      stateLabel: "Forwarded",
      code: 1200,
      message: null,
      brilliantOrderId: "50001",
      retry: null,
      nextStep: null,
    });
    expect(view).toMatchObject({
      tone: "success",
      headline: "Forwarded to Brilliant",
      detail: "Brilliant order 50001.",
      codeLine: "Brilliant code 1200",
      retryLabel: null,
    });
  });

  it("links into the app with the app: protocol", () => {
    expect(appHref("/app/orders/x")).toBe("app:app/orders/x");
  });
});
