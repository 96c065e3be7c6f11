import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Layout, Page } from "@shopify/polaris";

import { parseAutoMatchRule, parseAutoMatchSelection, type FieldErrors } from "../catalog/mapping-forms";
import { applyAutoMatchReview, reviewAutoMatches } from "../catalog/mapping-page.server";
import { authenticate } from "../shopify.server";
import { AutoMatchReview } from "../components/mappings/auto-match-review";
import { AutoMatchRuleForm } from "../components/mappings/auto-match-rule-form";
import { BannerSection } from "../components/mappings/banner-section";
import { PageTitle } from "../components/page-title";

/**
 * Auto-match review: the merchant picks a rule, sees what it would map
 * (new, replacing an earlier auto-match, or conflicting with a mapping made by
 * hand, which is unticked by default), and saves the ticked proposals.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  if (!params.rule) return json({ input: { rule: "sku_equals_id", value: "" }, review: null, errors: {} });
  const input = { rule: params.rule, value: params.value ?? "" };
  const rule = parseAutoMatchRule(input);
  if (!rule.ok) return json({ input, review: null, errors: rule.errors }, { status: 422 });
  const review = await reviewAutoMatches(session.shop, rule.rule);
  return json({ input, review, errors: {} as FieldErrors });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const selection = parseAutoMatchSelection(await request.formData());
  if (!selection.ok) return json({ errors: selection.errors }, { status: 422 });
  const result = await applyAutoMatchReview(session.shop, selection.rule, selection.accepted);
  return redirect(`/app/mappings?saved=${result.saved}&released=${result.released}`);
};

export default function AutoMatchPage() {
  const { input, review, errors: loadErrors } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const errors: FieldErrors = { ...loadErrors, ...(answer?.errors ?? {}) };

  const save = (chosen: { accept: Set<string>; groups: Set<string> }) => {
    const form = new FormData();
    form.set("rule", input.rule);
    form.set("value", input.value);
    for (const id of chosen.accept) form.append("accept", id);
    for (const group of chosen.groups) form.append("group", group);
    // Posted to the bare path: Shopify's redirect carries the request's query along.
    submit(form, { method: "post", action: "/app/mappings/auto-match" });
  };

  return (
    <Page>
      <PageTitle title="Auto-match" back={{ content: "Mappings", url: "/app/mappings" }} />
      <Layout>
        <Layout.Section>
          <AutoMatchRuleForm input={input} errors={errors} />
        </Layout.Section>
        {errors.accept ? <BannerSection tone="critical">{errors.accept}</BannerSection> : null}
        <AutoMatchReview
          review={review}
          reviewKey={`${input.rule}:${input.value}`}
          saving={navigation.state === "submitting"}
          onSave={save}
        />
      </Layout>
    </Page>
  );
}
export { RouteErrorBoundary as ErrorBoundary } from "../components/route-error";

export const meta: MetaFunction = () => [{ title: "Auto-match · Brilliant Sync" }];
