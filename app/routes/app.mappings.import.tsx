import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  DropZone,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod/v4";

import {
  applyMappingCsv,
  previewMappingCsv,
  type CsvReport,
  type RowStatus,
} from "../catalog/mapping-csv.server";
import { authenticate } from "../shopify.server";

/**
 * CSV import: upload, read the report (nothing is written yet), then import
 * the valid rows. The browser keeps the file's text between the two steps.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return json({});
};

const MAX_CSV_CHARS = 20_000_000;
const ROWS_SHOWN = 500;

const ImportSchema = z.object({
  intent: z.enum(["preview", "apply"]),
  csv: z
    .string()
    .min(1, "Choose a CSV file first.")
    .max(MAX_CSV_CHARS, "The file is too large: split it into files under 20 MB."),
});

/** What the page shows of a report: counts, and the rows worth reading (errors first). */
function reportView(report: CsvReport) {
  const order: RowStatus[] = ["error", "new", "change", "skipped", "unchanged"];
  const rows = order
    .flatMap((status) => report.rows.filter((row) => row.status === status))
    .slice(0, ROWS_SHOWN);
  return { fileError: report.fileError, counts: report.counts, rows, totalRows: report.rows.length };
}

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const file = form.get("file");
  const csv = file instanceof File ? await file.text() : form.get("csv");
  const parsed = ImportSchema.safeParse({ intent: form.get("intent"), csv });
  if (!parsed.success) {
    return json(
      { step: "invalid" as const, error: parsed.error.issues[0]?.message ?? "Choose a CSV file first." },
      { status: 422 },
    );
  }
  if (parsed.data.intent === "preview") {
    const report = await previewMappingCsv(session.shop, parsed.data.csv);
    return json(
      { step: "preview" as const, report: reportView(report) },
      { status: report.fileError ? 422 : 200 },
    );
  }
  const result = await applyMappingCsv(session.shop, parsed.data.csv);
  return json(
    { step: "applied" as const, report: reportView(result), saved: result.saved, released: result.released },
    { status: result.fileError ? 422 : 200 },
  );
};

const STATUS_LABEL: Record<
  RowStatus,
  { label: string; tone?: "success" | "info" | "critical" | "attention" }
> = {
  new: { label: "New", tone: "success" },
  change: { label: "Change", tone: "info" },
  unchanged: { label: "Unchanged" },
  skipped: { label: "Skipped", tone: "attention" },
  error: { label: "Error", tone: "critical" },
};

export default function ImportMappingsPage() {
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [fileName, setFileName] = useState<string | null>(null);
  const [csv, setCsv] = useState<string | null>(null);
  const busy = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;

  const report = answer && answer.step !== "invalid" ? answer.report : null;
  const valid = report ? report.counts.new + report.counts.change : 0;

  return (
    <Page title="Import mappings" backAction={{ content: "Mappings", url: "/app/mappings" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="p">
                A CSV with the header <code>shopify_variant_id,sku,brilliant_variant_id</code>, as the export
                gives it. You see what it would change before anything is saved.
              </Text>
              <DropZone
                accept=".csv,text/csv"
                type="file"
                allowMultiple={false}
                onDrop={(files) => {
                  const chosen = files[0];
                  if (!chosen) return;
                  setFileName(chosen.name);
                  void chosen.text().then((text) => {
                    setCsv(text);
                    submit({ intent: "preview", csv: text }, { method: "post" });
                  });
                }}
              >
                {fileName ? (
                  <div style={{ padding: "var(--p-space-400)" }}>
                    <Text as="p">{fileName}</Text>
                  </div>
                ) : (
                  <DropZone.FileUpload actionTitle="Choose CSV file" actionHint="or drop it here" />
                )}
              </DropZone>
            </BlockStack>
          </Card>
        </Layout.Section>

        {answer?.step === "invalid" ? (
          <Layout.Section>
            <Banner tone="critical">
              <p>{answer.error}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {report?.fileError ? (
          <Layout.Section>
            <Banner tone="critical" title="This file cannot be imported">
              <p>{report.fileError}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {answer?.step === "applied" && !report?.fileError ? (
          <Layout.Section>
            <Banner tone="success" title={`Imported ${answer.saved} mapping${answer.saved === 1 ? "" : "s"}`}>
              <p>
                {answer.released > 0
                  ? `${answer.released} held order${answer.released === 1 ? "" : "s"} released: they go to Brilliant now.`
                  : "No held orders were waiting for these variants."}
              </p>
            </Banner>
          </Layout.Section>
        ) : null}

        {report && !report.fileError ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <InlineStack gap="200">
                  {(Object.keys(STATUS_LABEL) as RowStatus[]).map((status) => (
                    <Badge key={status} tone={STATUS_LABEL[status].tone}>
                      {`${STATUS_LABEL[status].label}: ${report.counts[status]}`}
                    </Badge>
                  ))}
                </InlineStack>
                {answer?.step === "preview" ? (
                  <InlineStack gap="200" blockAlign="center">
                    <Button
                      variant="primary"
                      disabled={valid === 0 || !csv}
                      loading={busy === "apply"}
                      onClick={() => csv && submit({ intent: "apply", csv }, { method: "post" })}
                    >
                      {`Import ${valid} valid row${valid === 1 ? "" : "s"}`}
                    </Button>
                    <Text as="span" tone="subdued">
                      Rows with errors are left out; fix them and import the file again.
                    </Text>
                  </InlineStack>
                ) : null}
                <DataTable
                  columnContentTypes={["numeric", "text", "text", "text", "text", "text"]}
                  headings={["Line", "Shopify variant", "SKU", "Brilliant variant", "Status", "Note"]}
                  rows={report.rows.map((row) => [
                    row.line,
                    row.shopifyVariantId,
                    row.sku,
                    row.brilliantVariantId,
                    STATUS_LABEL[row.status].label,
                    row.note ?? "",
                  ])}
                  footerContent={
                    report.totalRows > report.rows.length
                      ? `Showing ${report.rows.length} of ${report.totalRows} rows, errors first.`
                      : undefined
                  }
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
