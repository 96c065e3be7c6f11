import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod/v4";

import {
  lastCatalogSyncView,
  syncBrilliantCatalogNow,
  testBrilliantConnection,
} from "../models/brilliant-connection.server";
import { getSettingsView, updateShopSettings } from "../models/shop.server";
import { reconciliationView, requestReconciliation } from "../orders/reconciliation.server";
import { MAX_RECONCILE_DAYS } from "../orders/reconciliation";
import { authenticate } from "../shopify.server";
import { SyncRunLine } from "../components/sync-run-line";

/**
 * Settings: Brilliant credentials (write-only: the page only ever learns how
 * they end), how orders are forwarded, fulfillment write-back, and the catalog
 * sync and reconciliation sweep.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [settings, catalogSync, reconciliation] = await Promise.all([
    getSettingsView(session.shop),
    lastCatalogSyncView(session.shop),
    reconciliationView(session.shop),
  ]);
  return json({ settings, catalogSync, reconciliation });
};

const tagList = z
  .string()
  .max(2000, "Keep the list under 2,000 characters.")
  .transform((text) => text.split(","))
  .pipe(z.array(z.string().trim().max(40, "A tag is at most 40 characters.")));

const wholeNumber = (label: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter ${label}.`)
    .regex(/^\d+$/, `Enter ${label} as a whole number.`)
    .transform(Number);

const SettingsFormSchema = z.object({
  brilliantApiKey: z.string().trim().max(200, "That is too long for an API key.").optional(),
  brilliantApiSecret: z.string().trim().max(200, "That is too long for an API secret.").optional(),
  forwardingMode: z.enum(["automatic", "review"], { error: "Choose automatic or review-first forwarding." }),
  forwardingDelay: wholeNumber("a delay"),
  forwardingDelayUnit: z.enum(["seconds", "minutes"], { error: "Choose seconds or minutes." }),
  holdTags: tagList,
  skipTags: tagList,
  lowStockThreshold: wholeNumber("a threshold").pipe(
    z.number().max(10_000, "The low-stock threshold is 0 to 10,000."),
  ),
  // Left out by older pages: then the saved value stays.
  fulfillmentWriteBack: z
    .enum(["true", "false"], { error: "Choose on or off." })
    .transform((value) => value === "true")
    .optional(),
  forwardTestOrders: z
    .enum(["true", "false"], { error: "Choose on or off." })
    .transform((value) => value === "true")
    .optional(),
  reconcileDays: wholeNumber("a number of days")
    .pipe(
      z
        .number()
        .min(1, `Reconcile 1 to ${MAX_RECONCILE_DAYS} days.`)
        .max(
          MAX_RECONCILE_DAYS,
          `Reconcile 1 to ${MAX_RECONCILE_DAYS} days (Shopify keeps 60 days of orders for apps).`,
        ),
    )
    .optional(),
});

/** The delay's limit depends on its unit, so it is checked even when other fields fail. */
function delayError(form: Record<string, unknown>): string | null {
  const value = Number(form.forwardingDelay);
  if (!Number.isInteger(value)) return null;
  const seconds = form.forwardingDelayUnit === "minutes" ? value * 60 : value;
  return seconds > 1440 * 60 ? "The delay is at most 1,440 minutes (24 hours)." : null;
}

export type SettingsFieldErrors = Partial<Record<string, string>>;

function fieldErrorsOf(error: z.ZodError): SettingsFieldErrors {
  const errors: SettingsFieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return errors;
}

const IntentSchema = z.enum(["save", "test", "sync_catalog", "reconcile"]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const form = Object.fromEntries(await request.formData());
  const intent = IntentSchema.safeParse(form.intent);
  if (!intent.success) return json({ intent: null, error: "Unknown action." } as const, { status: 400 });

  if (intent.data === "test") {
    const typed = z
      .object({ brilliantApiKey: z.string().optional(), brilliantApiSecret: z.string().optional() })
      .parse(form);
    const result = await testBrilliantConnection(shop, {
      apiKey: typed.brilliantApiKey,
      apiSecret: typed.brilliantApiSecret,
    });
    return json({ intent: "test", result } as const);
  }

  if (intent.data === "sync_catalog") {
    const result = await syncBrilliantCatalogNow(shop);
    return json({
      intent: "sync_catalog",
      result: result.ok
        ? { ok: true as const, message: `Catalog synced: ${result.variants} variants.` }
        : { ok: false as const, message: result.reason },
    } as const);
  }

  if (intent.data === "reconcile") {
    // The worker runs it (it can take minutes on a busy shop); the page shows its progress.
    await requestReconciliation(shop);
    return json({ intent: "reconcile", requested: true } as const);
  }

  const parsed = SettingsFormSchema.safeParse(form);
  const tooLong = delayError(form);
  if (!parsed.success || tooLong) {
    const fieldErrors = parsed.success ? {} : fieldErrorsOf(parsed.error);
    if (tooLong) fieldErrors.forwardingDelay ??= tooLong;
    return json({ intent: "save", ok: false, fieldErrors } as const, { status: 422 });
  }
  const input = parsed.data;
  const saved = await updateShopSettings(shop, {
    forwardingMode: input.forwardingMode,
    forwardingDelaySeconds:
      input.forwardingDelayUnit === "minutes" ? input.forwardingDelay * 60 : input.forwardingDelay,
    holdTags: input.holdTags,
    skipTags: input.skipTags,
    lowStockThreshold: input.lowStockThreshold,
    fulfillmentWriteBack: input.fulfillmentWriteBack,
    forwardTestOrders: input.forwardTestOrders,
    reconcileDays: input.reconcileDays,
    brilliantApiKey: input.brilliantApiKey,
    brilliantApiSecret: input.brilliantApiSecret,
  });
  if (!saved.ok) {
    return json(
      { intent: "save", ok: false, fieldErrors: saved.fieldErrors as SettingsFieldErrors } as const,
      {
        status: 422,
      },
    );
  }
  return json({ intent: "save", ok: true, fieldErrors: {} as SettingsFieldErrors } as const);
};

function savedText(ending: string | null): string {
  if (ending === null) return "Not set";
  return ending ? `Saved, ending in ${ending}` : "Saved";
}

function delayForm(seconds: number): { value: string; unit: "seconds" | "minutes" } {
  return seconds > 0 && seconds % 60 === 0
    ? { value: String(seconds / 60), unit: "minutes" }
    : { value: String(seconds), unit: "seconds" };
}

export default function SettingsPage() {
  const { settings, catalogSync, reconciliation } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const busyIntent = navigation.state !== "idle" ? navigation.formData?.get("intent") : null;

  const initialDelay = delayForm(settings.forwardingDelaySeconds);
  const [apiKey, setApiKey] = useState("");
  const [apiSecret, setApiSecret] = useState("");
  const [mode, setMode] = useState(settings.forwardingMode);
  const [delay, setDelay] = useState(initialDelay.value);
  const [delayUnit, setDelayUnit] = useState<string>(initialDelay.unit);
  const [holdTags, setHoldTags] = useState(settings.holdTags.join(", "));
  const [skipTags, setSkipTags] = useState(settings.skipTags.join(", "));
  const [threshold, setThreshold] = useState(String(settings.lowStockThreshold));
  const [writeBack, setWriteBack] = useState(settings.fulfillmentWriteBack);
  const [testOrders, setTestOrders] = useState(settings.forwardTestOrders);
  const [reconcileDays, setReconcileDays] = useState(String(settings.reconcileDays));

  const saveAnswer = answer?.intent === "save" ? answer : null;
  const errors: SettingsFieldErrors = saveAnswer?.fieldErrors ?? {};

  // After a successful save the typed credentials are gone from the page too.
  useEffect(() => {
    if (saveAnswer?.ok) {
      setApiKey("");
      setApiSecret("");
      setHoldTags(settings.holdTags.join(", "));
      setSkipTags(settings.skipTags.join(", "));
    }
  }, [saveAnswer, settings.holdTags, settings.skipTags]);

  const fields = {
    brilliantApiKey: apiKey,
    brilliantApiSecret: apiSecret,
    forwardingMode: mode,
    forwardingDelay: delay,
    forwardingDelayUnit: delayUnit,
    holdTags,
    skipTags,
    lowStockThreshold: threshold,
    fulfillmentWriteBack: String(writeBack),
    forwardTestOrders: String(testOrders),
    reconcileDays,
  };
  const send = (intent: string, withFields = true) =>
    submit({ intent, ...(withFields ? fields : {}) }, { method: "post" });

  return (
    <Page title="Settings">
      <Layout>
        {saveAnswer?.ok ? (
          <Layout.Section>
            <Banner tone="success" title="Settings saved" />
          </Layout.Section>
        ) : null}
        {saveAnswer && !saveAnswer.ok ? (
          <Layout.Section>
            <Banner tone="critical" title="Nothing was saved">
              <p>Fix the fields marked below, then save again.</p>
            </Banner>
          </Layout.Section>
        ) : null}

        <Layout.AnnotatedSection
          title="Brilliant API"
          description="Your Brilliant store's API key and secret. They are stored encrypted and never shown again."
        >
          <Card>
            <FormLayout>
              <TextField
                label="API key"
                name="brilliantApiKey"
                value={apiKey}
                onChange={setApiKey}
                autoComplete="off"
                placeholder={settings.apiKeyEnding !== null ? "Leave empty to keep the saved key" : ""}
                helpText={savedText(settings.apiKeyEnding)}
                error={errors.brilliantApiKey}
              />
              <TextField
                label="API secret"
                name="brilliantApiSecret"
                type="password"
                value={apiSecret}
                onChange={setApiSecret}
                autoComplete="new-password"
                placeholder={settings.apiSecretEnding !== null ? "Leave empty to keep the saved secret" : ""}
                helpText={savedText(settings.apiSecretEnding)}
                error={errors.brilliantApiSecret}
              />
              <InlineStack gap="300" blockAlign="center">
                <Button onClick={() => send("test")} loading={busyIntent === "test"}>
                  Test connection
                </Button>
                {answer?.intent === "test" ? (
                  answer.result.ok ? (
                    <Text as="span" tone="success">
                      Connected to {answer.result.storeName ?? "your Brilliant store"}:{" "}
                      {answer.result.variantCount.toLocaleString("en-US")} variants
                      {answer.result.inactive ? " (the store is inactive)" : ""}.
                    </Text>
                  ) : (
                    <Text as="span" tone="critical">
                      {answer.result.reason}
                    </Text>
                  )
                ) : null}
              </InlineStack>
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection
          title="Forwarding"
          description="When paid orders go to Brilliant, and which ones wait or stay out."
        >
          <Card>
            <FormLayout>
              <ChoiceList
                title="Send orders"
                name="forwardingMode"
                choices={[
                  { label: "Automatically, once paid", value: "automatic" },
                  { label: "After I review each order", value: "review" },
                ]}
                selected={[mode]}
                onChange={(selected) => setMode(selected[0] ?? "automatic")}
                error={errors.forwardingMode}
              />
              <FormLayout.Group condensed>
                <TextField
                  label="Wait before sending"
                  name="forwardingDelay"
                  type="number"
                  min={0}
                  value={delay}
                  onChange={setDelay}
                  autoComplete="off"
                  helpText="Time to edit or cancel an order in Shopify first. Up to 1,440 minutes."
                  error={errors.forwardingDelay}
                />
                <Select
                  label="Unit"
                  name="forwardingDelayUnit"
                  options={[
                    { label: "seconds", value: "seconds" },
                    { label: "minutes", value: "minutes" },
                  ]}
                  value={delayUnit}
                  onChange={setDelayUnit}
                  error={errors.forwardingDelayUnit}
                />
              </FormLayout.Group>
              <TextField
                label="Hold orders tagged"
                name="holdTags"
                value={holdTags}
                onChange={setHoldTags}
                autoComplete="off"
                helpText="Comma-separated. These orders wait for you."
                error={errors.holdTags}
              />
              <TextField
                label="Never send orders tagged"
                name="skipTags"
                value={skipTags}
                onChange={setSkipTags}
                autoComplete="off"
                helpText="Comma-separated. These orders are skipped."
                error={errors.skipTags}
              />
              <Checkbox
                label="Send test orders to Brilliant"
                helpText="Orders paid through a Shopify test gateway (such as the Bogus Gateway). Off: they are skipped. Brilliant ships them for real, at your cost."
                checked={testOrders}
                onChange={setTestOrders}
                error={errors.forwardTestOrders}
              />
              {testOrders ? (
                <Banner tone="warning">
                  <p>
                    Brilliant cannot tell a test order from a real one: each test order you place is shipped.
                  </p>
                </Banner>
              ) : null}
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection
          title="Stock"
          description="Warn me when a mapped Brilliant variant has this many or fewer left."
        >
          <Card>
            <TextField
              label="Low-stock threshold"
              name="lowStockThreshold"
              type="number"
              min={0}
              max={10_000}
              value={threshold}
              onChange={setThreshold}
              autoComplete="off"
              error={errors.lowStockThreshold}
            />
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection
          title="Shopify orders"
          description="What the app writes back to Shopify, and how far back it checks that no paid order was missed."
        >
          <Card>
            <FormLayout>
              <Checkbox
                label="Mark orders fulfilled in Shopify when Brilliant ships them"
                helpText="With Brilliant's tracking number when it sends one (the customer is then notified). Off: fulfill them in Shopify yourself."
                checked={writeBack}
                onChange={setWriteBack}
                error={errors.fulfillmentWriteBack}
              />
              <TextField
                label="Check the last days of paid orders"
                name="reconcileDays"
                type="number"
                min={1}
                max={MAX_RECONCILE_DAYS}
                value={reconcileDays}
                onChange={setReconcileDays}
                autoComplete="off"
                helpText="The app regularly lists your paid orders of these days and forwards any it never received. Up to 60."
                error={errors.reconcileDays}
              />
            </FormLayout>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.Section>
          <InlineStack align="end">
            <Button variant="primary" onClick={() => send("save")} loading={busyIntent === "save"}>
              Save
            </Button>
          </InlineStack>
        </Layout.Section>

        <Layout.AnnotatedSection
          title="Brilliant catalog"
          description="Variants, stock and what is inactive, as Brilliant last told us. It refreshes by itself every few minutes."
        >
          <Card>
            <BlockStack gap="300">
              <SyncRunLine run={catalogSync} never="The catalog has not been read yet." />
              {answer?.intent === "sync_catalog" ? (
                <Banner tone={answer.result.ok ? "success" : "critical"}>
                  <p>{answer.result.message}</p>
                </Banner>
              ) : null}
              <InlineStack>
                <Button onClick={() => send("sync_catalog", false)} loading={busyIntent === "sync_catalog"}>
                  Sync Brilliant catalog now
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection
          title="Reconciliation"
          description={`Paid orders of the last ${reconciliation.days} days, compared with what the app received. Missing ones are forwarded, each exactly once.`}
        >
          <Card>
            <BlockStack gap="300">
              <SyncRunLine run={reconciliation.last} never="No reconciliation has run yet." />
              {reconciliation.last ? (
                <Text as="p" tone="subdued">
                  {reconciliation.last.seen.toLocaleString("en-US")} paid orders read,{" "}
                  {reconciliation.last.ingested.toLocaleString("en-US")} recorded that the app had missed,{" "}
                  {reconciliation.last.failed.toLocaleString("en-US")} unreadable.
                </Text>
              ) : null}
              {reconciliation.requested || answer?.intent === "reconcile" ? (
                <Banner tone="info">
                  <p>Reconciliation requested: it starts within a minute. Reload to see its progress.</p>
                </Banner>
              ) : null}
              <InlineStack>
                <Button
                  onClick={() => send("reconcile", false)}
                  loading={busyIntent === "reconcile"}
                  disabled={reconciliation.last?.status === "running"}
                >
                  Reconcile now
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
