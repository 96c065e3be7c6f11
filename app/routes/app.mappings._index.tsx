import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import {
  Form,
  useActionData,
  useLoaderData,
  useNavigation,
  useRevalidator,
  useSearchParams,
  useSubmit,
} from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  EmptyState,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  Tabs,
  Text,
  TextField,
  Thumbnail,
} from "@shopify/polaris";
import { Fragment, useEffect, useState } from "react";
import { z } from "zod/v4";

import { SyncRunLine } from "../components/sync-run-line";
import { syncBrilliantCatalogNow } from "../models/brilliant-connection.server";
import {
  listMappingPage,
  mappingSyncStatus,
  unmapVariants,
  type MappingRow,
} from "../catalog/mapping-page.server";
import { MAPPING_FILTERS } from "../catalog/mapping-page-options";
import { startShopifyVariantSync } from "../catalog/shopify-variant-sync.server";
import { InvalidVariantCursorError } from "../catalog/shopify-variants.server";
import { authenticate } from "../shopify.server";

/**
 * Mappings: every Shopify variant with the Brilliant variant it ships as,
 * paged by product, with search, filters, the two syncs, and the ways to map
 * in bulk (auto-match, CSV).
 */
const INVALID_CURSOR = "invalid";

// Navigation and notice parameters: a value the page never makes falls back
// (the first page, no notice) instead of failing the page.
const ListQuerySchema = z.object({
  q: z.string().trim().max(200).optional().default("").catch(""),
  filter: z.enum(MAPPING_FILTERS).catch("all"),
  // An over-long cursor is a forged one, refused as listMappingPage refuses others.
  cursor: z.string().max(2000).optional().catch(INVALID_CURSOR),
  before: z.string().max(2000).optional().catch(INVALID_CURSOR),
  released: z.coerce.number().int().nonnegative().optional().catch(undefined),
  mapped: z.string().max(40).optional().catch(undefined),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const query = ListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  try {
    const [page, syncs] = await Promise.all([
      listMappingPage(session.shop, {
        cursor: query.cursor,
        before: query.before,
        search: query.q,
        filter: query.filter,
      }),
      mappingSyncStatus(session.shop),
    ]);
    return json({
      ...page,
      syncs,
      query: { q: query.q, filter: query.filter },
    });
  } catch (error) {
    if (error instanceof InvalidVariantCursorError) {
      throw json({ message: "This page link is out of date. Open Mappings again." }, { status: 400 });
    }
    throw error;
  }
};

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("unmap"), shopifyVariantId: z.string().regex(/^\d+$/) }),
  z.object({ intent: z.literal("sync_shopify") }),
  z.object({ intent: z.literal("sync_catalog") }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const parsed = ActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ ok: false, message: "Unknown action." }, { status: 400 });
  const input = parsed.data;
  switch (input.intent) {
    case "unmap": {
      const removed = await unmapVariants(session.shop, [input.shopifyVariantId]);
      if (removed === 0) return json({ ok: false, message: "That variant is not mapped." }, { status: 404 });
      return json({ ok: true, message: "Unmapped. Its next orders are held until you map it again." });
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

const FILTER_TABS: { id: (typeof MAPPING_FILTERS)[number]; content: string }[] = [
  { id: "all", content: "All" },
  { id: "unmapped", content: "Unmapped" },
  { id: "mapped", content: "Mapped" },
  { id: "inactive", content: "Mapped to inactive" },
  { id: "low_stock", content: "Low stock" },
];

function variantName(row: Pick<MappingRow, "variantTitle">): string {
  return row.variantTitle && row.variantTitle !== "Default Title" ? row.variantTitle : "Default variant";
}

async function downloadCsv(): Promise<void> {
  // App Bridge adds the session token to fetch; a plain link would not carry it.
  const response = await fetch("/app/mappings/export");
  if (!response.ok) throw new Error(`Export failed (HTTP ${response.status})`);
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "brilliant-mappings.csv";
  link.click();
  URL.revokeObjectURL(link.href);
}

export default function MappingsPage() {
  const { rows, nextCursor, previousCursor, syncs, query } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [searchParams, setSearchParams] = useSearchParams();
  const [search, setSearch] = useState(query.q);
  const [exportError, setExportError] = useState<string | null>(null);
  const busyIntent = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  const revalidator = useRevalidator();
  const shopifySyncRunning = syncs.shopifyProducts?.status === "running";
  useEffect(() => {
    // Follow a background sync: reload the page's data every few seconds until it ends.
    if (!shopifySyncRunning) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 2_000);
    return () => clearInterval(timer);
  }, [shopifySyncRunning, revalidator]);
  const released = searchParams.get("released");
  const savedCount = searchParams.get("saved");

  const selectedTab = Math.max(
    0,
    FILTER_TABS.findIndex((tab) => tab.id === query.filter),
  );
  const listParams = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams();
    if (query.q) next.set("q", query.q);
    if (query.filter !== "all") next.set("filter", query.filter);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    return next;
  };

  let lastProduct: string | null = null;
  const tableRows = rows.map((row, index) => {
    const header =
      row.shopifyProductId !== lastProduct ? (
        <IndexTable.Row
          rowType="subheader"
          id={`product-${row.shopifyProductId}`}
          position={index}
          key={`p-${row.shopifyVariantId}`}
        >
          <IndexTable.Cell colSpan={4} scope="colgroup" as="th">
            <Text as="span" fontWeight="semibold">
              {row.productTitle}
            </Text>
          </IndexTable.Cell>
        </IndexTable.Row>
      ) : null;
    lastProduct = row.shopifyProductId;
    const brilliant = row.mapping?.brilliant;
    return (
      <Fragment key={row.shopifyVariantId}>
        {header}
        <IndexTable.Row id={row.shopifyVariantId} position={index}>
          <IndexTable.Cell>
            <InlineStack gap="200" blockAlign="center" wrap={false}>
              <Thumbnail size="small" source={row.imageUrl ?? ""} alt="" />
              <BlockStack>
                <Text as="span">{variantName(row)}</Text>
                <Text as="span" tone="subdued" variant="bodySm">
                  {row.sku ? `SKU ${row.sku}` : "No SKU"}
                </Text>
              </BlockStack>
            </InlineStack>
          </IndexTable.Cell>
          <IndexTable.Cell>
            {row.mapping ? (
              <InlineStack gap="200" blockAlign="center" wrap={false}>
                <Thumbnail size="small" source={brilliant?.imageUrl ?? ""} alt="" />
                <BlockStack>
                  <Text as="span">
                    {brilliant
                      ? brilliant.productName
                      : `Brilliant variant ${row.mapping.brilliantVariantId}`}
                  </Text>
                  <Text as="span" tone="subdued" variant="bodySm">
                    {[brilliant?.options, `#${row.mapping.brilliantVariantId}`].filter(Boolean).join(" · ")}
                  </Text>
                  <InlineStack gap="100">
                    {!brilliant ? <Badge tone="warning">Not in the Brilliant catalog</Badge> : null}
                    {brilliant?.removed ? <Badge tone="critical">No longer at Brilliant</Badge> : null}
                    {brilliant?.inactive ? <Badge tone="critical">Inactive</Badge> : null}
                    {row.mapping.source !== "manual" ? (
                      <Badge>{row.mapping.source === "csv" ? "CSV" : "Auto"}</Badge>
                    ) : null}
                  </InlineStack>
                </BlockStack>
              </InlineStack>
            ) : (
              <Badge tone="attention">Unmapped</Badge>
            )}
          </IndexTable.Cell>
          <IndexTable.Cell>
            {brilliant ? (
              brilliant.stock === null ? (
                <Text as="span" tone="subdued">
                  Not tracked
                </Text>
              ) : (
                <Text as="span" tone={row.mapping?.lowStock ? "critical" : undefined}>
                  {brilliant.stock.toLocaleString("en-US")}
                  {row.mapping?.lowStock ? " (low)" : ""}
                </Text>
              )
            ) : null}
          </IndexTable.Cell>
          <IndexTable.Cell>
            <ButtonGroup>
              <Button url={`/app/mappings/${row.shopifyVariantId}`} size="slim">
                {row.mapping ? "Change" : "Map"}
              </Button>
              {row.mapping ? (
                <Button
                  size="slim"
                  tone="critical"
                  variant="plain"
                  onClick={() =>
                    submit({ intent: "unmap", shopifyVariantId: row.shopifyVariantId }, { method: "post" })
                  }
                >
                  Unmap
                </Button>
              ) : null}
            </ButtonGroup>
          </IndexTable.Cell>
        </IndexTable.Row>
      </Fragment>
    );
  });

  return (
    <Page
      title="Mappings"
      subtitle="Which Brilliant variant each Shopify variant ships as"
      primaryAction={{ content: "Auto-match", url: "/app/mappings/auto-match" }}
      secondaryActions={[
        { content: "Import CSV", url: "/app/mappings/import" },
        {
          content: "Export CSV",
          onAction: () => {
            setExportError(null);
            downloadCsv().catch((error: unknown) =>
              setExportError(error instanceof Error ? error.message : String(error)),
            );
          },
        },
      ]}
    >
      <Layout>
        {released !== null ? (
          <Layout.Section>
            <Banner
              tone="success"
              title={
                savedCount !== null
                  ? `${savedCount} mapping${savedCount === "1" ? "" : "s"} saved`
                  : "Mapping saved"
              }
              onDismiss={() => setSearchParams(listParams({}))}
            >
              <p>
                {Number(released) > 0
                  ? `${released} held order${released === "1" ? "" : "s"} released: they go to Brilliant now.`
                  : "No held orders were waiting for it."}
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        {answer ? (
          <Layout.Section>
            <Banner tone={answer.ok ? "success" : "critical"}>
              <p>{answer.message}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {exportError ? (
          <Layout.Section>
            <Banner tone="critical">
              <p>{exportError}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center" gap="300">
                <BlockStack gap="100">
                  <Text as="h2" variant="headingSm">
                    Shopify products
                  </Text>
                  <SyncRunLine run={syncs.shopifyProducts} never="Your products have not been read yet." />
                </BlockStack>
                <Button
                  onClick={() => submit({ intent: "sync_shopify" }, { method: "post" })}
                  loading={busyIntent === "sync_shopify"}
                  disabled={shopifySyncRunning}
                >
                  Sync Shopify products now
                </Button>
              </InlineStack>
              <InlineStack align="space-between" blockAlign="center" gap="300">
                <BlockStack gap="100">
                  <Text as="h2" variant="headingSm">
                    Brilliant catalog
                  </Text>
                  <SyncRunLine
                    run={syncs.brilliantCatalog}
                    never="The Brilliant catalog has not been read yet."
                  />
                </BlockStack>
                <Button
                  onClick={() => submit({ intent: "sync_catalog" }, { method: "post" })}
                  loading={busyIntent === "sync_catalog"}
                >
                  Sync Brilliant catalog now
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <Tabs
              tabs={FILTER_TABS.map((tab) => ({ id: tab.id, content: tab.content }))}
              selected={selectedTab}
              onSelect={(index) =>
                setSearchParams(
                  listParams({
                    filter: FILTER_TABS[index]?.id === "all" ? null : (FILTER_TABS[index]?.id ?? null),
                  }),
                )
              }
            />
            <div style={{ padding: "var(--p-space-300)" }}>
              <Form method="get">
                {query.filter !== "all" ? <input type="hidden" name="filter" value={query.filter} /> : null}
                <TextField
                  label="Search"
                  labelHidden
                  name="q"
                  value={search}
                  onChange={setSearch}
                  placeholder="Search by product, variant, SKU or barcode"
                  autoComplete="off"
                  clearButton
                  onClearButtonClick={() => {
                    setSearch("");
                    setSearchParams(listParams({ q: null }));
                  }}
                />
              </Form>
            </div>
            {rows.length === 0 ? (
              <EmptyState heading="No variants here" image="">
                <p>
                  {query.q || query.filter !== "all"
                    ? "Nothing matches this search or filter."
                    : "Sync your Shopify products to start mapping."}
                </p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: "variant", plural: "variants" }}
                itemCount={rows.length}
                selectable={false}
                headings={[
                  { title: "Shopify variant" },
                  { title: "Brilliant variant" },
                  { title: "Brilliant stock" },
                  { title: "" },
                ]}
                pagination={{
                  hasPrevious: Boolean(previousCursor),
                  onPrevious: () => setSearchParams(listParams({ before: previousCursor })),
                  previousTooltip: "Previous page",
                  hasNext: Boolean(nextCursor),
                  onNext: () => setSearchParams(listParams({ cursor: nextCursor })),
                  nextTooltip: "Next page",
                }}
              >
                {tableRows}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
