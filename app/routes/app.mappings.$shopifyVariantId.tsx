import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Layout, Page } from "@shopify/polaris";

import {
  MapVariantSchema,
  parsePickerSearch,
  VariantIntentSchema,
  VariantParamsSchema,
} from "../catalog/mapping-forms";
import {
  getShopifyVariantForMapping,
  mapVariant,
  searchBrilliantVariants,
} from "../catalog/mapping-page.server";
import { setVariantNotShipped } from "../catalog/unshipped-variants.server";
import { authenticate } from "../shopify.server";
import { BannerSection } from "../components/mappings/banner-section";
import { BrilliantVariantPicker } from "../components/mappings/brilliant-variant-picker";
import { VariantSummaryCard } from "../components/mappings/variant-summary-card";
import { withVariantTitle } from "../components/mappings/variant-title";
import { PageTitle } from "../components/page-title";

function notFound(): Response {
  return json({ message: "This Shopify variant is not in your shop, or was deleted." }, { status: 404 });
}

/** The picker: choose the Brilliant variant one Shopify variant ships as. */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsedParams = VariantParamsSchema.safeParse(params);
  if (!parsedParams.success) throw notFound();
  const found = await getShopifyVariantForMapping(session.shop, parsedParams.data.shopifyVariantId);
  if (!found) throw notFound();
  const search = parsePickerSearch(request.url);
  const candidates = await searchBrilliantVariants(session.shop, { search, limit: 50 });
  const { shopifyVariantId, productTitle, variantTitle, sku, imageUrl } = found.variant;
  return json({
    variant: { shopifyVariantId, productTitle, variantTitle, sku, imageUrl },
    currentBrilliantVariantId: found.mapping?.brilliantVariantId ?? null,
    notShipped: found.notShipped,
    search,
    candidates,
  });
};

const NOT_IN_CATALOG =
  "That Brilliant variant is not in your Brilliant catalog. Sync the catalog and try again.";

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const parsedParams = VariantParamsSchema.safeParse(params);
  if (!parsedParams.success) throw notFound();
  const { shopifyVariantId } = parsedParams.data;
  const form = await request.formData();
  const intent = VariantIntentSchema.parse(form.get("intent"));
  if (intent !== "map") {
    const notice = await setVariantNotShipped(session.shop, shopifyVariantId, intent === "not_shipped");
    if (notice === null) throw notFound();
    return json({ notice });
  }
  const parsed = MapVariantSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Invalid";
    return json({ fieldErrors: { brilliantVariantId: message } }, { status: 422 });
  }
  const result = await mapVariant(session.shop, shopifyVariantId, parsed.data.brilliantVariantId);
  if (!result.ok) {
    if (result.reason === "no_shopify_variant") throw notFound();
    return json({ fieldErrors: { brilliantVariantId: NOT_IN_CATALOG } }, { status: 422 });
  }
  return redirect(`/app/mappings?released=${result.released}&mapped=${shopifyVariantId}`);
};

export default function MapVariantPage() {
  const { variant, currentBrilliantVariantId, notShipped, search, candidates } =
    useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const choosing = navigation.state === "submitting" ? navigation.formData?.get("brilliantVariantId") : null;
  const marking = navigation.state === "submitting" && Boolean(navigation.formData?.has("intent"));
  const title = withVariantTitle(variant.productTitle, variant.variantTitle);
  const choose = (brilliantVariantId: string) =>
    // Posted to the bare path: Shopify's redirect carries the request's query (the search) along.
    submit({ brilliantVariantId }, { method: "post", action: `/app/mappings/${variant.shopifyVariantId}` });

  return (
    <Page>
      <PageTitle title={`Map ${title}`} back={{ content: "Mappings", url: "/app/mappings" }} />
      <Layout>
        {answer && "fieldErrors" in answer ? (
          <BannerSection tone="critical">{answer.fieldErrors.brilliantVariantId}</BannerSection>
        ) : null}
        {answer && "notice" in answer ? <BannerSection tone="success">{answer.notice}</BannerSection> : null}
        <Layout.Section>
          <VariantSummaryCard
            title={title}
            sku={variant.sku}
            imageUrl={variant.imageUrl}
            currentBrilliantVariantId={currentBrilliantVariantId}
            notShipped={notShipped}
            busy={marking}
            onNotShipped={(value) =>
              submit(
                { intent: value ? "not_shipped" : "ship_with_brilliant" },
                { method: "post", action: `/app/mappings/${variant.shopifyVariantId}` },
              )
            }
          />
        </Layout.Section>
        <Layout.Section>
          <BrilliantVariantPicker
            search={search}
            candidates={candidates}
            currentBrilliantVariantId={currentBrilliantVariantId}
            choosing={choosing}
            onChoose={choose}
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
export { RouteErrorBoundary as ErrorBoundary } from "../components/route-error";

export const meta: MetaFunction = () => [{ title: "Map a variant · Brilliant Sync" }];
