import { randomBytes } from "node:crypto";
import prisma from "../db.server";
import { sqlFor } from "../db/sql.server";
import { forgetSessionsOf } from "../integrations/shopify-session-storage.server";
import { CredentialsDecryptionError, decryptSecret, encryptSecret } from "../db/credentials-crypto.server";
import { refreshCatalogAlerts } from "../catalog/brilliant-catalog.server";
import { releaseHeldOrders } from "../orders/actions.server";
import { releaseOrdersHeldForState } from "../orders/subdivision-holds.server";
import { subdivisionFallbackOf, type SubdivisionFallback } from "../orders/subdivision-fallback";
import { checkBrilliantCredentials, type CredentialsCheck } from "./brilliant-connection.server";
import { resolveAlert } from "./alert.server";

export type ShopSettingsRecord = NonNullable<Awaited<ReturnType<typeof prisma.shopSettings.findUnique>>>;

export interface BrilliantCredentials {
  apiKey: string;
  apiSecret: string;
}

function newStatusWebhookToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Called after every OAuth grant: a reinstall reactivates the shop. */
export async function ensureShopSettings(shop: string): Promise<ShopSettingsRecord> {
  return prisma.shopSettings.upsert({
    where: { shop },
    create: { shop, statusWebhookToken: newStatusWebhookToken() },
    update: { uninstalledAt: null },
  });
}

export async function getShopSettings(shop: string): Promise<ShopSettingsRecord | null> {
  return prisma.shopSettings.findUnique({ where: { shop } });
}

export async function saveBrilliantCredentials(
  shop: string,
  credentials: BrilliantCredentials,
): Promise<void> {
  const sealed = {
    brilliantApiKeyEnc: encryptSecret(credentials.apiKey),
    brilliantApiSecretEnc: encryptSecret(credentials.apiSecret),
  };
  await prisma.shopSettings.upsert({
    where: { shop },
    create: { shop, statusWebhookToken: newStatusWebhookToken(), ...sealed },
    update: sealed,
  });
  // Orders held for missing or refused credentials get another go.
  await releaseHeldOrders(
    shop,
    ["credentials"],
    "Brilliant credentials were saved; checked again before sending.",
  );
}

/** The shop's Brilliant key and secret, or null when the merchant has not set them yet. */
export async function getBrilliantCredentials(shop: string): Promise<BrilliantCredentials | null> {
  const settings = await getShopSettings(shop);
  if (!settings?.brilliantApiKeyEnc || !settings.brilliantApiSecretEnc) return null;
  return {
    apiKey: decryptSecret(settings.brilliantApiKeyEnc),
    apiSecret: decryptSecret(settings.brilliantApiSecretEnc),
  };
}

/** What the forwarder reads of a shop for each order. */
export interface ForwardingSettings {
  statusWebhookToken: string;
  forwardingMode: string;
  forwardingDelaySeconds: number;
  holdTags: string;
  skipTags: string;
  forwardTestOrders: boolean;
  /** Null when none are saved or they cannot be decrypted (then Settings asks for them again). */
  credentials: BrilliantCredentials | null;
}

// Decrypted credentials by their sealed form: the worker reads them for every
// order, and a changed secret is a different sealed string.
const opened = new Map<string, BrilliantCredentials | null>();

function openCredentials(keySealed: string | null, secretSealed: string | null): BrilliantCredentials | null {
  if (!keySealed || !secretSealed) return null;
  const cacheKey = `${keySealed}\n${secretSealed}`;
  if (opened.has(cacheKey)) return opened.get(cacheKey) ?? null;
  let credentials: BrilliantCredentials | null;
  try {
    credentials = { apiKey: decryptSecret(keySealed), apiSecret: decryptSecret(secretSealed) };
  } catch (error) {
    if (!(error instanceof CredentialsDecryptionError)) throw error;
    credentials = null;
  }
  if (opened.size >= 1_000) opened.clear();
  opened.set(cacheKey, credentials);
  return credentials;
}

/** The shop's forwarding settings and credentials in one direct read (the worker's hot path). */
export async function loadForwardingSettings(shop: string): Promise<ForwardingSettings | null> {
  const [row] = await sqlFor().all<{
    statusWebhookToken: string;
    forwardingMode: string;
    forwardingDelaySeconds: number | bigint;
    holdTags: string;
    skipTags: string;
    forwardTestOrders: boolean | number;
    brilliantApiKeyEnc: string | null;
    brilliantApiSecretEnc: string | null;
  }>(
    `SELECT "statusWebhookToken", "forwardingMode", "forwardingDelaySeconds", "holdTags", "skipTags",
            "forwardTestOrders", "brilliantApiKeyEnc", "brilliantApiSecretEnc"
     FROM "ShopSettings" WHERE "shop" = ?`,
    [shop],
  );
  if (!row) return null;
  return {
    statusWebhookToken: row.statusWebhookToken,
    forwardingMode: row.forwardingMode,
    forwardingDelaySeconds: Number(row.forwardingDelaySeconds),
    holdTags: row.holdTags,
    skipTags: row.skipTags,
    forwardTestOrders: Boolean(row.forwardTestOrders),
    credentials: openCredentials(row.brilliantApiKeyEnc, row.brilliantApiSecretEnc),
  };
}

/** Whether orders placed with payment terms go when placed (orders/create), not when paid. Off by default. */
export async function forwardsPaymentTerms(shop: string): Promise<boolean> {
  const settings = await prisma.shopSettings.findUnique({
    where: { shop },
    select: { forwardPaymentTerms: true },
  });
  return settings?.forwardPaymentTerms ?? false;
}

/**
 * app/uninstalled: the access token is dead, so the sessions go and the worker
 * stops picking up the shop's orders. Order history stays until shop/redact,
 * which Shopify sends 48 hours later.
 */
export async function markShopUninstalled(shop: string): Promise<void> {
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { shop } }),
    prisma.shopSettings.updateMany({ where: { shop }, data: { uninstalledAt: new Date() } }),
  ]);
  forgetSessionsOf(prisma, shop);
}

export async function updateSessionScopes(shop: string, scopes: string[]): Promise<void> {
  await prisma.session.updateMany({ where: { shop }, data: { scope: scopes.join(",") } });
  forgetSessionsOf(prisma, shop);
}

/** Where Brilliant reports status changes for this shop's orders (see contract.md). */
export function statusWebhookUrl(
  appUrl: string,
  settings: Pick<ShopSettingsRecord, "statusWebhookToken">,
): string {
  return new URL(`/brilliant/status/${settings.statusWebhookToken}`, appUrl).toString();
}

/** Whether a status webhook token is some shop's: the status route asks before it reads a body. */
/** The shop whose Brilliant status URL carries `token`, or null. */
export async function shopForStatusWebhookToken(token: string): Promise<string | null> {
  const settings = await prisma.shopSettings.findUnique({
    where: { statusWebhookToken: token },
    select: { shop: true },
  });
  return settings?.shop ?? null;
}

export async function listUninstalledShops(): Promise<string[]> {
  const rows = await prisma.shopSettings.findMany({
    where: { uninstalledAt: { not: null } },
    select: { shop: true },
  });
  return rows.map((row) => row.shop);
}

// ---------------------------------------------------------------------------
// The settings page

export interface ShopSettingsInput {
  forwardingMode: "automatic" | "review";
  /** 0 to 86,400 (24 hours). */
  forwardingDelaySeconds: number;
  holdTags: string[];
  skipTags: string[];
  lowStockThreshold: number;
  /** Mark Shopify orders fulfilled when Brilliant ships them; unchanged when left out. */
  fulfillmentWriteBack?: boolean;
  /** Send Shopify test orders to Brilliant too; unchanged when left out. */
  forwardTestOrders?: boolean;
  /** Send orders placed with payment terms when placed, before payment; unchanged when left out. */
  forwardPaymentTerms?: boolean;
  /** Days the reconciliation sweep reads back (1 to 60); unchanged when left out. */
  reconcileDays?: number;
  /** An address without a 2-letter state: held, or sent with the country code; unchanged when left out. */
  subdivisionFallback?: SubdivisionFallback;
  /** Stock in Shopify: the location's gid, "" for off; unchanged when left out. */
  stockSyncLocationId?: string;
  /** The location's name as the merchant chose it, shown when Shopify cannot be read. */
  stockSyncLocationName?: string;
  /** A new key or secret; empty or missing keeps the saved one. */
  brilliantApiKey?: string | null;
  brilliantApiSecret?: string | null;
}

export type UpdateShopSettingsResult =
  | {
      ok: true;
      settings: ShopSettingsRecord;
      credentialsSaved: boolean;
      /** New credentials saved that Brilliant could not be asked about: why. */
      credentialsUnchecked?: string;
    }
  | { ok: false; fieldErrors: Partial<Record<"brilliantApiKey" | "brilliantApiSecret", string>> };

/** Trimmed, without blanks or repeats (case-insensitive, first spelling kept). */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim();
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    kept.push(tag);
  }
  return kept;
}

export function splitTags(stored: string): string[] {
  return normalizeTags(stored.split(","));
}

/**
 * Saves what the merchant set on the settings page. A key or secret left empty
 * keeps the saved one; a new one is first shown to Brilliant: refused, nothing
 * is saved; accepted (or Brilliant unreachable, which is said), it replaces
 * the saved one and releases orders held for credentials. Nothing is written
 * when a credential is half missing.
 */
export async function updateShopSettings(
  shop: string,
  input: ShopSettingsInput,
  { check = checkBrilliantCredentials }: { check?: typeof checkBrilliantCredentials } = {},
): Promise<UpdateShopSettingsResult> {
  const current = await getShopSettings(shop);
  const apiKey = input.brilliantApiKey?.trim() || null;
  const apiSecret = input.brilliantApiSecret?.trim() || null;
  if (apiKey || apiSecret) {
    if (!apiKey && !current?.brilliantApiKeyEnc)
      return { ok: false, fieldErrors: { brilliantApiKey: "Enter the API key that goes with this secret." } };
    if (!apiSecret && !current?.brilliantApiSecretEnc)
      return {
        ok: false,
        fieldErrors: { brilliantApiSecret: "Enter the API secret that goes with this key." },
      };
  }
  let credentials: BrilliantCredentials | null = null;
  let credentialsCheck: CredentialsCheck | null = null;
  if (apiKey || apiSecret) {
    const saved = apiKey && apiSecret ? null : await getBrilliantCredentials(shop);
    credentials = { apiKey: apiKey ?? saved?.apiKey ?? "", apiSecret: apiSecret ?? saved?.apiSecret ?? "" };
    credentialsCheck = await check(credentials);
    if (credentialsCheck.verdict === "refused") {
      return { ok: false, fieldErrors: { brilliantApiKey: credentialsCheck.reason } };
    }
  }

  const data = {
    forwardingMode: input.forwardingMode,
    forwardingDelaySeconds: input.forwardingDelaySeconds,
    holdTags: normalizeTags(input.holdTags).join(","),
    skipTags: normalizeTags(input.skipTags).join(","),
    lowStockThreshold: input.lowStockThreshold,
    ...(input.fulfillmentWriteBack === undefined ? {} : { fulfillmentWriteBack: input.fulfillmentWriteBack }),
    ...(input.forwardTestOrders === undefined ? {} : { forwardTestOrders: input.forwardTestOrders }),
    ...(input.forwardPaymentTerms === undefined ? {} : { forwardPaymentTerms: input.forwardPaymentTerms }),
    ...(input.reconcileDays === undefined ? {} : { reconcileDays: input.reconcileDays }),
    ...(input.stockSyncLocationId === undefined
      ? {}
      : {
          stockSyncLocationId: input.stockSyncLocationId || null,
          stockSyncLocationName: input.stockSyncLocationId
            ? input.stockSyncLocationName || input.stockSyncLocationId
            : null,
        }),
    ...(input.subdivisionFallback === undefined ? {} : { subdivisionFallback: input.subdivisionFallback }),
  };
  await prisma.shopSettings.upsert({
    where: { shop },
    create: { shop, statusWebhookToken: newStatusWebhookToken(), ...data },
    update: data,
  });

  // Low-stock alerts follow the threshold at once, not at the next catalog sync.
  if (current && current.lowStockThreshold !== input.lowStockThreshold) await refreshCatalogAlerts(shop);

  // Review-first turned off: the orders waiting for review need none any more.
  if (input.forwardingMode === "automatic") {
    await releaseHeldOrders(
      shop,
      ["review"],
      "Review-first forwarding was turned off; checked again before it goes to Brilliant.",
      "merchant",
    );
  }

  // Orders held for a state Brilliant cannot take may go now.
  if (input.subdivisionFallback === "country" && current?.subdivisionFallback !== "country") {
    await releaseOrdersHeldForState(shop);
  }

  if (credentials) {
    await saveBrilliantCredentials(shop, credentials);
    // Brilliant took them: whatever said they were missing or refused is over.
    if (credentialsCheck?.verdict === "accepted") await resolveAlert(shop, "credentials");
  }
  const settings = await prisma.shopSettings.findUniqueOrThrow({ where: { shop } });
  return {
    ok: true,
    settings,
    credentialsSaved: credentials !== null,
    ...(credentialsCheck?.verdict === "unchecked" ? { credentialsUnchecked: credentialsCheck.reason } : {}),
  };
}

export interface SettingsView {
  forwardingMode: string;
  forwardingDelaySeconds: number;
  holdTags: string[];
  skipTags: string[];
  lowStockThreshold: number;
  fulfillmentWriteBack: boolean;
  forwardTestOrders: boolean;
  forwardPaymentTerms: boolean;
  reconcileDays: number;
  subdivisionFallback: SubdivisionFallback;
  /** Stock in Shopify's location (gid) and its name; null when off. */
  stockSyncLocationId: string | null;
  stockSyncLocationName: string | null;
  /**
   * "…abcd" when saved, "" when saved but too short to show any of it, null
   * when not saved: the key and secret themselves never leave the server.
   */
  apiKeyEnding: string | null;
  apiSecretEnding: string | null;
}

/** The settings as the settings page may show them. */
export async function getSettingsView(shop: string): Promise<SettingsView> {
  const settings = await getShopSettings(shop);
  const credentials = await getBrilliantCredentials(shop).catch(() => null);
  // Too short to show four characters of without showing most of it.
  const ending = (value: string | undefined) =>
    value ? (value.length >= 12 ? `…${value.slice(-4)}` : "") : null;
  return {
    forwardingMode: settings?.forwardingMode ?? "automatic",
    forwardingDelaySeconds: settings?.forwardingDelaySeconds ?? 0,
    holdTags: splitTags(settings?.holdTags ?? ""),
    skipTags: splitTags(settings?.skipTags ?? ""),
    lowStockThreshold: settings?.lowStockThreshold ?? 5,
    fulfillmentWriteBack: settings?.fulfillmentWriteBack ?? false,
    forwardTestOrders: settings?.forwardTestOrders ?? false,
    forwardPaymentTerms: settings?.forwardPaymentTerms ?? false,
    reconcileDays: settings?.reconcileDays ?? 7,
    stockSyncLocationId: settings?.stockSyncLocationId ?? null,
    stockSyncLocationName: settings?.stockSyncLocationName ?? null,
    subdivisionFallback: subdivisionFallbackOf(settings?.subdivisionFallback),
    apiKeyEnding: ending(credentials?.apiKey),
    apiSecretEnding: ending(credentials?.apiSecret),
  };
}
