import { Checkbox, FormLayout, TextField } from "@shopify/polaris";

import { MAX_RECONCILE_DAYS } from "../../orders/reconciliation";
import type { SettingsForm } from "./use-settings-form";
import { AnnotatedCard } from "./annotated-card";

/** Fulfillment write-back, and how many days back the reconciliation sweep reads. */
export function ShopifyOrdersSection({ form }: { form: SettingsForm }) {
  return (
    <AnnotatedCard
      title="Shopify orders"
      description="What the app writes back to Shopify, and how far back it checks that no paid order was missed."
    >
      <FormLayout>
        <Checkbox
          label="Mark orders fulfilled in Shopify when Brilliant ships them"
          helpText="With Brilliant's tracking number when it sends one (the customer is then notified). Off: fulfill them in Shopify yourself."
          {...form.toggle("fulfillmentWriteBack")}
        />
        <TextField
          label="Check the last days of paid orders"
          type="number"
          min={1}
          max={MAX_RECONCILE_DAYS}
          {...form.text("reconcileDays")}
          helpText="The app regularly lists your paid orders of these days and forwards any it never received. Up to 60."
        />
      </FormLayout>
    </AnnotatedCard>
  );
}
