// The Admin GraphQL stand-in for model and route tests that reach Shopify
// through the app's real client: started on a free port, reached through
// SHOPIFY_ADMIN_API_ORIGIN, with each shop's offline session holding the token
// the stand-in expects.
//
//   beforeAll(async () => { standIn = await startStandIn([SHOP]); });
//   afterAll(() => stopStandIn(standIn));
//   beforeEach(() => seedStandInSession(SHOP));
import { afterAll, beforeAll, beforeEach } from "vitest";
import prisma from "../../app/db.server";
import { resetEnvCache } from "../../app/env.server";
import { forgetSessionsOf } from "../../app/integrations/shopify-session-storage.server";
import { shopAdminGraphql } from "../../app/integrations/shopify-shop-admin.server";
import type { AdminGraphql } from "../../app/integrations/shopify-admin.server";
import {
  standInAccessToken,
  startAdminGraphqlStandIn,
  type AdminGraphqlStandIn,
  type BucketOptions,
  type StandInOrder,
} from "../../shopify-stand-in/admin-graphql";
import { NOTABLE_VARIANT_IDS } from "../../simulator/catalog";
import { startSimulator, type RunningSimulator } from "../../simulator/server";
import { resetDatabase } from "./db";
import { mapVariants, seedShopForForwarding } from "./forwarding";

/** A bucket that refills at once, for tests that are not about throttling. */
export const FAST_BUCKET = { maximumAvailable: 1000, restoreRate: 100_000 };

export async function startStandIn(shops: string[], bucket: BucketOptions = FAST_BUCKET) {
  const standIn = await startAdminGraphqlStandIn({
    shops: Object.fromEntries(shops.map((shop) => [shop, { products: [] }])),
    bucket,
  });
  process.env.SHOPIFY_ADMIN_API_ORIGIN = standIn.origin;
  resetEnvCache();
  return standIn;
}

export async function stopStandIn(standIn: AdminGraphqlStandIn | undefined) {
  delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
  resetEnvCache();
  await standIn?.close();
}

/**
 * The shop's offline session, as OAuth leaves it, with the token the stand-in
 * expects (or another, e.g. one it refuses).
 */
export async function seedStandInSession(shop: string, accessToken = standInAccessToken(shop)) {
  await prisma.session.upsert({
    where: { id: `offline_${shop}` },
    create: {
      id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      scope:
        "read_orders,read_products,read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders",
      accessToken,
    },
    update: { accessToken },
  });
  // Written past the session storage: this process reads it afresh.
  forgetSessionsOf(prisma, shop);
}

/** The admin client the worker uses for a shop. */
export async function adminGraphqlFor(shop: string): Promise<AdminGraphql> {
  return shopAdminGraphql(shop);
}

interface RestLine {
  id: number;
  variant_id?: number | null;
  sku?: string | null;
  title?: string | null;
  quantity: number;
  requires_shipping?: boolean | null;
  gift_card?: boolean | null;
  properties?: RestAttribute[] | null;
}

interface RestAttribute {
  name: string;
  value: string | null;
}

/** REST's name: value pairs as GraphQL's key: value. */
function standInAttributes(attributes: RestAttribute[] | null | undefined) {
  return (attributes ?? []).map((attribute) => ({ key: attribute.name, value: attribute.value }));
}

interface RestShippingLine {
  title?: string | null;
  code?: string | null;
  source?: string | null;
  delivery_category?: string | null;
}

/** The order a REST orders/paid body describes, as the stand-in holds it (paid, created now unless it says). */
export function standInOrderFromRest(body: Record<string, unknown>): StandInOrder {
  const address = (body.shipping_address ?? null) as Record<string, string | null> | null;
  const shippingLines = (body.shipping_lines ?? []) as RestShippingLine[];
  return {
    id: Number(body.id),
    name: String(body.name),
    createdAt: typeof body.created_at === "string" ? body.created_at : new Date().toISOString(),
    displayFinancialStatus: "PAID",
    tags: typeof body.tags === "string" && body.tags ? body.tags.split(",").map((tag) => tag.trim()) : [],
    test: body.test === true,
    shippingAddress: address
      ? {
          name: address.name ?? null,
          address1: address.address1 ?? null,
          city: address.city ?? null,
          province: address.province ?? null,
          provinceCode: address.province_code ?? null,
          zip: address.zip ?? null,
          countryCodeV2: address.country_code ?? null,
        }
      : null,
    lineItems: (body.line_items as RestLine[]).map((line) => ({
      id: line.id,
      variantId: line.variant_id ?? null,
      sku: line.sku ?? null,
      title: line.title ?? "Item",
      quantity: line.quantity,
      requiresShipping: line.requires_shipping !== false,
      isGiftCard: line.gift_card === true,
      customAttributes: standInAttributes(line.properties),
    })),
    note: typeof body.note === "string" ? body.note : null,
    customAttributes: standInAttributes(body.note_attributes as RestAttribute[] | undefined),
    sourceName: typeof body.source_name === "string" ? body.source_name : null,
    shippingLines: shippingLines.map((line) => ({
      title: line.title ?? line.code ?? "Shipping",
      code: line.code ?? null,
      source: line.source ?? null,
      deliveryCategory: line.delivery_category ?? null,
    })),
  };
}

/**
 * Hooks for tests where Shopify (the Admin GraphQL stand-in) and Brilliant
 * (the simulator) both play: each test starts from an empty database with
 * every shop installed, its session, Brilliant credentials, the simulator's
 * tee mapped, and no orders in Shopify.
 *
 *   const world = withShopifyAndBrilliant([SHOP]);
 *   it("…", () => { world.standIn.setOrders(SHOP, […]); … world.sim.acceptedOrders() … });
 */
export function withShopifyAndBrilliant(shops: string[]) {
  const world = {} as { standIn: AdminGraphqlStandIn; sim: RunningSimulator };
  beforeAll(async () => {
    world.standIn = await startStandIn(shops);
    world.sim = await startSimulator();
  });
  afterAll(async () => {
    await stopStandIn(world.standIn);
    await world.sim.close();
  });
  beforeEach(async () => {
    await resetDatabase(prisma);
    world.sim.reset();
    world.standIn.setBucket(FAST_BUCKET);
    world.standIn.requests.length = 0;
    for (const shop of shops) {
      await seedShopForForwarding(shop);
      await seedStandInSession(shop);
      await mapVariants(shop, [NOTABLE_VARIANT_IDS.teeMedium]);
      world.standIn.setOrders(shop, []);
    }
  });
  return world;
}
