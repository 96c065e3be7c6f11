import { randomBytes } from "node:crypto";
import prisma from "../db.server";
import { decryptSecret, encryptSecret } from "../services/credentials-crypto.server";
import { releaseHeldOrders } from "./order-actions.server";

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
}

export async function updateSessionScopes(shop: string, scopes: string[]): Promise<void> {
  await prisma.session.updateMany({ where: { shop }, data: { scope: scopes.join(",") } });
}

/** Where Brilliant reports status changes for this shop's orders (see contract.md). */
export function statusWebhookUrl(
  appUrl: string,
  settings: Pick<ShopSettingsRecord, "statusWebhookToken">,
): string {
  return new URL(`/brilliant/status/${settings.statusWebhookToken}`, appUrl).toString();
}

export async function listUninstalledShops(): Promise<string[]> {
  const rows = await prisma.shopSettings.findMany({
    where: { uninstalledAt: { not: null } },
    select: { shop: true },
  });
  return rows.map((row) => row.shop);
}
