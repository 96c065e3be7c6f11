import { Badge, BlockStack, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import { useShopTime } from "./shop-time";

export interface SyncRunLineProps {
  run: {
    status: string;
    startedAt: string;
    finishedAt: string | null;
    summary: string | null;
    /** Progress of a running sync, when it reports it. */
    processed?: number;
    total?: number | null;
  } | null;
  /** What to say before the first run. */
  never: string;
}

const STATUS: Record<string, { label: string; tone: "success" | "critical" | "info" }> = {
  succeeded: { label: "Done", tone: "success" },
  failed: { label: "Failed", tone: "critical" },
  running: { label: "Running", tone: "info" },
};

/** When a background sync last ran, how it ended, and what it found. */
export function SyncRunLine({ run, never }: SyncRunLineProps) {
  const when = useShopTime();
  if (!run)
    return (
      <Text as="p" tone="subdued">
        {never}
      </Text>
    );
  const status = STATUS[run.status] ?? { label: run.status, tone: "info" as const };
  if (run.status === "running" && run.processed !== undefined) {
    const total = run.total ?? null;
    const read = run.processed.toLocaleString("en-US");
    return (
      <BlockStack gap="100">
        <InlineStack gap="200" blockAlign="center" wrap>
          <Badge tone="info">Running</Badge>
          <Text as="span" tone="subdued">
            Started {when(run.startedAt)}
          </Text>
          <Text as="span">
            {total ? `${read} of ${total.toLocaleString("en-US")} read` : `${read} read so far`}
          </Text>
        </InlineStack>
        {total ? (
          <ProgressBar
            progress={Math.min(100, Math.round((run.processed / total) * 100))}
            size="small"
            tone="primary"
          />
        ) : null}
      </BlockStack>
    );
  }
  return (
    <InlineStack gap="200" blockAlign="center" wrap>
      <Badge tone={status.tone}>{status.label}</Badge>
      <Text as="span" tone="subdued">
        Last run {when(run.finishedAt ?? run.startedAt)}
      </Text>
      {run.summary ? <Text as="span">{run.summary}</Text> : null}
    </InlineStack>
  );
}
