import { env } from "../env.server";
import { createBrilliantClient, type BrilliantClient } from "../integrations/brilliant/client.server";
import type { ReadOutcome } from "../integrations/brilliant/outcome";
import type { BrilliantStore } from "../integrations/brilliant/schemas";
import {
  lastCatalogSync,
  syncBrilliantCatalog,
  type CatalogSyncResult,
} from "../catalog/brilliant-catalog.server";
import { getBrilliantCredentials, type BrilliantCredentials } from "./shop.server";

/**
 * The admin's way to Brilliant: a client for the shop's saved (or just typed)
 * credentials, the settings page's "Test connection", and "Sync Brilliant
 * catalog now". The worker builds its own clients (app/orders/forwarder.server.ts).
 */
export function brilliantClientFor(credentials: BrilliantCredentials): BrilliantClient {
  const settings = env();
  return createBrilliantClient({
    baseUrl: settings.BRILLIANT_API_BASE_URL,
    apiKey: credentials.apiKey,
    apiSecret: credentials.apiSecret,
    timeoutMs: Math.min(settings.BRILLIANT_TIMEOUT_MS, 15_000),
  });
}

export type ConnectionTestResult =
  | { ok: true; storeName: string | null; variantCount: number; inactive: boolean }
  | { ok: false; reason: string };

/**
 * GET /store with the typed credentials, each falling back to the saved one,
 * told in the merchant's words. Nothing is saved.
 */
export async function testBrilliantConnection(
  shop: string,
  typed: { apiKey?: string | null; apiSecret?: string | null } = {},
): Promise<ConnectionTestResult> {
  const saved = await getBrilliantCredentials(shop).catch(() => null);
  const apiKey = typed.apiKey?.trim() || saved?.apiKey;
  const apiSecret = typed.apiSecret?.trim() || saved?.apiSecret;
  if (!apiKey || !apiSecret) {
    return { ok: false, reason: "Enter your Brilliant API key and secret first." };
  }
  const answer = await brilliantClientFor({ apiKey, apiSecret }).getStore();
  return describeStoreAnswer(answer);
}

export type CredentialsCheck =
  { verdict: "accepted" } | { verdict: "refused"; reason: string } | { verdict: "unchecked"; reason: string };

/** Whether Brilliant takes this key and secret (GET /store); "unchecked" when it could not say. */
export async function checkBrilliantCredentials(
  credentials: BrilliantCredentials,
): Promise<CredentialsCheck> {
  const answer = await brilliantClientFor(credentials).getStore();
  const described = describeStoreAnswer(answer);
  if (described.ok) return { verdict: "accepted" };
  return answer.kind === "bad_credentials"
    ? { verdict: "refused", reason: described.reason }
    : { verdict: "unchecked", reason: described.reason };
}

export function describeStoreAnswer(answer: ReadOutcome<BrilliantStore>): ConnectionTestResult {
  switch (answer.kind) {
    case "ok":
      return {
        ok: true,
        storeName: answer.value.name ?? null,
        variantCount: answer.value.products.reduce((sum, product) => sum + product.variants.length, 0),
        inactive: Boolean(answer.value.inactive),
      };
    case "bad_credentials":
      return {
        ok: false,
        reason:
          "Brilliant refused this API key and secret (HTTP 401). Copy them again from your Brilliant store settings.",
      };
    case "throttled":
      return { ok: false, reason: "Brilliant is busy (too many requests). Try again in a minute." };
    case "not_found":
      return {
        ok: false,
        reason: "Brilliant has no store at this address (HTTP 404). Check the Brilliant API URL.",
      };
    case "retryable":
      if (answer.reason === "timeout")
        return { ok: false, reason: "Brilliant did not answer in time. Try again in a minute." };
      if (answer.reason === "maintenance")
        return { ok: false, reason: "Brilliant is down for maintenance (HTTP 503). Try again later." };
      if (answer.reason === "server_error")
        return {
          ok: false,
          reason: `Brilliant had an error${answer.httpStatus ? ` (HTTP ${answer.httpStatus})` : ""}. Try again later.`,
        };
      return { ok: false, reason: "Brilliant could not be reached. Check your connection and try again." };
    case "unknown":
      return {
        ok: false,
        reason: `Brilliant answered something the app does not understand${answer.httpStatus ? ` (HTTP ${answer.httpStatus})` : ""}.`,
      };
  }
}

export type CatalogSyncNowResult = CatalogSyncResult | { ok: false; runId: null; reason: string };

/** "Sync Brilliant catalog now": needs saved credentials. */
export async function syncBrilliantCatalogNow(shop: string): Promise<CatalogSyncNowResult> {
  const credentials = await getBrilliantCredentials(shop).catch(() => null);
  if (!credentials) {
    return { ok: false, runId: null, reason: "Save your Brilliant API key and secret first." };
  }
  return syncBrilliantCatalog(shop, brilliantClientFor(credentials));
}

export interface SyncRunView {
  status: string;
  startedAt: string;
  finishedAt: string | null;
  summary: string | null;
  /** Items read so far, and of how many (null when unknown): progress while running. */
  processed: number;
  total: number | null;
}

export async function lastCatalogSyncView(shop: string): Promise<SyncRunView | null> {
  return syncRunView(await lastCatalogSync(shop));
}

export function syncRunView(
  run: {
    status: string;
    startedAt: Date;
    finishedAt: Date | null;
    summary: string | null;
    processed?: number;
    total?: number | null;
  } | null,
): SyncRunView | null {
  if (!run) return null;
  return {
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    summary: run.summary,
    processed: run.processed ?? 0,
    total: run.total ?? null,
  };
}
