import type { FetcherWithComponents } from "@remix-run/react";
import { BlockStack, Button, Card, FormLayout, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import {
  COUNTRY_CHOICES,
  subdivisionsOf,
  suggestCountry,
  suggestSubdivision,
} from "../../orders/address-regions";
import type { AddressField, AddressFieldErrors, AddressValues } from "../../orders/order-page-form";
import type { ShopifyAddress } from "../../orders/shopify-order";
import { ADDRESS_FORM_ANCHOR } from "../../orders/next-step";

export interface AddressFixCardProps {
  address: ShopifyAddress | null;
  /** The page fetcher's form, so saving stays on the page and reports like the buttons. */
  Form: FetcherWithComponents<unknown>["Form"];
  fieldErrors: AddressFieldErrors;
  busy: boolean;
}

/** The address as Shopify sent it, with country and province matched to their ISO codes where they can be. */
function initialValues(address: ShopifyAddress | null): AddressValues {
  const countryCode = suggestCountry(address?.country_code) ?? suggestCountry(address?.country) ?? "";
  return {
    name: address?.name ?? [address?.first_name, address?.last_name].filter(Boolean).join(" "),
    address1: address?.address1 ?? "",
    address2: address?.address2 ?? "",
    city: address?.city ?? "",
    provinceCode: provinceFor(countryCode, address),
    zip: address?.zip ?? "",
    countryCode,
    phone: address?.phone ?? "",
  };
}

/** The province code for the country: Shopify's code when it is one, else the one its name matches. */
function provinceFor(countryCode: string, address: ShopifyAddress | null): string {
  if (subdivisionsOf(countryCode).length === 0) return address?.province_code ?? address?.province ?? "";
  return (
    suggestSubdivision(countryCode, address?.province_code) ??
    suggestSubdivision(countryCode, address?.province) ??
    ""
  );
}

/** What Shopify gave for the province, when the form shows something else. */
function provinceHelp(address: ShopifyAddress | null, chosen: string): string | undefined {
  const given = [address?.province, address?.province_code && `(${address.province_code})`]
    .filter(Boolean)
    .join(" ");
  if (!given || address?.province_code?.toUpperCase() === chosen) return undefined;
  return chosen
    ? `Shopify has ${given}; ${chosen} matches it`
    : `Shopify has ${given}, which is not on the list`;
}

const COUNTRY_OPTIONS = [
  { label: "Choose a country", value: "" },
  ...COUNTRY_CHOICES.map((country) => ({ label: country.name, value: country.code })),
];

/** The form that corrects the address Brilliant refused and resubmits the order. */
export function AddressFixCard({ address, Form, fieldErrors, busy }: AddressFixCardProps) {
  const [values, setValues] = useState<AddressValues>(() => initialValues(address));
  const subdivisions = subdivisionsOf(values.countryCode);
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
    <div id={ADDRESS_FORM_ANCHOR}>
      <Card>
        <Form method="post">
          <input type="hidden" name="intent" value="fixAddress" />
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Fix the shipping address and resubmit
            </Text>
            <Text as="p" tone="subdued">
              Choose the country and its state or province from the lists; Brilliant takes their codes. Saving
              changes the address the app sends to Brilliant; the order in Shopify is not changed.
            </Text>
            <FormLayout>
              {field("name", "Recipient name")}
              {field("address1", "Address")}
              {field("address2", "Apartment, suite, etc.")}
              <FormLayout.Group>
                <Select
                  label="Country"
                  name="countryCode"
                  options={COUNTRY_OPTIONS}
                  value={values.countryCode}
                  error={fieldErrors.countryCode?.[0]}
                  onChange={(countryCode) =>
                    setValues((current) => ({
                      ...current,
                      countryCode,
                      provinceCode: provinceFor(countryCode, address),
                    }))
                  }
                />
                {subdivisions.length > 0 ? (
                  <Select
                    label="State or province"
                    name="provinceCode"
                    options={[
                      { label: "Choose one", value: "" },
                      ...subdivisions.map((place) => ({
                        label: `${place.name} (${place.code})`,
                        value: place.code,
                      })),
                    ]}
                    value={values.provinceCode}
                    helpText={provinceHelp(address, values.provinceCode)}
                    error={fieldErrors.provinceCode?.[0]}
                    onChange={(provinceCode) => setValues((current) => ({ ...current, provinceCode }))}
                  />
                ) : (
                  field(
                    "provinceCode",
                    "State or region (optional)",
                    "This country has no states or provinces to choose",
                  )
                )}
              </FormLayout.Group>
              <FormLayout.Group>
                {field("city", "City")}
                {field("zip", "Postal code")}
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
    </div>
  );
}
