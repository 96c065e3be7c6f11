import { TextField } from "@shopify/polaris";

import type { SettingsForm } from "./use-settings-form";
import { AnnotatedCard } from "./annotated-card";

/** The stock level at or under which a mapped Brilliant variant counts as low. */
export function StockSection({ form }: { form: SettingsForm }) {
  return (
    <AnnotatedCard
      title="Stock"
      description="Warn me when a mapped Brilliant variant has this many or fewer left."
    >
      <TextField
        label="Low-stock threshold"
        type="number"
        min={0}
        max={10_000}
        {...form.text("lowStockThreshold")}
      />
    </AnnotatedCard>
  );
}
