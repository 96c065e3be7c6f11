import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import type { HomeWorkerStatus } from "../../ops/worker-heartbeat.server";
import { ShopTimeZoneContext } from "../shop-time";
import { timeAgo, WorkerStatusBanner } from "./worker-status";

/** The banner's text as the merchant reads it, in the shop's zone (Toronto). */
function rendered(status: HomeWorkerStatus): string {
  const html = renderToStaticMarkup(
    <AppProvider i18n={en}>
      <ShopTimeZoneContext.Provider value="America/Toronto">
        <WorkerStatusBanner status={status} />
      </ShopTimeZoneContext.Provider>
    </AppProvider>,
  );
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, " ")
    .trim();
}

describe("Home's worker banner", () => {
  it("GIVEN a worker running THEN nothing is shown", () => {
    expect(rendered({ running: true })).toBe("");
  });

  it("GIVEN the worker last seen 12 minutes ago THEN it says so, with the time in the shop's zone", () => {
    const text = rendered({ running: false, lastSeenAt: "2026-03-01T15:00:00.000Z", minutesAgo: 12 });
    expect(text).toContain("The background worker was last seen 12 min ago: orders are not being sent");
    expect(text).toContain("Last seen Mar 1, 2026, 10:00 AM EST.");
    expect(text).toContain("Paid orders are kept and go to Brilliant once it runs again.");
  });

  it("GIVEN no worker ever seen THEN it says the worker has not run", () => {
    expect(rendered({ running: false, lastSeenAt: null, minutesAgo: null })).toContain(
      "The background worker has not run yet: orders are not being sent",
    );
  });

  it("says long absences in hours, then days", () => {
    expect([timeAgo(0), timeAgo(59), timeAgo(60), timeAgo(47 * 60 + 59), timeAgo(48 * 60)]).toEqual([
      "0 min",
      "59 min",
      "1 h",
      "47 h",
      "2 days",
    ]);
  });
});
