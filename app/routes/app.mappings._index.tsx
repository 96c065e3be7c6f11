import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Layout, Page } from "@shopify/polaris";
import { useState } from "react";

import { syncBrilliantCatalogNow } from "../models/brilliant-connection.server";
import { parseMappingListAction, parseMappingListQuery } from "../catalog/mapping-forms";
import { listMappingPage, mappingSyncStatus, unmapVariants } from "../catalog/mapping-page.server";
import {
  markedMessage,
  markNotShipped,
  unmarkedMessage,
  unmarkNotShipped,
} from "../catalog/unshipped-variants.server";
import { startShopifyVariantSync } from "../catalog/shopify-variant-sync.server";
import { InvalidVariantCursorError } from "../catalog/shopify-variants.server";
import { authenticate } from "../shopify.server";
import { BannerSection } from "../components/mappings/banner-section";
import { downloadMappingsCsv } from "../components/mappings/download-csv";
import { MappingListCard } from "../components/mappings/mapping-list-card";
import { SavedMappingsBanner } from "../components/mappings/saved-mappings-banner";
import { SyncStatusCard } from "../components/mappings/sync-status-card";
import { PageTitle } from "../components/page-title";

/**
 * Mappings: every Shopify variant with the Brilliant variant it ships as,
 * paged by product, with search, filters, the two syncs, and the ways to map
 * in bulk (auto-match, CSV).
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const query = parseMappingListQuery(request.url);
  const { cursor, before, q: search, filter } = query;
  try {
    const [page, syncs] = await Promise.all([
      listMappingPage(session.shop, { cursor, before, search, filter }),
      mappingSyncStatus(session.shop),
    ]);
    return json({ ...page, syncs, query: { q: query.q, filter } });
  } catch (error) {
    if (error instanceof InvalidVariantCursorError) {
      throw json({ message: "This page link is out of date. Open Mappings again." }, { status: 400 });
    }
    throw error;
  }
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const parsed = parseMappingListAction(await request.formData());
  if (!parsed.success) return json({ ok: false, message: "Unknown action." }, { status: 400 });
  const input = parsed.data;
  switch (input.intent) {
    case "unmap": {
      const removed = await unmapVariants(session.shop, [input.shopifyVariantId]);
      if (removed === 0) return json({ ok: false, message: "That variant is not mapped." }, { status: 404 });
      return json({ ok: true, message: "Unmapped. Its next orders are held until you map it again." });
    }
    case "not_shipped": {
      const result = await markNotShipped(session.shop, input.shopifyVariantIds);
      if (result.found === 0)
        return json({ ok: false, message: "No such variant in your shop." }, { status: 404 });
      return json({ ok: true, message: markedMessage(result) });
    }
    case "ship_with_brilliant": {
      const removed = await unmarkNotShipped(session.shop, input.shopifyVariantIds);
      if (removed === 0) {
        return json({ ok: false, message: "Not marked as not shipped by Brilliant." }, { status: 404 });
      }
      return json({ ok: true, message: unmarkedMessage(removed) });
    }
    case "sync_shopify": {
      // In the background: the page shows its progress and reloads until it ends.
      const result = await startShopifyVariantSync(session.shop, admin.graphql);
      return json({
        ok: true,
        message: result.started
          ? "Reading your Shopify products in the background. You can keep working; progress shows above."
          : "Your Shopify products are already being read; progress shows above.",
      });
    }
    case "sync_catalog": {
      const result = await syncBrilliantCatalogNow(session.shop);
      return json(
        result.ok
          ? { ok: true, message: `Brilliant catalog synced: ${result.variants} variants.` }
          : { ok: false, message: result.reason },
      );
    }
  }
};

export default function MappingsPage() {
  const { syncs, query, ...page } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [exportError, setExportError] = useState<string | null>(null);
  const busyIntent = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  const post = (data: Record<string, string>) => submit(data, { method: "post" });
  const postNotShipped = (ids: string[], notShipped: boolean) => {
    const form = new FormData();
    form.set("intent", notShipped ? "not_shipped" : "ship_with_brilliant");
    for (const id of ids) form.append("shopifyVariantId", id);
    submit(form, { method: "post" });
  };
  const exportCsv = () => {
    setExportError(null);
    downloadMappingsCsv().catch((error: unknown) =>
      setExportError(error instanceof Error ? error.message : String(error)),
    );
  };

  return (
    <Page>
      <PageTitle
        title="Mappings"
        heading="Mappings: which Brilliant variant each Shopify variant ships as"
        primary={{ content: "Auto-match", url: "/app/mappings/auto-match" }}
        secondary={[
          { content: "Import CSV", url: "/app/mappings/import" },
          { content: "Export CSV", onAction: exportCsv },
        ]}
      />
      <Layout>
        <SavedMappingsBanner query={query} />
        {answer ? (
          <BannerSection tone={answer.ok ? "success" : "critical"}>{answer.message}</BannerSection>
        ) : null}
        {exportError ? <BannerSection tone="critical">{exportError}</BannerSection> : null}
        <Layout.Section>
          <SyncStatusCard syncs={syncs} busyIntent={busyIntent} onSync={(intent) => post({ intent })} />
        </Layout.Section>
        <Layout.Section>
          <MappingListCard
            {...page}
            query={query}
            onUnmap={(id) => post({ intent: "unmap", shopifyVariantId: id })}
            onNotShipped={postNotShipped}
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
export { RouteErrorBoundary as ErrorBoundary } from "../components/route-error";

export const meta: MetaFunction = () => [{ title: "Mappings · Brilliant Sync" }];
