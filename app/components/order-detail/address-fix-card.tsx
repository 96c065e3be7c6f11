import type { FetcherWithComponents } from "@remix-run/react";
import { BlockStack, Button, Card, FormLayout, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { AddressField, AddressFieldErrors, AddressValues } from "../../orders/order-page-form";
import type { ShopifyAddress } from "../../orders/shopify-order";

export interface AddressFixCardProps {
  address: ShopifyAddress | null;
  /** The page fetcher's form, so saving stays on the page and reports like the buttons. */
  Form: FetcherWithComponents<unknown>["Form"];
  fieldErrors: AddressFieldErrors;
  busy: boolean;
}

function initialValues(address: ShopifyAddress | null): AddressValues {
  return {
    name: address?.name ?? [address?.first_name, address?.last_name].filter(Boolean).join(" "),
    address1: address?.address1 ?? "",
    address2: address?.address2 ?? "",
    city: address?.city ?? "",
    provinceCode: address?.province_code ?? "",
    zip: address?.zip ?? "",
    countryCode: address?.country_code ?? "",
    phone: address?.phone ?? "",
  };
}

/** The form that corrects the address Brilliant refused and resubmits the order. */
export function AddressFixCard({ address, Form, fieldErrors, busy }: AddressFixCardProps) {
  const [values, setValues] = useState<AddressValues>(() => initialValues(address));
  const field = (key: AddressField, label: string, helpText?: string) => (
    <TextField
      label={label}
      name={key}
      autoComplete="off"
      value={values[key]}
      helpText={helpText}
      error={fieldErrors[key]?.[0]}
      onChange={(value) => setValues((current) => ({ ...current, [key]: value }))}
    />
  );
  return (
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value="fixAddress" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Fix the shipping address and resubmit
          </Text>
          <Text as="p" tone="subdued">
            Brilliant needs 2-letter state or province and country codes. Saving changes the address the app
            sends to Brilliant; the order in Shopify is not changed.
          </Text>
          <FormLayout>
            {field("name", "Recipient name")}
            {field("address1", "Address")}
            {field("address2", "Apartment, suite, etc.")}
            <FormLayout.Group>
              {field("city", "City")}
              {field(
                "provinceCode",
                "State or province code",
                address?.province ? `Shopify has "${address.province}"` : undefined,
              )}
              {field("zip", "Postal code")}
            </FormLayout.Group>
            <FormLayout.Group>
              {field("countryCode", "Country code")}
              {field("phone", "Phone")}
            </FormLayout.Group>
          </FormLayout>
          <InlineStack>
            <Button submit variant="primary" loading={busy}>
              Save address and resubmit
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}
