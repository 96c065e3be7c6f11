import prisma from "../db.server";

export interface SetupStep {
  id: "credentials" | "catalog" | "products" | "mappings";
  title: string;
  /** What it does for the merchant, once, in a line. */
  detail: string;
  done: boolean;
  action: { label: string; url: string };
}

const STEPS: Omit<SetupStep, "done">[] = [
  [
    "credentials",
    "Connect your Brilliant store",
    "Save your Brilliant API key and secret; Brilliant checks them before they are saved.",
    "Open settings",
    "/app/settings",
  ],
  [
    "catalog",
    "Read Brilliant's catalog",
    "The app reads your Brilliant variants, their stock and whether they are active.",
    "Sync the catalog in Settings",
    "/app/settings",
  ],
  [
    "products",
    "Read your Shopify products",
    "The app reads your variants and their SKUs, to map each to a Brilliant variant.",
    "Open mappings",
    "/app/mappings",
  ],
  [
    "mappings",
    "Map your variants",
    "Auto-match by SKU, barcode or id, then map the rest by hand; unmapped orders wait.",
    "Auto-match",
    "/app/mappings/auto-match",
  ],
].map(([id, title, detail, label, url]) => ({
  id: id as SetupStep["id"],
  title: title!,
  detail: detail!,
  action: { label: label!, url: url! },
}));

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
  const done: Record<SetupStep["id"], boolean> = {
    credentials: Boolean(settings?.brilliantApiKeyEnc),
    catalog: Boolean(catalog),
    products: Boolean(products),
    mappings: Boolean(mappings),
  };
  return STEPS.map((step) => ({ ...step, done: done[step.id] }));
}
