import prisma from "../db.server";
import { failSyncRun, lastSyncRun } from "../models/sync-run.server";
import type { BrilliantClient } from "../integrations/brilliant/client.server";
import { raiseAlert, resolveAlert, resolveAlertsWithoutHeldOrders } from "../models/alert.server";
import { recheckHeldOrders, releaseHeldOrders } from "../orders/actions.server";
import { countSync } from "../ops/metrics.server";
import { variantInAlertKey } from "../orders/alert-keys";

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

/** Keys of the catalog's own alerts, one per Brilliant variant and cause. */
const CATALOG_ALERT_PREFIXES = ["mapping:brilliant:", "inactive:variant:", "lowstock:variant:"] as const;
/** Ids per query: well within both databases' limits on bound values. */
const READ_CHUNK = 1_000;

/**
 * Opens or closes the catalog's own alerts for mapped variants: inactive or
 * removed at Brilliant, and at or below the shop's low-stock threshold. Only
 * variants some order can reach count: a mapping from a Shopify variant marked
 * "not shipped by Brilliant" sends nothing, so it raises nothing. Every other
 * open catalog alert is closed, unless it is about a variant no order reaches
 * now and a held order is still attached to it.
 */
export async function refreshCatalogAlerts(shop: string): Promise<{ inactive: number; lowStock: number }> {
  const settings = await prisma.shopSettings.findUnique({
    where: { shop },
    select: { lowStockThreshold: true },
  });
  const threshold = settings?.lowStockThreshold ?? 5;
  const notShipped = new Set(
    (await prisma.unshippedVariant.findMany({ where: { shop }, select: { shopifyVariantId: true } })).map(
      (row) => row.shopifyVariantId,
    ),
  );
  const byBrilliant = new Map<string, { shopifyVariantId: string; sku: string | null }[]>();
  for (const mapping of await prisma.variantMapping.findMany({
    where: { shop },
    select: { shopifyVariantId: true, sku: true, brilliantVariantId: true },
  })) {
    if (notShipped.has(mapping.shopifyVariantId)) continue;
    const list = byBrilliant.get(mapping.brilliantVariantId) ?? [];
    list.push(mapping);
    byBrilliant.set(mapping.brilliantVariantId, list);
  }
  // The variants in a state worth an alert, read without listing every mapped id.
  const flagged = (
    await prisma.brilliantVariant.findMany({
      where: {
        shop,
        OR: [
          { removedAt: { not: null } },
          { productInactive: true },
          { inventoryRequired: true, inventoryCount: { gte: 0, lte: threshold } },
        ],
      },
    })
  ).filter((variant) => byBrilliant.has(variant.brilliantVariantId));
  const shopifyNames = await shopifyVariantNames(
    shop,
    flagged.flatMap((variant) => byBrilliant.get(variant.brilliantVariantId)!.map((m) => m.shopifyVariantId)),
  );

  const wanted = new Set<string>();
  let inactive = 0;
  let lowStock = 0;
  for (const variant of flagged) {
    const mapped = byBrilliant.get(variant.brilliantVariantId)!;
    const mappedFrom = mapped
      .map(
        (mapping) =>
          shopifyNames.get(mapping.shopifyVariantId) ??
          (mapping.sku ? `SKU ${mapping.sku}` : `variant ${mapping.shopifyVariantId}`),
      )
      .join(", ");
    const label = [variant.size, variant.color, variant.flavor].filter(Boolean).join(" / ");
    const name = `${variant.productName}${label ? ` (${label})` : ""}`;
    const id = variant.brilliantVariantId;

    if (variant.removedAt) {
      const several = mapped.length > 1;
      wanted.add(`mapping:brilliant:${id}`);
      await raiseAlert({
        shop,
        kind: "mapping",
        key: `mapping:brilliant:${id}`,
        title: `No longer at Brilliant: ${name}`,
        detail: `Your Shopify ${mappedFrom} ${several ? "are" : "is"} mapped to it. Map ${several ? "them" : "it"} to another Brilliant variant; held orders then go out by themselves.`,
      });
    } else if (variant.productInactive) {
      inactive += 1;
      wanted.add(`inactive:variant:${id}`);
      await raiseAlert({
        shop,
        kind: "inactive_variant",
        key: `inactive:variant:${id}`,
        title: `Inactive at Brilliant: ${name}`,
        detail: `Mapped from your Shopify ${mappedFrom}. Orders with it are held: ask Brilliant to reactivate it, or map to an active variant.`,
      });
    } else {
      lowStock += 1;
      wanted.add(`lowstock:variant:${id}`);
      await raiseAlert({
        shop,
        kind: "stock",
        key: `lowstock:variant:${id}`,
        title: `Low stock at Brilliant: ${name}, ${variant.inventoryCount} left`,
        detail: `Mapped from your Shopify ${mappedFrom}. At ${threshold} or fewer, ask Brilliant to restock before orders are held.`,
      });
    }
  }
  await resolveCatalogAlertsExcept(shop, wanted, new Set(byBrilliant.keys()));
  return { inactive, lowStock };
}

/**
 * Closes the open catalog alerts not in `wanted`. One about a variant no order
 * reaches now (unmapped, or mapped only from variants not shipped by
 * Brilliant) stays while a held order is attached to it.
 */
async function resolveCatalogAlertsExcept(shop: string, wanted: Set<string>, reached: Set<string>) {
  const open = await prisma.alert.findMany({
    where: {
      shop,
      status: "open",
      OR: CATALOG_ALERT_PREFIXES.map((prefix) => ({ openKey: { startsWith: prefix } })),
    },
    select: { key: true, orders: { select: { order: { select: { state: true } } } } },
  });
  for (const alert of open) {
    if (wanted.has(alert.key)) continue;
    const variant = variantInAlertKey(alert.key);
    const unreached = variant !== null && !reached.has(variant.id);
    if (unreached && alert.orders.some(({ order }) => order.state === "held")) continue;
    await resolveAlert(shop, alert.key);
  }
}

async function shopifyVariantNames(shop: string, shopifyVariantIds: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (let start = 0; start < shopifyVariantIds.length; start += READ_CHUNK) {
    const rows = await prisma.shopifyVariant.findMany({
      where: { shop, shopifyVariantId: { in: shopifyVariantIds.slice(start, start + READ_CHUNK) } },
      select: { shopifyVariantId: true, productTitle: true, variantTitle: true, sku: true },
    });
    for (const row of rows) {
      names.set(
        row.shopifyVariantId,
        `${row.productTitle}${row.variantTitle && row.variantTitle !== "Default Title" ? ` - ${row.variantTitle}` : ""}${row.sku ? ` [SKU ${row.sku}]` : ""}`,
      );
    }
  }
  return names;
}

export async function lastCatalogSync(shop: string) {
  return lastSyncRun(shop, "brilliant_catalog");
}
