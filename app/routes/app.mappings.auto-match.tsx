import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  DataTable,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod/v4";

import type { MatchRule } from "../catalog/auto-match";
import { applyAutoMatchReview, reviewAutoMatches } from "../catalog/mapping-page.server";
import { REVIEW_GROUPS, type ReviewGroup } from "../catalog/mapping-page-options";
import { authenticate } from "../shopify.server";

/**
 * Auto-match review: the merchant picks a rule, sees what it would map
 * (new, replacing an earlier auto-match, or conflicting with a mapping made by
 * hand, which is unticked by default), and saves the ticked proposals.
 */
const RuleSchema = z
  .object({
    rule: z.enum(["sku_equals_id", "sku_prefix", "sku_suffix", "barcode_equals_id"], {
      error: "Choose a rule.",
    }),
    value: z.string().trim().max(60, "At most 60 characters.").optional().default(""),
  })
  .check((context) => {
    const input = context.value;
    if ((input.rule === "sku_prefix" || input.rule === "sku_suffix") && !input.value) {
      context.issues.push({
        code: "custom",
        input,
        path: ["value"],
        message: input.rule === "sku_prefix" ? "Enter the prefix." : "Enter the suffix.",
      });
    }
  })
  .transform((input): MatchRule => {
    switch (input.rule) {
      case "sku_prefix":
        return { kind: "sku_prefix", prefix: input.value };
      case "sku_suffix":
        return { kind: "sku_suffix", suffix: input.value };
      default:
        return { kind: input.rule };
    }
  });

function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) errors[String(issue.path[0] ?? "rule")] ??= issue.message;
  return errors;
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  if (!params.rule) return json({ input: { rule: "sku_equals_id", value: "" }, review: null, errors: {} });
  const input = { rule: params.rule, value: params.value ?? "" };
  const rule = RuleSchema.safeParse(input);
  if (!rule.success) return json({ input, review: null, errors: fieldErrors(rule.error) }, { status: 422 });
  const review = await reviewAutoMatches(session.shop, rule.data);
  return json({ input, review, errors: {} as Record<string, string> });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const form = await request.formData();
  const rule = RuleSchema.safeParse({ rule: form.get("rule"), value: form.get("value") ?? "" });
  if (!rule.success) return json({ errors: fieldErrors(rule.error) }, { status: 422 });
  const accepted = z
    .object({
      accept: z.array(z.string().regex(/^\d+$/)).max(250_000),
      group: z.array(z.enum(REVIEW_GROUPS)),
    })
    .safeParse({ accept: form.getAll("accept"), group: form.getAll("group") });
  if (!accepted.success) return json({ errors: { accept: "The selection is not valid." } }, { status: 422 });
  if (accepted.data.accept.length === 0 && accepted.data.group.length === 0) {
    return json({ errors: { accept: "Tick at least one proposal." } }, { status: 422 });
  }
  const result = await applyAutoMatchReview(session.shop, rule.data, {
    shopifyVariantIds: accepted.data.accept,
    wholeGroups: accepted.data.group,
  });
  return redirect(`/app/mappings?saved=${result.saved}&released=${result.released}`);
};

const GROUP_TEXT: Record<ReviewGroup, { title: string; help: string; ticked: boolean }> = {
  new: { title: "New mappings", help: "Unmapped today.", ticked: true },
  replaces_auto: {
    title: "Replaces an earlier auto-match or import",
    help: "Mapped by an earlier auto-match or CSV to another Brilliant variant.",
    ticked: true,
  },
  conflicts_manual: {
    title: "Conflicts with a mapping you made",
    help: "You mapped these by hand to another Brilliant variant. Tick only those you want replaced.",
    ticked: false,
  },
};

export default function AutoMatchPage() {
  const { input, review, errors: loadErrors } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [rule, setRule] = useState(input.rule);
  const [value, setValue] = useState(input.value);
  const errors: Record<string, string> = { ...loadErrors, ...(answer?.errors ?? {}) };

  const initiallyTicked = new Set<string>();
  if (review) {
    for (const group of REVIEW_GROUPS) {
      if (GROUP_TEXT[group].ticked)
        for (const p of review.groups[group]) initiallyTicked.add(p.shopifyVariantId);
    }
  }
  const [ticked, setTicked] = useState<Set<string>>(initiallyTicked);
  const [wholeGroups, setWholeGroups] = useState<Set<ReviewGroup>>(new Set());
  const reviewKey = `${input.rule}:${input.value}`;
  const [shownFor, setShownFor] = useState(reviewKey);
  if (shownFor !== reviewKey) {
    setShownFor(reviewKey);
    setTicked(initiallyTicked);
    setWholeGroups(new Set());
  }

  const toggle = (id: string, on: boolean) => {
    const next = new Set(ticked);
    if (on) next.add(id);
    else next.delete(id);
    setTicked(next);
  };
  const save = () => {
    const form = new FormData();
    form.set("rule", input.rule);
    form.set("value", input.value);
    for (const id of ticked) form.append("accept", id);
    for (const group of wholeGroups) form.append("group", group);
    // Posted to the bare path: Shopify's redirect carries the request's query along.
    submit(form, { method: "post", action: "/app/mappings/auto-match" });
  };
  const chosenCount =
    ticked.size + [...wholeGroups].reduce((sum, group) => sum + (review?.counts[group] ?? 0), 0);

  return (
    <Page title="Auto-match" backAction={{ content: "Mappings", url: "/app/mappings" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="get">
              <FormLayout>
                <FormLayout.Group>
                  <Select
                    label="Rule"
                    name="rule"
                    value={rule}
                    onChange={setRule}
                    error={errors.rule}
                    options={[
                      { label: "SKU equals the Brilliant variant id", value: "sku_equals_id" },
                      { label: "SKU is a prefix followed by the Brilliant id", value: "sku_prefix" },
                      { label: "SKU is the Brilliant id followed by a suffix", value: "sku_suffix" },
                      { label: "Barcode equals the Brilliant variant id", value: "barcode_equals_id" },
                    ]}
                  />
                  {rule === "sku_prefix" || rule === "sku_suffix" ? (
                    <TextField
                      label={rule === "sku_prefix" ? "Prefix" : "Suffix"}
                      name="value"
                      value={value}
                      onChange={setValue}
                      autoComplete="off"
                      error={errors.value}
                      helpText={
                        rule === "sku_prefix"
                          ? 'For SKU "BR-73002", the prefix is "BR-".'
                          : 'For SKU "73002-US", the suffix is "-US".'
                      }
                    />
                  ) : null}
                </FormLayout.Group>
                <Button submit>Show proposals</Button>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>
        {errors.accept ? (
          <Layout.Section>
            <Banner tone="critical">
              <p>{errors.accept}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {review ? (
          <>
            <Layout.Section>
              <Banner tone="info">
                <p>
                  {review.counts.new + review.counts.replaces_auto + review.counts.conflicts_manual === 0
                    ? "This rule proposes nothing new."
                    : `${review.counts.unchanged} variant${review.counts.unchanged === 1 ? " is" : "s are"} already mapped as this rule says and not shown.`}
                </p>
              </Banner>
            </Layout.Section>
            {REVIEW_GROUPS.filter((group) => review.counts[group] > 0).map((group) => {
              const proposals = review.groups[group];
              const all = wholeGroups.has(group);
              return (
                <Layout.Section key={group}>
                  <Card>
                    <BlockStack gap="300">
                      <InlineStack align="space-between" blockAlign="center">
                        <BlockStack>
                          <Text as="h2" variant="headingSm">
                            {`${GROUP_TEXT[group].title} (${review.counts[group]})`}
                          </Text>
                          <Text as="p" tone="subdued">
                            {GROUP_TEXT[group].help}
                          </Text>
                        </BlockStack>
                        {review.counts[group] > proposals.length ? (
                          <Checkbox
                            label={`All ${review.counts[group]} in this group`}
                            checked={all}
                            onChange={(on) => {
                              const next = new Set(wholeGroups);
                              if (on) next.add(group);
                              else next.delete(group);
                              setWholeGroups(next);
                            }}
                          />
                        ) : null}
                      </InlineStack>
                      <DataTable
                        columnContentTypes={["text", "text", "text", "text"]}
                        headings={["", "Shopify variant", "Brilliant variant", "Now"]}
                        rows={proposals.map((p) => [
                          <Checkbox
                            key={p.shopifyVariantId}
                            label={`Map ${p.productTitle ?? p.shopifyVariantId}`}
                            labelHidden
                            checked={all || ticked.has(p.shopifyVariantId)}
                            disabled={all}
                            onChange={(on) => toggle(p.shopifyVariantId, on)}
                          />,
                          `${p.productTitle ?? `Variant ${p.shopifyVariantId}`}${p.variantTitle && p.variantTitle !== "Default Title" ? ` - ${p.variantTitle}` : ""}${p.sku ? ` (SKU ${p.sku})` : ""}`,
                          `${p.brilliant ? `${p.brilliant.productName}${p.brilliant.options ? ` (${p.brilliant.options})` : ""}` : ""} #${p.brilliantVariantId}${p.brilliant?.inactive ? " · inactive" : ""}`,
                          p.currentBrilliantVariantId ? `#${p.currentBrilliantVariantId}` : "Unmapped",
                        ])}
                        footerContent={
                          review.counts[group] > proposals.length
                            ? `Showing ${proposals.length} of ${review.counts[group]}.`
                            : undefined
                        }
                      />
                    </BlockStack>
                  </Card>
                </Layout.Section>
              );
            })}
            <Layout.Section>
              <InlineStack align="end">
                <Button
                  variant="primary"
                  disabled={chosenCount === 0}
                  loading={navigation.state === "submitting"}
                  onClick={save}
                >
                  {`Save ${chosenCount} mapping${chosenCount === 1 ? "" : "s"}`}
                </Button>
              </InlineStack>
            </Layout.Section>
          </>
        ) : null}
      </Layout>
    </Page>
  );
}
