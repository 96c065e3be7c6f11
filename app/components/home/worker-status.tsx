import { Banner } from "@shopify/polaris";

import type { HomeWorkerStatus } from "../../ops/worker-heartbeat.server";
import { useShopTime } from "../shop-time";

/** "7 min", "3 h", "2 days": how long ago, rounded down, as the merchant would say it. */
export function timeAgo(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h`;
  return `${Math.floor(minutes / (24 * 60))} days`;
}

/** The banner's title: when the worker was last seen, and what that means for orders. */
export function workerDownTitle(status: Extract<HomeWorkerStatus, { running: false }>): string {
  return status.minutesAgo === null
    ? "The background worker has not run yet: orders are not being sent"
    : `The background worker was last seen ${timeAgo(status.minutesAgo)} ago: orders are not being sent`;
}

/** Home's warning while no worker has written a fresh heartbeat; nothing when one runs. */
export function WorkerStatusBanner({ status }: { status: HomeWorkerStatus }) {
  const shopTime = useShopTime();
  if (status.running) return null;
  return (
    <Banner tone="warning" title={workerDownTitle(status)}>
      <p>
        {status.lastSeenAt && `Last seen ${shopTime(status.lastSeenAt)}. `}
        Paid orders are kept and go to Brilliant once it runs again.
      </p>
    </Banner>
  );
}
