import { Button, FormLayout, InlineStack, Text, TextField } from "@shopify/polaris";

import type { ConnectionTestResult } from "../../models/brilliant-connection.server";
import type { SettingsForm } from "./use-settings-form";
import { AnnotatedCard } from "./annotated-card";

export interface BrilliantApiSectionProps {
  form: SettingsForm;
  /** How the saved key and secret end; null when none is saved. */
  apiKeyEnding: string | null;
  apiSecretEnding: string | null;
  testResult: ConnectionTestResult | null;
  testing: boolean;
  onTest: () => void;
}

function savedText(ending: string | null): string {
  if (ending === null) return "Not set";
  return ending ? `Saved, ending in ${ending}` : "Saved";
}

function TestResultText({ result }: { result: ConnectionTestResult }) {
  return result.ok ? (
    <Text as="span" tone="success">
      Connected to {result.storeName ?? "your Brilliant store"}: {result.variantCount.toLocaleString("en-US")}{" "}
      variants
      {result.inactive ? " (the store is inactive)" : ""}.
    </Text>
  ) : (
    <Text as="span" tone="critical">
      {result.reason}
    </Text>
  );
}

/** The Brilliant credentials: write-only, the page only ever learns how they end. */
export function BrilliantApiSection(props: BrilliantApiSectionProps) {
  const { form, apiKeyEnding, apiSecretEnding, testResult } = props;
  return (
    <AnnotatedCard
      title="Brilliant API"
      description="Your Brilliant store's API key and secret. They are stored encrypted and never shown again."
    >
      <FormLayout>
        <TextField
          id="brilliantApiKey"
          label="API key"
          {...form.text("brilliantApiKey")}
          placeholder={apiKeyEnding !== null ? "Leave empty to keep the saved key" : ""}
          helpText={savedText(apiKeyEnding)}
        />
        <TextField
          label="API secret"
          type="password"
          {...form.text("brilliantApiSecret")}
          autoComplete="new-password"
          placeholder={apiSecretEnding !== null ? "Leave empty to keep the saved secret" : ""}
          helpText={savedText(apiSecretEnding)}
        />
        <InlineStack gap="300" blockAlign="center">
          <Button onClick={props.onTest} loading={props.testing}>
            Test connection
          </Button>
          {testResult ? <TestResultText result={testResult} /> : null}
        </InlineStack>
      </FormLayout>
    </AnnotatedCard>
  );
}
