import { useRevalidator } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { useEffect } from "react";

import { SyncRunLine, type SyncRunLineProps } from "../sync-run-line";

type SyncIntent = "sync_shopify" | "sync_catalog";

const SYNC_TEXT: Record<SyncIntent, { heading: string; never: string; action: string }> = {
  sync_shopify: {
    heading: "Shopify products",
    never: "Your products have not been read yet.",
    action: "Sync Shopify products now",
  },
  sync_catalog: {
    heading: "Brilliant catalog",
    never: "The Brilliant catalog has not been read yet.",
    action: "Sync Brilliant catalog now",
  },
};

interface SyncRowProps {
  intent: SyncIntent;
  run: SyncRunLineProps["run"];
  /** The intent being posted, if any. */
  busyIntent: unknown;
  onSync: (intent: SyncIntent) => void;
  disabled?: boolean;
}

function SyncRow({ intent, run, busyIntent, onSync, disabled }: SyncRowProps) {
  const text = SYNC_TEXT[intent];
  return (
    <InlineStack align="space-between" blockAlign="center" gap="300">
      <BlockStack gap="100">
        <Text as="h2" variant="headingSm">
          {text.heading}
        </Text>
        <SyncRunLine run={run} never={text.never} />
      </BlockStack>
      <Button onClick={() => onSync(intent)} loading={busyIntent === intent} disabled={disabled}>
        {text.action}
      </Button>
    </InlineStack>
  );
}

export interface SyncStatusCardProps extends Pick<SyncRowProps, "busyIntent" | "onSync"> {
  syncs: { shopifyProducts: SyncRunLineProps["run"]; brilliantCatalog: SyncRunLineProps["run"] };
}

/** The two syncs the mappings depend on: when each last ran, and a button to run it now. */
export function SyncStatusCard({ syncs, ...post }: SyncStatusCardProps) {
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

  return (
    <Card>
      <BlockStack gap="300">
        <SyncRow intent="sync_shopify" run={syncs.shopifyProducts} disabled={shopifySyncRunning} {...post} />
        <SyncRow intent="sync_catalog" run={syncs.brilliantCatalog} {...post} />
      </BlockStack>
    </Card>
  );
}
