import { readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import en from "../../extensions/order-sync-block/locales/en.default.json";
import {
  afterRetry,
  appHref,
  describeStatus,
  loadSyncStatus,
  numericOrderId,
  retrySync,
  say,
  syncPath,
  type Message,
  type RetryResult,
  type StatusView,
  type SyncStatus,
  type View,
} from "../../extensions/order-sync-block/src/sync-status";

// The order page block's logic, without Shopify's extension runtime: what it
// asks the app for, and what it tells the merchant (through its locale file).

const extensionDir = join(import.meta.dirname, "../../extensions/order-sync-block");

/** Every key of the locale file, dotted ("block.heading"), and its string. */
function flatten(tree: object, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === "string") out.set(`${prefix}${key}`, value);
    else for (const [k, v] of flatten(value as object, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}
const strings = flatten(en);

/** A strict stand-in for shopify.i18n.translate: unknown keys and missing values throw. */
function translate(key: string, params: Record<string, string | number> = {}): string {
  const template = strings.get(key);
  if (template === undefined) throw new Error(`no translation for ${key}`);
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`${key} needs {{${name}}}`);
    return String(params[name]);
  });
}
const t = (message: Message) => say(translate, message);

/** A StatusView in words, as the merchant reads it. */
function words(view: StatusView) {
  return {
    ...view,
    headline: t(view.headline),
    detail: view.detail && t(view.detail),
    codeLine: view.codeLine && t(view.codeLine),
    retryLabel: view.retryLabel && t(view.retryLabel),
  };
}

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

const failing = async () => {
  throw new TypeError("fetch failed");
};

describe("order ids", () => {
  it("reads the order GID the admin gives the block", () => {
    expect(numericOrderId("gid://shopify/Order/5001")).toBe("5001");
    expect(numericOrderId("5001")).toBe("5001");
    expect(numericOrderId("gid://shopify/Product/5001")).toBeNull();
    expect(syncPath("gid://shopify/Order/5001")).toBe("/api/orders/5001/sync");
  });

  it("asks nothing for an id that is not an order's", async () => {
    const { fetchImpl, calls } = fakeFetch(200, { status: held });
    expect(await loadSyncStatus(fetchImpl, "gid://shopify/Product/1")).toEqual({ kind: "not_found" });
    expect(await retrySync(fetchImpl, "")).toEqual({ kind: "not_found" });
    expect(calls).toEqual([]);
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
    const result = await loadSyncStatus(fakeFetch(500, {}).fetchImpl, "gid://shopify/Order/1");
    expect(result).toEqual({ kind: "error", message: { key: "error.http", params: { status: 500 } } });
    expect(result.kind === "error" && t(result.message)).toBe("Brilliant Sync answered HTTP 500.");
  });

  it("treats a 200 without a status as an error", async () => {
    const result = await loadSyncStatus(fakeFetch(200, { nope: true }).fetchImpl, "5001");
    expect(result.kind === "error" && t(result.message)).toBe("Brilliant Sync answered HTTP 200.");
  });

  it("turns a network failure into a message, never a throw", async () => {
    const result = await loadSyncStatus(failing, "gid://shopify/Order/1");
    expect(result.kind).toBe("error");
    expect(result.kind === "error" && t(result.message)).toContain("could not be reached");
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
      message: { text: "Nothing to retry: it is already at Brilliant." },
      status: forwarded,
    });
    expect(result.kind === "refused" && t(result.message)).toBe(
      "Nothing to retry: it is already at Brilliant.",
    );
  });

  it("has its own words for a 409 without a reason or a status", async () => {
    const result = await retrySync(fakeFetch(409, {}).fetchImpl, "5001");
    expect(result).toEqual({ kind: "refused", message: { key: "retry.nothingToRetry" }, status: null });
    expect(result.kind === "refused" && t(result.message)).toBe("Nothing to retry.");
  });

  it("names the HTTP status of a failed retry, and survives the network", async () => {
    const result = await retrySync(fakeFetch(502, {}).fetchImpl, "5001");
    expect(result.kind === "error" && t(result.message)).toBe(
      "Retry failed: Brilliant Sync answered HTTP 502.",
    );
    expect(await retrySync(fakeFetch(404, {}).fetchImpl, "5001")).toEqual({ kind: "not_found" });
    const offline = await retrySync(failing, "5001");
    expect(offline.kind === "error" && t(offline.message)).toContain("could not be reached");
  });
});

describe("afterRetry: the block after a retry, from the retry's answer (no reload)", () => {
  const shown: View = { kind: "ok", status: held };

  it("shows the new status and says it was sent", () => {
    const ready: SyncStatus = { ...held, state: "ready", stateLabel: "Ready", retry: "retry" };
    const next = afterRetry(shown, { kind: "ok", status: ready });
    expect(next.view).toEqual({ kind: "ok", status: ready });
    expect(next.notice?.tone).toBe("success");
    expect(next.notice && t(next.notice.message)).toBe("Sent for another try. Now: Ready.");
    // The badge and headline come from the new status.
    expect(next.view.kind === "ok" && words(describeStatus(next.view.status))).toMatchObject({
      badge: "Ready",
      headline: "Ready to send",
      retryLabel: "Retry now",
    });
  });

  it("shows the app's status and reason when it refuses", () => {
    const forwarded: SyncStatus = { ...held, state: "forwarded", stateLabel: "Forwarded", retry: null };
    const refused: RetryResult = {
      kind: "refused",
      message: { text: "Already at Brilliant." },
      status: forwarded,
    };
    const next = afterRetry(shown, refused);
    expect(next.view).toEqual({ kind: "ok", status: forwarded });
    expect(next.notice).toEqual({ tone: "info", message: { text: "Already at Brilliant." } });
  });

  it("keeps what it showed when a refusal carries no status", () => {
    const next = afterRetry(shown, {
      kind: "refused",
      message: { key: "retry.nothingToRetry" },
      status: null,
    });
    expect(next.view).toBe(shown);
    expect(next.notice && t(next.notice.message)).toBe("Nothing to retry.");
  });

  it("keeps what it showed and warns when the retry failed", () => {
    const failed: RetryResult = {
      kind: "error",
      message: { key: "error.retryHttp", params: { status: 500 } },
    };
    const next = afterRetry(shown, failed);
    expect(next.view).toBe(shown);
    expect(next.notice?.tone).toBe("critical");
    expect(next.notice && t(next.notice.message)).toBe("Retry failed: Brilliant Sync answered HTTP 500.");
  });

  it("says not found when the order is gone", () => {
    expect(afterRetry(shown, { kind: "not_found" })).toEqual({ view: { kind: "not_found" }, notice: null });
  });
});

describe("describeStatus", () => {
  it("tells a held order's cause, Brilliant's code and the next step", () => {
    expect(words(describeStatus(held))).toEqual({
      tone: "critical",
      badge: "Held",
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
    expect(words(view)).toMatchObject({
      tone: "success",
      headline: "Forwarded to Brilliant",
      detail: "Brilliant order 50001.",
      codeLine: "Brilliant code 1200",
      retryLabel: null,
      nextStep: null,
    });
  });

  it.each([
    ["forwarded", "success", "Forwarded to Brilliant"],
    ["held", "critical", "Held: needs you"],
    ["retrying", "warning", "Brilliant did not take it yet; trying again"],
    ["unknown", "warning", "Checking whether Brilliant has it"],
    ["received", "info", "Received; about to be checked"],
    ["waiting", "info", "Waiting before it is sent"],
    ["ready", "info", "Ready to send"],
    ["sending", "info", "Sending to Brilliant"],
    ["cancelled", "info", "Cancelled before it reached Brilliant"],
    ["skipped", "info", "Not sent to Brilliant"],
  ])("describes the %s state", (state, tone, headline) => {
    const view = words(describeStatus({ ...held, state, stateLabel: `label of ${state}` }));
    expect(view).toMatchObject({ tone, headline, badge: `label of ${state}` });
  });

  it("falls back to the app's label for a state it does not know", () => {
    const view = describeStatus({ ...held, state: "brand_new", stateLabel: "Brand new" });
    expect(view.headline).toEqual({ text: "Brand new" });
    expect(view.tone).toBe("info");
  });

  it("words Brilliant's code and message in each combination", () => {
    const codeLine = (code: number | null, message: string | null) => {
      const line = describeStatus({ ...held, code, message }).codeLine;
      return line && t(line);
    };
    expect(codeLine(2502, "Variant not found")).toBe("Brilliant code 2502: Variant not found");
    expect(codeLine(2502, null)).toBe("Brilliant code 2502");
    expect(codeLine(null, "Timed out")).toBe("Brilliant said: Timed out");
    expect(codeLine(null, null)).toBeNull();
  });

  it("labels the retry by what the app allows", () => {
    const label = (retry: SyncStatus["retry"]) => {
      const l = describeStatus({ ...held, retry }).retryLabel;
      return l && t(l);
    };
    expect(label("retry")).toBe("Retry now");
    expect(label("resubmit")).toBe("Check again and send");
    expect(label(null)).toBeNull();
  });

  it("has no detail when the app gives no reason", () => {
    expect(describeStatus({ ...held, reason: null }).detail).toBeNull();
  });

  it("links into the app with the app: protocol", () => {
    expect(appHref("/app/orders/x")).toBe("app:app/orders/x");
  });
});

describe("locales/en.default.json", () => {
  const sources = ["src/sync-status.ts", "src/BlockExtension.tsx"].map((file) =>
    readFileSync(join(extensionDir, file), "utf8"),
  );
  // Quoted dotted keys in the code ("block.heading", 'retry.sent', …).
  const used = new Set(
    sources.flatMap((source) =>
      [...source.matchAll(/["']([a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)+)["']/g)].map((match) => match[1]!),
    ),
  );

  it("has every key the block uses", () => {
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((key) => !strings.has(key))).toEqual([]);
  });

  it("has no key the block does not use", () => {
    const unused = [...strings.keys()].filter((key) => key !== "name" && !used.has(key));
    expect(unused).toEqual([]);
    // `name` is the extension's name, which shopify.extension.toml takes from here.
    expect(readFileSync(join(extensionDir, "shopify.extension.toml"), "utf8")).toContain('name = "t:name"');
  });

  it("leaves no merchant-facing text in the block's markup", () => {
    const block = sources[1]!;
    // Text between tags, or a literal heading/label attribute.
    expect(block.match(/<s-[a-z-]+[^>]*>[^<{}]*[A-Za-z][^<{}]*</g) ?? []).toEqual([]);
    expect(block.match(/\b(heading|accessibilityLabel|collapsedSummary)="/g) ?? []).toEqual([]);
  });
});
