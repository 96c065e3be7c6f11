import { Form } from "@remix-run/react";
import { Button, Card, FormLayout, Select, TextField } from "@shopify/polaris";
import { useState } from "react";

const RULES = [
  { label: "SKU equals the Brilliant variant id", value: "sku_equals_id" },
  { label: "SKU is a prefix followed by the Brilliant id", value: "sku_prefix" },
  { label: "SKU is the Brilliant id followed by a suffix", value: "sku_suffix" },
  { label: "Barcode equals the Brilliant variant id", value: "barcode_equals_id" },
];

export interface AutoMatchRuleFormProps {
  /** The rule and value the shown proposals were made with. */
  input: { rule: string; value: string };
  errors: Record<string, string>;
}

/** The rule to propose mappings with; submitting it reloads the page with its proposals. */
export function AutoMatchRuleForm({ input, errors }: AutoMatchRuleFormProps) {
  const [rule, setRule] = useState(input.rule);
  const [value, setValue] = useState(input.value);
  const prefix = rule === "sku_prefix";
  return (
    <Card>
      <Form method="get">
        <FormLayout>
          <FormLayout.Group>
            <Select
              label="Rule"
              name="rule"
              value={rule}
              onChange={setRule}
              error={errors.rule}
              options={RULES}
            />
            {prefix || rule === "sku_suffix" ? (
              <TextField
                label={prefix ? "Prefix" : "Suffix"}
                name="value"
                value={value}
                onChange={setValue}
                autoComplete="off"
                error={errors.value}
                helpText={
                  prefix
                    ? 'For SKU "BR-73002", the prefix is "BR-".'
                    : 'For SKU "73002-US", the suffix is "-US".'
                }
              />
            ) : null}
          </FormLayout.Group>
          <Button submit>Show proposals</Button>
        </FormLayout>
      </Form>
    </Card>
  );
}
