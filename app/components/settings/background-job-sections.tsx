import { Banner, BlockStack, Button, InlineStack, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

import { SyncRunLine, type SyncRunLineProps } from "../sync-run-line";
import { AnnotatedCard } from "./annotated-card";

interface JobSectionProps {
  title: string;
  description: string;
  run: SyncRunLineProps["run"];
  never: string;
  /** Notes between the last run and the button. */
  children: ReactNode;
  action: string;
  onRun: () => void;
  running: boolean;
  disabled?: boolean;
}

/** A job that also runs in the background: its last run, notes, and a button to run it now. */
function JobSection({ title, description, run, never, children, action, ...button }: JobSectionProps) {
  return (
    <AnnotatedCard title={title} description={description}>
      <BlockStack gap="300">
        <SyncRunLine run={run} never={never} />
        {children}
        <InlineStack>
          <Button onClick={button.onRun} loading={button.running} disabled={button.disabled}>
            {action}
          </Button>
        </InlineStack>
      </BlockStack>
    </AnnotatedCard>
  );
}

export interface CatalogSyncSectionProps {
  run: SyncRunLineProps["run"];
  result: { ok: boolean; message: string } | null;
  onRun: () => void;
  running: boolean;
}

export function CatalogSyncSection({ run, result, onRun, running }: CatalogSyncSectionProps) {
  return (
    <JobSection
      title="Brilliant catalog"
      description="Variants, stock and what is inactive, as Brilliant last told us. It refreshes by itself every few minutes."
      run={run}
      never="The catalog has not been read yet."
      action="Sync Brilliant catalog now"
      onRun={onRun}
      running={running}
    >
      {result ? (
        <Banner tone={result.ok ? "success" : "critical"}>
          <p>{result.message}</p>
        </Banner>
      ) : null}
    </JobSection>
  );
}

export interface ReconciliationSectionProps {
  days: number;
  last: (NonNullable<SyncRunLineProps["run"]> & { seen: number; ingested: number; failed: number }) | null;
  requested: boolean;
  onRun: () => void;
  running: boolean;
}

export function ReconciliationSection({ days, last, requested, onRun, running }: ReconciliationSectionProps) {
  return (
    <JobSection
      title="Reconciliation"
      description={`Paid orders of the last ${days} days, compared with what the app received. Missing ones are forwarded, each exactly once.`}
      run={last}
      never="No reconciliation has run yet."
      action="Reconcile now"
      onRun={onRun}
      running={running}
      disabled={last?.status === "running"}
    >
      {last ? (
        <Text as="p" tone="subdued">
          {last.seen.toLocaleString("en-US")} paid orders read, {last.ingested.toLocaleString("en-US")}{" "}
          recorded that the app had missed, {last.failed.toLocaleString("en-US")} unreadable.
        </Text>
      ) : null}
      {requested ? (
        <Banner tone="info">
          <p>Reconciliation requested: it starts within a minute. Reload to see its progress.</p>
        </Banner>
      ) : null}
    </JobSection>
  );
}
