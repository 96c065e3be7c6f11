import { Banner, Checkbox, ChoiceList, FormLayout, Select, TextField } from "@shopify/polaris";

import { SUBDIVISION_CHOICES, SUBDIVISION_SETTING_LABEL } from "../../orders/subdivision-fallback";
import type { SettingsForm } from "./use-settings-form";
import { AnnotatedCard } from "./annotated-card";

const MODE_CHOICES = [
  { label: "Automatically, once paid", value: "automatic" },
  { label: "After I review each order", value: "review" },
];

const DELAY_UNITS = [
  { label: "seconds", value: "seconds" },
  { label: "minutes", value: "minutes" },
];

/** When paid orders go to Brilliant, and which ones wait or stay out. */
export function ForwardingSection({ form }: { form: SettingsForm }) {
  const sendTestOrders = form.values.forwardTestOrders === "true";
  const sendPaymentTerms = form.values.forwardPaymentTerms === "true";
  return (
    <AnnotatedCard
      title="Forwarding"
      description="When paid orders go to Brilliant, and which ones wait or stay out."
    >
      <FormLayout>
        <ChoiceList
          title="Send orders"
          name="forwardingMode"
          choices={MODE_CHOICES}
          selected={[form.values.forwardingMode]}
          onChange={(selected) => form.set("forwardingMode")(selected[0] ?? "automatic")}
          error={form.errors.forwardingMode}
        />
        <FormLayout.Group condensed>
          <TextField
            label="Wait before sending"
            type="number"
            min={0}
            {...form.text("forwardingDelay")}
            helpText="Time to edit or cancel an order in Shopify first. Up to 1,440 minutes."
          />
          <Select label="Unit" options={DELAY_UNITS} {...form.field("forwardingDelayUnit")} />
        </FormLayout.Group>
        <TextField
          label="Hold orders tagged"
          {...form.text("holdTags")}
          helpText="Comma-separated. These orders wait for you."
        />
        <TextField
          label="Never send orders tagged"
          {...form.text("skipTags")}
          helpText="Comma-separated. These orders are skipped."
        />
        <Checkbox
          label="Send test orders to Brilliant"
          helpText="Orders paid through a Shopify test gateway (such as the Bogus Gateway). Off: they are skipped. Brilliant ships them for real, at your cost."
          {...form.toggle("forwardTestOrders")}
        />
        {sendTestOrders ? (
          <Banner tone="warning">
            <p>Brilliant cannot tell a test order from a real one: each test order you place is shipped.</p>
          </Banner>
        ) : null}
        <Checkbox
          label="Send orders with payment terms when they are placed"
          helpText="B2B and draft orders with net terms or due on fulfillment are not paid when placed; due on fulfillment is never paid before it ships. Off: they wait until Shopify reports them paid."
          {...form.toggle("forwardPaymentTerms")}
        />
        {sendPaymentTerms ? (
          <Banner tone="warning">
            <p>
              Brilliant ships these orders before your customer pays: if the invoice is never paid, the goods
              are gone. Each shows its payment terms in Orders.
            </p>
          </Banner>
        ) : null}
        <Select
          label={SUBDIVISION_SETTING_LABEL}
          options={[...SUBDIVISION_CHOICES]}
          {...form.field("subdivisionFallback")}
          helpText="Brilliant takes only a 2-letter state or province. UK and most European addresses have none, and Australia's (NSW, VIC, QLD) are longer: hold those orders for you, or send the country code (GB, AU) as the state. US and Canadian addresses without a state are always held."
        />
      </FormLayout>
    </AnnotatedCard>
  );
}
