import prisma from "../db.server";

export interface SetupStep {
  id: "credentials" | "catalog" | "products" | "mappings";
  title: string;
  /** What it does for the merchant, once, in a line. */
  detail: string;
  done: boolean;
  action: { label: string; url: string };
}

/**
 * Home's setup guide: what a new install needs before its paid orders can go
 * to Brilliant, each step done or not by what the database holds now. Paid
 * orders that come before are recorded and held with the reason, never sent
 * unmapped (decision 014).
 */
export async function setupGuide(shop: string): Promise<SetupStep[]> {
  const [settings, catalog, products, mappings] = await Promise.all([
    prisma.shopSettings.findUnique({ where: { shop }, select: { brilliantApiKeyEnc: true } }),
    prisma.brilliantVariant.findFirst({ where: { shop, removedAt: null }, select: { id: true } }),
    prisma.shopifyVariant.findFirst({ where: { shop, deletedAt: null }, select: { id: true } }),
    prisma.variantMapping.findFirst({ where: { shop }, select: { id: true } }),
  ]);
  return [
    {
      id: "credentials",
      title: "Connect your Brilliant store",
      detail: "Save your Brilliant API key and secret; Brilliant checks them before they are saved.",
      done: Boolean(settings?.brilliantApiKeyEnc),
      action: { label: "Open settings", url: "/app/settings" },
    },
    {
      id: "catalog",
      title: "Read Brilliant's catalog",
      detail: "The app reads your Brilliant variants, their stock and whether they are active.",
      done: Boolean(catalog),
      action: { label: "Sync the catalog in Settings", url: "/app/settings" },
    },
    {
      id: "products",
      title: "Read your Shopify products",
      detail: "The app reads your variants and their SKUs, to map each to a Brilliant variant.",
      done: Boolean(products),
      action: { label: "Open mappings", url: "/app/mappings" },
    },
    {
      id: "mappings",
      title: "Map your variants",
      detail: "Auto-match by SKU, barcode or id, then map the rest by hand; unmapped orders wait.",
      done: Boolean(mappings),
      action: { label: "Auto-match", url: "/app/mappings/auto-match" },
    },
  ];
}
