import { Banner, BlockStack, List, ProgressBar, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { BulkJobView, BulkOutcome } from "../../orders/bulk-jobs.server";
import { useShopTime } from "../shop-time";

/** After this long queued, the banner says no worker has picked the job up yet. */
const QUEUED_FOR_LONG_MS = 30_000;

function orders(count: number): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? "order" : "orders"}`;
}

/** What each outcome means for the job's action, in the words of the selection's result banner. */
function outcomeWords(job: BulkJobView): Record<BulkOutcome, string> {
  return {
    sent: job.intent === "retry" ? "retried now" : "going to Brilliant",
    heldAgain: "to be held again",
    skippedAgain: "to be skipped",
    unchanged: "unchanged",
  };
}

const OUTCOMES: BulkOutcome[] = ["sent", "heldAgain", "skippedAgain", "unchanged"];

/** "400 orders going to Brilliant; 12 to be held again; 19 unchanged", or null before any was handled. */
function countsLine(job: BulkJobView): string | null {
  const words = outcomeWords(job);
  const parts = OUTCOMES.filter((outcome) => job.summary.counts[outcome] > 0).map((outcome, index) => {
    const count = job.summary.counts[outcome];
    return index === 0
      ? `${orders(count)} ${words[outcome]}`
      : `${count.toLocaleString("en-US")} ${words[outcome]}`;
  });
  return parts.length > 0 ? parts.join("; ") : null;
}

/** One line for the toast and the finished banner's title. */
export function bulkJobMessage(job: BulkJobView): string {
  const verb = job.intent === "retry" ? "Retry now" : "Resubmit";
  if (job.status === "failed") return `${verb} of ${job.filterLabel} stopped after ${orders(job.processed)}`;
  return `${verb} of ${job.filterLabel} done: ${countsLine(job) ?? "no order was left to act on"}`;
}

/** Whether a finished job left something for the merchant to look at: orders stopped again, unchanged, or a failure. */
export function bulkJobNeedsAttention(job: BulkJobView): boolean {
  const { counts } = job.summary;
  return (
    job.status === "failed" ||
    counts.heldAgain + counts.skippedAgain + counts.unchanged > 0 ||
    job.processed !== job.total
  );
}

/** The orders of each outcome but "sent" the summary names, with why. */
function Examples({ job }: { job: BulkJobView }) {
  const words = outcomeWords(job);
  const lines = OUTCOMES.filter((outcome) => outcome !== "sent").flatMap((outcome) => {
    const { examples } = job.summary;
    const more = job.summary.counts[outcome] - examples[outcome].length;
    return [
      ...examples[outcome].map(
        (order) => `${order.name}: ${words[outcome]}${order.why ? `, ${order.why}` : ""}`,
      ),
      ...(more > 0 ? [`and ${orders(more)} more ${words[outcome]}`] : []),
    ];
  });
  if (lines.length === 0) return null;
  return (
    <List type="bullet">
      {lines.map((line) => (
        <List.Item key={line}>{line}</List.Item>
      ))}
    </List>
  );
}

/**
 * A bulk action over a whole view: waiting for the background worker, its
 * progress while it runs, then what happened to how many orders and why.
 */
export function BulkJobBanner({ job, onDismiss }: { job: BulkJobView; onDismiss: () => void }) {
  const when = useShopTime();
  const doing = job.intent === "retry" ? "Retrying" : "Resubmitting";
  // Read in the browser after each poll, so the server's and the browser's first render agree.
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => setNow(Date.now()), [job]);

  if (job.status === "queued") {
    const long = now !== null && now - Date.parse(job.createdAt) > QUEUED_FOR_LONG_MS;
    return (
      <Banner tone={long ? "warning" : "info"} title={`${doing} ${orders(job.total)} · ${job.filterLabel}`}>
        <p>
          {long
            ? `Waiting for the background worker: none has picked this up since ${when(job.createdAt)}. It starts as soon as the worker runs.`
            : "Waiting for the background worker to start it."}
        </p>
      </Banner>
    );
  }
  if (job.status === "running") {
    const progress = job.total > 0 ? Math.min(100, Math.round((job.processed / job.total) * 100)) : 0;
    const sofar = countsLine(job);
    return (
      <Banner
        tone={job.stalled ? "warning" : "info"}
        title={`${doing} ${job.processed.toLocaleString("en-US")} of ${orders(job.total)} · ${job.filterLabel}${job.stalled ? "" : "…"}`}
      >
        <BlockStack gap="200">
          <ProgressBar progress={progress} size="small" tone="primary" />
          {job.stalled && (
            <p>
              Paused: the background worker stopped. It goes on from where it was once a worker runs again.
            </p>
          )}
          {sofar && <Text as="p">So far: {sofar}.</Text>}
        </BlockStack>
      </Banner>
    );
  }
  const failed = job.status === "failed";
  const { counts } = job.summary;
  return (
    <Banner
      tone={failed ? "critical" : counts.sent === 0 ? "warning" : "info"}
      title={bulkJobMessage(job)}
      onDismiss={onDismiss}
    >
      <BlockStack gap="200">
        {failed && job.error && <p>{job.error}</p>}
        {failed && countsLine(job) && <p>Before it stopped: {countsLine(job)}.</p>}
        {!failed && job.processed !== job.total && (
          <p>
            {orders(job.total)} matched when it started; {job.processed.toLocaleString("en-US")} were still in
            the view when their turn came.
          </p>
        )}
        <Examples job={job} />
      </BlockStack>
    </Banner>
  );
}
