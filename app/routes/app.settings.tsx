import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Layout, Page } from "@shopify/polaris";
import { SaveBar, useAppBridge } from "@shopify/app-bridge-react";
import { useEffect } from "react";

import {
  lastCatalogSyncView,
  syncBrilliantCatalogNow,
  testBrilliantConnection,
} from "../models/brilliant-connection.server";
import {
  parseSettingsForm,
  SettingsIntentSchema,
  TestConnectionSchema,
  type SettingsFieldErrors,
} from "../models/settings-form";
import { getSettingsView, updateShopSettings } from "../models/shop.server";
import { reconciliationView, requestReconciliation } from "../orders/reconciliation-requests.server";
import { authenticate } from "../shopify.server";
import { CatalogSyncSection, ReconciliationSection } from "../components/settings/background-job-sections";
import { BrilliantApiSection } from "../components/settings/brilliant-api-section";
import { ForwardingSection } from "../components/settings/forwarding-section";
import { SaveResultBanner } from "../components/settings/save-result-banner";
import { ShopifyOrdersSection } from "../components/settings/shopify-orders-section";
import { StockSection } from "../components/settings/stock-section";
import { StockSyncSection } from "../components/settings/stock-sync-section";
import { stockSyncSettingsView } from "../catalog/stock-sync-settings.server";
import { useSettingsForm } from "../components/settings/use-settings-form";
import { useLeaveGuard } from "../components/leave-guard";
import { PageTitle } from "../components/page-title";

/**
 * Settings: Brilliant credentials, how orders are forwarded, fulfillment
 * write-back, stock in Shopify, and the catalog sync and reconciliation sweep.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session } = await authenticate.admin(request);
  const [settings, catalogSync, reconciliation, stockSync] = await Promise.all([
    getSettingsView(session.shop),
    lastCatalogSyncView(session.shop),
    reconciliationView(session.shop),
    stockSyncSettingsView(session.shop, admin.graphql),
  ]);
  return json({ settings, catalogSync, reconciliation, stockSync });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const form = Object.fromEntries(await request.formData());
  const intent = SettingsIntentSchema.safeParse(form.intent);
  if (!intent.success) return json({ intent: null, error: "Unknown action." } as const, { status: 400 });

  if (intent.data === "test") {
    const result = await testBrilliantConnection(shop, TestConnectionSchema.parse(form));
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
    // The worker runs it, as it can take minutes; the page shows its progress.
    await requestReconciliation(shop);
    return json({ intent: "reconcile", requested: true } as const);
  }

  const parsed = parseSettingsForm(form);
  const saved = parsed.ok ? await updateShopSettings(shop, parsed.input) : parsed;
  if (!saved.ok) {
    const fieldErrors: SettingsFieldErrors = saved.fieldErrors;
    return json({ intent: "save", ok: false, fieldErrors } as const, { status: 422 });
  }
  return json({
    intent: "save",
    ok: true,
    fieldErrors: {} as SettingsFieldErrors,
    credentialsUnchecked: saved.credentialsUnchecked ?? null,
  } as const);
};

export default function SettingsPage() {
  const { settings, catalogSync, reconciliation, stockSync } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const busyIntent = navigation.state !== "idle" ? navigation.formData?.get("intent") : null;
  const saveAnswer = answer?.intent === "save" ? answer : null;
  const form = useSettingsForm(settings, saveAnswer, navigation.state === "idle");
  const send = (intent: string, withFields = true) =>
    submit({ intent, ...(withFields ? form.values : {}) }, { method: "post" });
  const saving = busyIntent === "save";
  useLeaveGuard(form.dirty);
  const shopify = useAppBridge();
  useEffect(() => {
    if (saveAnswer?.ok && !saveAnswer.credentialsUnchecked) shopify.toast.show("Settings saved");
  }, [saveAnswer, shopify]);

  return (
    <Page>
      <PageTitle title="Settings" />
      {/* App Bridge's contextual save bar: shown while the form differs from what is saved. */}
      <SaveBar id="settings-save-bar" open={form.dirty || saving}>
        <button variant="primary" onClick={() => send("save")} loading={saving ? "" : undefined}>
          Save
        </button>
        <button onClick={form.discard} disabled={saving}>
          Discard
        </button>
      </SaveBar>
      <Layout>
        <SaveResultBanner answer={saveAnswer} />
        <BrilliantApiSection
          form={form}
          apiKeyEnding={settings.apiKeyEnding}
          apiSecretEnding={settings.apiSecretEnding}
          testResult={answer?.intent === "test" ? answer.result : null}
          testing={busyIntent === "test"}
          onTest={() => send("test")}
        />
        <ForwardingSection form={form} />
        <StockSection form={form} />
        <StockSyncSection form={form} view={stockSync} />
        <ShopifyOrdersSection form={form} />
        <CatalogSyncSection
          run={catalogSync}
          result={answer?.intent === "sync_catalog" ? answer.result : null}
          onRun={() => send("sync_catalog", false)}
          running={busyIntent === "sync_catalog"}
        />
        <ReconciliationSection
          days={reconciliation.days}
          last={reconciliation.last}
          requested={reconciliation.requested || answer?.intent === "reconcile"}
          onRun={() => send("reconcile", false)}
          running={busyIntent === "reconcile"}
        />
      </Layout>
    </Page>
  );
}
export { RouteErrorBoundary as ErrorBoundary } from "../components/route-error";

export const meta: MetaFunction = () => [{ title: "Settings · Brilliant Sync" }];
