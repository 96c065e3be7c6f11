import { Banner, BlockStack, Select, Text } from "@shopify/polaris";

import type { StockSyncSettingsView } from "../../catalog/stock-sync-settings.server";
import { SyncRunLine } from "../sync-run-line";
import type { SettingsForm } from "./use-settings-form";
import { AnnotatedCard } from "./annotated-card";

const OFF = { label: "Off", value: "" };

/** The location whose available quantities follow Brilliant's stock, and how the last run went. */
export function StockSyncSection({ form, view }: { form: SettingsForm; view: StockSyncSettingsView }) {
  const chosen = form.values.stockSyncLocationId;
  const listed = (view.locations ?? []).map((location) => ({
    label: location.fulfillsOnlineOrders
      ? location.name
      : `${location.name} (does not fulfill online orders)`,
    value: location.id,
  }));
  // The saved (or chosen) location stays choosable when Shopify was not read or no longer lists it.
  const kept =
    chosen && !listed.some((option) => option.value === chosen)
      ? [{ label: `${form.values.stockSyncLocationName || chosen} (saved)`, value: chosen }]
      : [];
  const names = new Map((view.locations ?? []).map((location) => [location.id, location.name]));
  const choose = (value: string) => {
    form.set("stockSyncLocationId")(value);
    form.set("stockSyncLocationName")(value ? (names.get(value) ?? form.values.stockSyncLocationName) : "");
  };
  const last = view.last;

  return (
    <AnnotatedCard
      title="Stock in Shopify"
      description="Set what Shopify can sell at one of your locations to what Brilliant has, less what your orders not yet at Brilliant will take. Checked after each Brilliant catalog sync."
    >
      <BlockStack gap="300">
        {view.unreadable ? (
          <Banner tone="warning">
            <p>
              Your Shopify locations could not be read: {view.unreadable} Your saved choice is kept; reload
              the page to try again.
            </p>
          </Banner>
        ) : null}
        <Select
          label="Location"
          options={[OFF, ...listed, ...kept]}
          value={chosen}
          onChange={choose}
          error={form.errors.stockSyncLocationId}
          helpText="Only variants mapped to Brilliant, tracked in Shopify and by Brilliant, and not marked “not shipped by Brilliant”. Only changes are written; a sale in Shopify meanwhile is never overwritten."
        />
        <SyncRunLine run={last} never="Stock has not been set in Shopify yet." />
        {last && last.status !== "running" ? (
          <Text as="p" tone="subdued">
            {last.read.toLocaleString("en-US")} read, {last.changed.toLocaleString("en-US")} set,{" "}
            {last.failed.toLocaleString("en-US")} refused by Shopify.
          </Text>
        ) : null}
      </BlockStack>
    </AnnotatedCard>
  );
}
