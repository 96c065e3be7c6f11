/**
 * Seeds an installed shop the way OAuth would leave it: an offline session,
 * shop settings, and Brilliant credentials. Import only after DATABASE_URL and
 * the app's environment are set, since the app modules read them on import.
 */
export interface SeedShopInput {
  shop: string;
  brilliantApiKey: string;
  brilliantApiSecret: string;
  scopes: string;
  settings?: Partial<{
    forwardingMode: string;
    forwardingDelaySeconds: number;
    holdTags: string;
    skipTags: string;
    lowStockThreshold: number;
  }>;
}

/** The offline access token seedShop stores for a shop (what a stand-in for Shopify's Admin API must accept). */
export function seededAccessToken(shop: string): string {
  return `shpat_seeded_${shop.replace(/\W/g, "_")}`;
}

export async function seedShop(input: SeedShopInput): Promise<void> {
  const { Session } = await import("@shopify/shopify-api");
  const { sessionStorage } = await import("../../app/shopify.server");
  const { ensureShopSettings, saveBrilliantCredentials } = await import("../../app/models/shop.server");
  const { default: prisma } = await import("../../app/db.server");

  await sessionStorage.storeSession(
    new Session({
      id: `offline_${input.shop}`,
      shop: input.shop,
      state: "seeded",
      isOnline: false,
      scope: input.scopes,
      accessToken: seededAccessToken(input.shop),
    }),
  );
  await ensureShopSettings(input.shop);
  await saveBrilliantCredentials(input.shop, {
    apiKey: input.brilliantApiKey,
    apiSecret: input.brilliantApiSecret,
  });
  if (input.settings) {
    await prisma.shopSettings.update({ where: { shop: input.shop }, data: input.settings });
  }
}
