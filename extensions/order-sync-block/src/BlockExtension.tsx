import { useEffect, useState } from "react";
import {
  AdminBlock,
  Badge,
  Banner,
  BlockStack,
  Button,
  InlineStack,
  Link,
  ProgressIndicator,
  Text,
  reactExtension,
  useApi,
} from "@shopify/ui-extensions-react/admin";

import { describeStatus, loadSyncStatus, retrySync, type SyncStatus } from "./sync-status";

const TARGET = "admin.order-details.block.render";

export default reactExtension(TARGET, () => <OrderSyncBlock />);

type View =
  | { kind: "loading" }
  | { kind: "ok"; status: SyncStatus }
  | { kind: "not_found" }
  | { kind: "error"; message: string };

function OrderSyncBlock() {
  const { data } = useApi(TARGET);
  const orderGid = data.selected[0]?.id ?? "";
  const [view, setView] = useState<View>({ kind: "loading" });
  const [retrying, setRetrying] = useState(false);
  const [notice, setNotice] = useState<{ tone: "success" | "critical" | "info"; text: string } | null>(null);

  useEffect(() => {
    let current = true;
    void loadSyncStatus(fetch, orderGid).then((result) => {
      if (current) setView(result);
    });
    return () => {
      current = false;
    };
  }, [orderGid]);

  const onRetry = async () => {
    setRetrying(true);
    setNotice(null);
    const result = await retrySync(fetch, orderGid);
    setRetrying(false);
    if (result.kind === "ok") {
      setView({ kind: "ok", status: result.status });
      setNotice({
        tone: "success",
        text: "Sent for another try. This block shows the outcome when you reload.",
      });
    } else if (result.kind === "refused") {
      if (result.status) setView({ kind: "ok", status: result.status });
      setNotice({ tone: "info", text: result.message });
    } else if (result.kind === "not_found") {
      setView({ kind: "not_found" });
    } else {
      setNotice({ tone: "critical", text: result.message });
    }
  };

  if (view.kind === "loading") {
    return (
      <AdminBlock title="Brilliant">
        <ProgressIndicator size="small-200" />
      </AdminBlock>
    );
  }
  if (view.kind === "not_found") {
    return (
      <AdminBlock title="Brilliant">
        <Text>This order has not reached Brilliant Sync (unpaid, or paid before the app was installed).</Text>
      </AdminBlock>
    );
  }
  if (view.kind === "error") {
    return (
      <AdminBlock title="Brilliant">
        <Banner tone="critical">{view.message}</Banner>
      </AdminBlock>
    );
  }

  const shown = describeStatus(view.status);
  return (
    <AdminBlock title="Brilliant" collapsedSummary={view.status.stateLabel}>
      <BlockStack gap="base">
        <InlineStack gap="base" blockAlignment="center">
          <Badge tone={shown.tone}>{view.status.stateLabel}</Badge>
          <Text fontWeight="bold">{shown.headline}</Text>
        </InlineStack>
        {shown.detail ? <Text>{shown.detail}</Text> : null}
        {shown.codeLine ? <Text fontStyle="italic">{shown.codeLine}</Text> : null}
        {notice ? <Banner tone={notice.tone}>{notice.text}</Banner> : null}
        <InlineStack gap="base" blockAlignment="center">
          {shown.retryLabel ? (
            <Button onPress={() => void onRetry()} disabled={retrying}>
              {retrying ? "Retrying…" : shown.retryLabel}
            </Button>
          ) : null}
          {shown.nextStep ? <Link href={shown.nextStep.href}>{shown.nextStep.label}</Link> : null}
          <Link href={shown.appHref}>Open in Brilliant Sync</Link>
        </InlineStack>
      </BlockStack>
    </AdminBlock>
  );
}
