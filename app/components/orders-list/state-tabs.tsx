import { Tabs } from "@shopify/polaris";
import type { OrderStateCounts } from "../../orders/order.server";
import { stateLabel } from "../../orders/next-step";

/** The tabs, in the order a merchant works through them; "All" first. */
const TAB_STATES = ["held", "retrying", "unknown", "waiting", "forwarded", "skipped", "cancelled"] as const;

/** One tab per state that needs watching or ends an order, each with its count; the selected one filters the list. */
export function StateTabs({
  counts,
  state,
  onSelect,
}: {
  counts: OrderStateCounts;
  state: string | undefined;
  onSelect: (state: string | undefined) => void;
}) {
  const all = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const tabs = [
    { id: "all", content: `All (${all.toLocaleString("en-US")})`, accessibilityLabel: `All orders, ${all}` },
    ...TAB_STATES.map((value) => ({
      id: value,
      content: `${stateLabel(value)} (${counts[value].toLocaleString("en-US")})`,
      accessibilityLabel: `${stateLabel(value)} orders, ${counts[value]}`,
    })),
  ];
  const selected = Math.max(
    0,
    tabs.findIndex((tab) => tab.id === (state ?? "all")),
  );
  return (
    <Tabs
      tabs={tabs}
      selected={selected}
      onSelect={(index) => onSelect(index === 0 ? undefined : tabs[index]!.id)}
    />
  );
}
