import prisma from "../db.server";
import { failSyncRun, lastSyncRun } from "../models/sync-run.server";
import type { BrilliantClient } from "../integrations/brilliant/client.server";
import { raiseAlert, resolveAlert, resolveAlertsWithoutHeldOrders } from "../models/alert.server";
import { recheckHeldOrders, releaseHeldOrders } from "../orders/actions.server";
import { countSync } from "../ops/metrics.server";

export type CatalogSyncResult =
  | {
      ok: true;
      runId: string;
      variants: number;
      removed: number;
      inactive: number;
      lowStock: number;
      released: number;
    }
  | { ok: false; runId: string; reason: string };

/**
 * Reads Brilliant's catalog (GET /store) into BrilliantVariant, then brings
 * everything that depends on it up to date: a variant that disappeared is
 * marked removed (never deleted: held orders still name it), inactive and
 * low-stock variants that are mapped raise alerts (before any order fails),
 * alerts whose cause is gone close, and held orders whose cause is fixed go
 * out again.
 */
export async function syncBrilliantCatalog(
  shop: string,
  client: BrilliantClient,
): Promise<CatalogSyncResult> {
  const run = await prisma.syncRun.create({ data: { shop, kind: "brilliant_catalog" } });
  const fail = async (reason: string): Promise<CatalogSyncResult> => {
    await failSyncRun(run.id, reason);
    countSync("brilliant_catalog", "failed");
    return { ok: false, runId: run.id, reason };
  };

  try {
    const answer = await client.getStore();
    if (answer.kind === "bad_credentials") {
      await raiseAlert({
        shop,
        kind: "credentials",
        key: "credentials",
        title: "Brilliant credentials are missing or refused",
        detail:
          "Brilliant refused the saved API key and secret while reading your catalog. Check them in Settings.",
      });
      return fail("Brilliant refused the API key and secret (HTTP 401).");
    }
    if (answer.kind !== "ok") {
      return fail(
        `Brilliant's catalog could not be read (${answer.kind}${answer.httpStatus ? `, HTTP ${answer.httpStatus}` : ""}); it is tried again later.`,
      );
    }

    // Brilliant took the saved credentials: orders held for them go again, and the alert is over.
    await releaseHeldOrders(
      shop,
      ["credentials"],
      "Brilliant accepted the saved credentials; checked again before sending.",
    );
    await resolveAlert(shop, "credentials");
    const now = new Date();
    const seen = new Set<string>();
    const rows = answer.value.products.flatMap((product) =>
      product.variants.map((variant) => {
        const brilliantVariantId = String(variant.id);
        seen.add(brilliantVariantId);
        return {
          brilliantVariantId,
          productId: String(product.id),
          productName: product.name,
          size: variant.size ?? null,
          color: variant.color ?? null,
          flavor: variant.flavor ?? null,
          imageUrl: variant.images?.medium ?? variant.images?.thumb ?? null,
          // Not reported counts as untracked: it must never block an order.
          inventoryCount: variant.inventory_count ?? -1,
          inventoryRequired: product.inventory_required,
          productInactive: product.inactive || answer.value.inactive,
          removedAt: null,
          syncedAt: now,
        };
      }),
    );
    await prisma.syncRun.update({ where: { id: run.id }, data: { total: rows.length } });

    const CHUNK = 200;
    for (let index = 0; index < rows.length; index += CHUNK) {
      const chunk = rows.slice(index, index + CHUNK);
      await prisma.$transaction(
        chunk.map((row) =>
          prisma.brilliantVariant.upsert({
            where: { shop_brilliantVariantId: { shop, brilliantVariantId: row.brilliantVariantId } },
            create: { shop, ...row },
            update: row,
          }),
        ),
      );
      await prisma.syncRun.update({ where: { id: run.id }, data: { processed: index + chunk.length } });
    }
    const removed = await prisma.brilliantVariant.updateMany({
      where: { shop, removedAt: null, brilliantVariantId: { notIn: [...seen] } },
      data: { removedAt: now },
    });

    const alerts = await refreshCatalogAlerts(shop);
    const released = await recheckHeldOrders(
      shop,
      "Brilliant's catalog changed; checked again before sending.",
    );
    await resolveAlertsWithoutHeldOrders(shop);

    const summary = `${rows.length} variants; ${removed.count} newly removed; ${alerts.inactive} mapped inactive; ${alerts.lowStock} mapped at or below the low-stock threshold; ${released} held order(s) released.`;
    await prisma.syncRun.update({
      where: { id: run.id },
      data: { status: "succeeded", finishedAt: new Date(), processed: rows.length, summary },
    });
    countSync("brilliant_catalog", "succeeded");
    return {
      ok: true,
      runId: run.id,
      variants: rows.length,
      removed: removed.count,
      inactive: alerts.inactive,
      lowStock: alerts.lowStock,
      released,
    };
  } catch (error) {
    await fail(`The catalog sync stopped: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

/**
 * Opens or closes the catalog's own alerts for mapped variants: inactive or
 * removed at Brilliant, and at or below the shop's low-stock threshold.
 */
export async function refreshCatalogAlerts(shop: string): Promise<{ inactive: number; lowStock: number }> {
  const settings = await prisma.shopSettings.findUnique({
    where: { shop },
    select: { lowStockThreshold: true },
  });
  const threshold = settings?.lowStockThreshold ?? 5;
  const mappings = await prisma.variantMapping.findMany({
    where: { shop },
    select: { shopifyVariantId: true, sku: true, brilliantVariantId: true },
  });
  const byBrilliant = new Map<string, { shopifyVariantId: string; sku: string | null }[]>();
  for (const mapping of mappings) {
    const list = byBrilliant.get(mapping.brilliantVariantId) ?? [];
    list.push(mapping);
    byBrilliant.set(mapping.brilliantVariantId, list);
  }
  const variants = await prisma.brilliantVariant.findMany({
    where: { shop, brilliantVariantId: { in: [...byBrilliant.keys()] } },
  });
  const shopifyNames = await shopifyVariantNames(
    shop,
    mappings.map((mapping) => mapping.shopifyVariantId),
  );

  let inactive = 0;
  let lowStock = 0;
  for (const variant of variants) {
    const mappedFrom = (byBrilliant.get(variant.brilliantVariantId) ?? [])
      .map(
        (mapping) =>
          shopifyNames.get(mapping.shopifyVariantId) ??
          (mapping.sku ? `SKU ${mapping.sku}` : `variant ${mapping.shopifyVariantId}`),
      )
      .join(", ");
    const label = [variant.size, variant.color, variant.flavor].filter(Boolean).join(" / ");
    const name = `${variant.productName}${label ? ` (${label})` : ""}`;

    const inactiveKey = `inactive:variant:${variant.brilliantVariantId}`;
    const removedKey = `mapping:brilliant:${variant.brilliantVariantId}`;
    if (variant.removedAt) {
      await raiseAlert({
        shop,
        kind: "mapping",
        key: removedKey,
        title: `No longer at Brilliant: ${name}`,
        detail: `Your Shopify ${mappedFrom} ${mappedFrom.includes(",") ? "are" : "is"} mapped to it. Map ${mappedFrom.includes(",") ? "them" : "it"} to another Brilliant variant; held orders then go out by themselves.`,
      });
    } else {
      await resolveAlert(shop, removedKey);
    }
    if (variant.productInactive && !variant.removedAt) {
      inactive += 1;
      await raiseAlert({
        shop,
        kind: "inactive_variant",
        key: inactiveKey,
        title: `Inactive at Brilliant: ${name}`,
        detail: `Mapped from your Shopify ${mappedFrom}. Orders with it are held: ask Brilliant to reactivate it, or map to an active variant.`,
      });
    } else {
      await resolveAlert(shop, inactiveKey);
    }
    const lowKey = `lowstock:variant:${variant.brilliantVariantId}`;
    const tracked = variant.inventoryRequired && variant.inventoryCount >= 0;
    if (tracked && !variant.removedAt && !variant.productInactive && variant.inventoryCount <= threshold) {
      lowStock += 1;
      await raiseAlert({
        shop,
        kind: "stock",
        key: lowKey,
        title: `Low stock at Brilliant: ${name}, ${variant.inventoryCount} left`,
        detail: `Mapped from your Shopify ${mappedFrom}. At ${threshold} or fewer, ask Brilliant to restock before orders are held.`,
      });
    } else {
      await resolveAlert(shop, lowKey);
    }
  }
  return { inactive, lowStock };
}

async function shopifyVariantNames(shop: string, shopifyVariantIds: string[]): Promise<Map<string, string>> {
  if (shopifyVariantIds.length === 0) return new Map();
  const rows = await prisma.shopifyVariant.findMany({
    where: { shop, shopifyVariantId: { in: shopifyVariantIds } },
    select: { shopifyVariantId: true, productTitle: true, variantTitle: true, sku: true },
  });
  return new Map(
    rows.map((row) => [
      row.shopifyVariantId,
      `${row.productTitle}${row.variantTitle && row.variantTitle !== "Default Title" ? ` - ${row.variantTitle}` : ""}${row.sku ? ` [SKU ${row.sku}]` : ""}`,
    ]),
  );
}

export async function lastCatalogSync(shop: string) {
  return lastSyncRun(shop, "brilliant_catalog");
}
