import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";
import type { BulkJobView } from "../../orders/bulk-jobs.server";

const POLL_MS = 2_000;

/**
 * Follows the shop's bulk job: reloads the page's data every 2 s while it is
 * queued or running (its progress, and the list as its orders move), and
 * calls `onFinished` once when a job seen running here ends.
 */
export function useBulkJobProgress(job: BulkJobView | null, onFinished: (job: BulkJobView) => void) {
  const revalidator = useRevalidator();
  const live = job?.status === "queued" || job?.status === "running";
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [live, revalidator]);

  const seenLive = useRef<string | null>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;
  useEffect(() => {
    if (!job) return;
    if (live) seenLive.current = job.id;
    else if (seenLive.current === job.id) {
      seenLive.current = null;
      finished.current(job);
    }
  }, [job, live]);
}
