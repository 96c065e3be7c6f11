import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link as RemixLink, useFetcher, useLoaderData } from "@remix-run/react";
import {
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import { z } from "zod/v4";
import { authenticate } from "../shopify.server";
import { setupGuide } from "../models/setup-guide.server";
import { SetupGuide } from "../components/home/setup-guide";
import { HeldOrdersList } from "../components/home/held-orders-list";
import { getDashboard, type DashboardAlert } from "../orders/dashboard.server";
import { dismissAlert } from "../models/alert.server";
import { AlertBanner, ALERT_TONE } from "../components/home/alert-banner";
import { shopTimeZone } from "../models/shop-time-zone.server";
import { CREDENTIALS_FIELD_PATH } from "../orders/next-step";
import { OutcomesChart } from "../components/OutcomesChart";
import { PageTitle } from "../components/page-title";
import { WorkerStatusBanner } from "../components/home/worker-status";
import { homeWorkerStatus } from "../ops/worker-heartbeat.server";
import { opsSettings } from "../ops/settings.server";

const QuerySchema = z.object({
  days: z.enum(["14", "30"]).catch("14").default("14"),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const { days } = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  // The chart's days are the shop's: kept after the layout's first read, so no second call to Shopify.
  const timeZone = await shopTimeZone(session.shop, admin.graphql);
  const [dashboard, setup, worker] = await Promise.all([
    getDashboard(session.shop, { days: Number(days), timeZone }),
    setupGuide(session.shop),
    homeWorkerStatus(opsSettings().WORKER_STALE_AFTER_MS),
  ]);
  return json({ ...dashboard, setup, worker, days: Number(days) });
};

const DismissSchema = z.object({ intent: z.literal("dismissAlert"), alertId: z.string().min(1).max(64) });

/** Dismissing an alert the merchant settled outside the app (a refund Brilliant was told of). */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = DismissSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success)
    return json({ dismissed: false, error: "That action is not available." }, { status: 422 });
  const dismissed = await dismissAlert(session.shop, form.data.alertId);
  return json(
    dismissed
      ? { dismissed, error: null }
      : { dismissed, error: "That alert is not open, or cannot be dismissed." },
    { status: dismissed ? 200 : 404 },
  );
};

const TILES = [
  { state: "forwarded", label: "Forwarded", help: "Brilliant has them" },
  { state: "held", label: "Held", help: "Need you: see below" },
  { state: "retrying", label: "Retrying", help: "Brilliant did not take them yet; tried again soon" },
  { state: "unknown", label: "Being checked", help: "Looked up at Brilliant before anything is resent" },
  { state: "waiting", label: "Waiting", help: "Inside your forwarding delay or waiting for review" },
] as const;

const SEVERITY = { critical: 0, warning: 1, info: 2 } as const;

export default function Home() {
  const dismiss = useFetcher<typeof action>();
  const { counts, alerts, hasCredentials, outcomes, held, days, setup, worker } =
    useLoaderData<typeof loader>();
  const queued = counts.received + counts.ready + counts.sending;
  return (
    <Page>
      <PageTitle title="Brilliant Sync" heading="Brilliant Sync: home" />
      <BlockStack gap="500">
        <WorkerStatusBanner status={worker} />
        <SetupGuide steps={setup} />
        {!hasCredentials && <AlertBanner alert={connectBrilliant(alerts)} />}
        {alerts
          // Without credentials, their alert is the banner above: one banner, not two.
          .filter((alert) => hasCredentials || alert.kind !== "credentials")
          // What holds orders first; warnings (low stock, cancelled after forwarding) after.
          .sort(
            (a, b) => SEVERITY[ALERT_TONE[a.kind] ?? "warning"] - SEVERITY[ALERT_TONE[b.kind] ?? "warning"],
          )
          .map((alert) => (
            <AlertBanner
              key={alert.id}
              alert={alert}
              onDismiss={() =>
                dismiss.submit({ intent: "dismissAlert", alertId: alert.id }, { method: "post" })
              }
            />
          ))}
        <InlineGrid columns={{ xs: 1, sm: 2, md: 3, lg: 5 }} gap="400">
          {TILES.map((tile) => (
            <Card key={tile.state}>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">
                  {tile.label}
                </Text>
                <Text as="p" variant="heading2xl">
                  <RemixLink
                    to={`/app/orders?state=${tile.state}`}
                    style={{ color: "inherit", textDecoration: "none" }}
                    aria-label={`${counts[tile.state]} ${tile.label.toLowerCase()}: show them`}
                  >
                    {counts[tile.state]}
                  </RemixLink>
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  {tile.help}
                </Text>
              </BlockStack>
            </Card>
          ))}
        </InlineGrid>
        <Text as="p" tone="subdued">
          {queued} on their way · {counts.skipped} skipped · {counts.cancelled} cancelled before sending ·{" "}
          <Link url="/app/orders">All orders</Link>
        </Text>
        <Layout>
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    Held orders ({held.total})
                  </Text>
                  {held.total > held.orders.length && (
                    <Button variant="plain" url="/app/orders?state=held">
                      See all {String(held.total)}
                    </Button>
                  )}
                </InlineStack>
                {held.orders.length === 0 ? (
                  <Text as="p" tone="subdued">
                    Nothing is held: every order went to Brilliant or is on its way.
                  </Text>
                ) : (
                  <HeldOrdersList orders={held.orders} />
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    Brilliant&apos;s answers per day
                  </Text>
                  <ButtonGroup variant="segmented">
                    <Button pressed={days === 14} url="/app?days=14">
                      14 days
                    </Button>
                    <Button pressed={days === 30} url="/app?days=30">
                      30 days
                    </Button>
                  </ButtonGroup>
                </InlineStack>
                <OutcomesChart days={outcomes.days} codes={outcomes.codes} />
                <Text as="p" variant="bodySm" tone="subdued">
                  Each new order sent to Brilliant, by the code it answered, per day in the shop's time zone.
                  Orders held before sending are not in the chart: they are listed above.
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>
        <Box paddingBlockEnd="400" />
      </BlockStack>
    </Page>
  );
}

/** No credentials saved: one banner that says so, with the orders held for it when there are some. */
function connectBrilliant(alerts: DashboardAlert[]): DashboardAlert {
  const held = alerts.find((alert) => alert.kind === "credentials");
  return {
    id: "connect-brilliant",
    kind: "credentials",
    title: "Connect your Brilliant store",
    detail: "Orders wait until a Brilliant API key and secret are saved.",
    openedAt: held?.openedAt ?? "",
    variants: [],
    orders: held?.orders ?? [],
    orderCount: held?.orderCount ?? 0,
    fix: { label: "Open settings", url: CREDENTIALS_FIELD_PATH },
    dismissible: false,
  };
}

export { RouteErrorBoundary as ErrorBoundary } from "../components/route-error";

export const meta: MetaFunction = () => [{ title: "Home · Brilliant Sync" }];
