import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "../shopify.server";
import { countOrdersByState } from "../models/order.server";
import { listOpenAlerts } from "../models/alert.server";
import { getShopSettings } from "../models/shop.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [counts, alerts, settings] = await Promise.all([
    countOrdersByState(session.shop),
    listOpenAlerts(session.shop),
    getShopSettings(session.shop),
  ]);
  return json({
    counts,
    hasCredentials: Boolean(settings?.brilliantApiKeyEnc && settings.brilliantApiSecretEnc),
    alerts: alerts.map((alert) => ({
      id: alert.id,
      kind: alert.kind,
      title: alert.title,
      detail: alert.detail,
      orders: alert.orders.map(({ order }) => order.name),
    })),
  });
};

const TILES = [
  { state: "forwarded", label: "Forwarded", tone: "success" },
  { state: "held", label: "Held: needs you", tone: "critical" },
  { state: "retrying", label: "Retrying", tone: "attention" },
  { state: "unknown", label: "Being checked at Brilliant", tone: "attention" },
  { state: "waiting", label: "Waiting", tone: "info" },
] as const;

export default function Home() {
  const { counts, alerts, hasCredentials } = useLoaderData<typeof loader>();
  const queued = counts.received + counts.ready + counts.sending;
  return (
    <Page>
      <TitleBar title="Brilliant Sync" />
      <Layout>
        {!hasCredentials && (
          <Layout.Section>
            <Banner tone="warning" title="Connect your Brilliant store">
              <p>Orders wait until a Brilliant API key and secret are saved.</p>
            </Banner>
          </Layout.Section>
        )}
        {alerts.map((alert) => (
          <Layout.Section key={alert.id}>
            <Banner
              tone={alert.kind === "stock" || alert.kind === "inactive_variant" ? "warning" : "critical"}
              title={alert.title}
            >
              <p>{alert.detail}</p>
              {alert.orders.length > 0 && <p>Orders: {alert.orders.join(", ")}</p>}
            </Banner>
          </Layout.Section>
        ))}
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 3, lg: 5 }} gap="400">
            {TILES.map((tile) => (
              <Card key={tile.state}>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingSm">
                    {tile.label}
                  </Text>
                  <Text as="p" variant="heading2xl">
                    {counts[tile.state]}
                  </Text>
                  {counts[tile.state] > 0 && <Badge tone={tile.tone}>{tile.state}</Badge>}
                </BlockStack>
              </Card>
            ))}
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Text as="p" tone="subdued">
            {queued} queued · {counts.skipped} skipped · {counts.cancelled} cancelled before sending
          </Text>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
