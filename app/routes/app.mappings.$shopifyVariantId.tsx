import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  InlineStack,
  Layout,
  Page,
  ResourceItem,
  ResourceList,
  Text,
  TextField,
  Thumbnail,
} from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod/v4";

import {
  getShopifyVariantForMapping,
  mapVariant,
  searchBrilliantVariants,
} from "../catalog/mapping-page.server";
import { authenticate } from "../shopify.server";

/** The picker: choose the Brilliant variant one Shopify variant ships as. */
const ParamsSchema = z.object({ shopifyVariantId: z.string().regex(/^\d+$/) });

function notFound(): Response {
  return json({ message: "This Shopify variant is not in your shop, or was deleted." }, { status: 404 });
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsedParams = ParamsSchema.safeParse(params);
  if (!parsedParams.success) throw notFound();
  const found = await getShopifyVariantForMapping(session.shop, parsedParams.data.shopifyVariantId);
  if (!found) throw notFound();
  const search = z
    .string()
    .trim()
    .max(200)
    .catch("")
    .parse(new URL(request.url).searchParams.get("q") ?? "");
  const candidates = await searchBrilliantVariants(session.shop, { search, limit: 50 });
  const { variant, mapping } = found;
  return json({
    variant: {
      shopifyVariantId: variant.shopifyVariantId,
      productTitle: variant.productTitle,
      variantTitle: variant.variantTitle,
      sku: variant.sku,
      imageUrl: variant.imageUrl,
    },
    currentBrilliantVariantId: mapping?.brilliantVariantId ?? null,
    search,
    candidates,
  });
};

const MapSchema = z.object({
  brilliantVariantId: z.string().trim().min(1, "Choose a Brilliant variant.").max(40),
});

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const parsedParams = ParamsSchema.safeParse(params);
  if (!parsedParams.success) throw notFound();
  const parsed = MapSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return json(
      { fieldErrors: { brilliantVariantId: parsed.error.issues[0]?.message ?? "Invalid" } },
      { status: 422 },
    );
  }
  const result = await mapVariant(
    session.shop,
    parsedParams.data.shopifyVariantId,
    parsed.data.brilliantVariantId,
  );
  if (!result.ok) {
    if (result.reason === "no_shopify_variant") throw notFound();
    return json(
      {
        fieldErrors: {
          brilliantVariantId:
            "That Brilliant variant is not in your Brilliant catalog. Sync the catalog and try again.",
        },
      },
      { status: 422 },
    );
  }
  return redirect(`/app/mappings?released=${result.released}&mapped=${parsedParams.data.shopifyVariantId}`);
};

export default function MapVariantPage() {
  const { variant, currentBrilliantVariantId, search, candidates } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [query, setQuery] = useState(search);
  const choosing = navigation.state === "submitting" ? navigation.formData?.get("brilliantVariantId") : null;
  const title = `${variant.productTitle}${variant.variantTitle && variant.variantTitle !== "Default Title" ? ` - ${variant.variantTitle}` : ""}`;

  return (
    <Page title={`Map ${title}`} backAction={{ content: "Mappings", url: "/app/mappings" }}>
      <Layout>
        {answer?.fieldErrors ? (
          <Layout.Section>
            <Banner tone="critical">
              <p>{answer.fieldErrors.brilliantVariantId}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <InlineStack gap="300" blockAlign="center">
              <Thumbnail source={variant.imageUrl ?? ""} alt="" size="small" />
              <BlockStack>
                <Text as="h2" variant="headingSm">
                  {title}
                </Text>
                <Text as="span" tone="subdued">
                  {variant.sku ? `SKU ${variant.sku}` : "No SKU"} ·{" "}
                  {currentBrilliantVariantId
                    ? `now mapped to Brilliant #${currentBrilliantVariantId}`
                    : "not mapped"}
                </Text>
              </BlockStack>
            </InlineStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <div style={{ padding: "var(--p-space-300)" }}>
              <Form method="get">
                <TextField
                  label="Search Brilliant variants"
                  labelHidden
                  name="q"
                  value={query}
                  onChange={setQuery}
                  placeholder="Search by product name, size, color, flavor or variant id"
                  autoComplete="off"
                />
              </Form>
            </div>
            <ResourceList
              resourceName={{ singular: "Brilliant variant", plural: "Brilliant variants" }}
              items={candidates}
              emptyState={
                <div style={{ padding: "var(--p-space-400)" }}>
                  <Text as="p" tone="subdued">
                    No Brilliant variants match. Sync the Brilliant catalog if you expected some.
                  </Text>
                </div>
              }
              renderItem={(candidate) => (
                <ResourceItem
                  id={candidate.brilliantVariantId}
                  onClick={() => undefined}
                  media={<Thumbnail source={candidate.imageUrl ?? ""} alt="" size="small" />}
                >
                  <InlineStack align="space-between" blockAlign="center" gap="300">
                    <BlockStack>
                      <Text as="span" fontWeight="semibold">
                        {candidate.productName}
                      </Text>
                      <Text as="span" tone="subdued" variant="bodySm">
                        {[candidate.options, `#${candidate.brilliantVariantId}`].filter(Boolean).join(" · ")}
                      </Text>
                      <InlineStack gap="100">
                        <Text as="span" variant="bodySm">
                          {candidate.stock === null ? "Stock not tracked" : `${candidate.stock} in stock`}
                        </Text>
                        {candidate.inactive ? <Badge tone="critical">Inactive</Badge> : null}
                        {candidate.brilliantVariantId === currentBrilliantVariantId ? (
                          <Badge tone="success">Current</Badge>
                        ) : null}
                      </InlineStack>
                    </BlockStack>
                    <Button
                      variant="primary"
                      disabled={candidate.brilliantVariantId === currentBrilliantVariantId}
                      loading={choosing === candidate.brilliantVariantId}
                      onClick={() =>
                        // Posted to the bare path: Shopify's redirect carries the request's query (the search) along.
                        submit(
                          { brilliantVariantId: candidate.brilliantVariantId },
                          { method: "post", action: `/app/mappings/${variant.shopifyVariantId}` },
                        )
                      }
                      accessibilityLabel={`Map to ${candidate.productName} ${candidate.options}`}
                    >
                      Map
                    </Button>
                  </InlineStack>
                </ResourceItem>
              )}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
