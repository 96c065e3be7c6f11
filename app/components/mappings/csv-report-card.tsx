import { Badge, BlockStack, Button, Card, DataTable, InlineStack, Text } from "@shopify/polaris";

import type { RowStatus } from "../../catalog/mapping-csv.server";
import type { csvReportView } from "../../catalog/mapping-forms";

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

export interface CsvReportCardProps {
  report: ReturnType<typeof csvReportView>;
  /** Set while the report is a preview: importing its valid rows is still to do. */
  apply: { onApply: () => void; disabled: boolean; applying: boolean } | null;
}

/** The rows' counts by status, the import button after a preview, and the rows worth reading. */
export function CsvReportCard({ report, apply }: CsvReportCardProps) {
  const valid = report.counts.new + report.counts.change;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200">
          {(Object.keys(STATUS_LABEL) as RowStatus[]).map((status) => (
            <Badge key={status} tone={STATUS_LABEL[status].tone}>
              {`${STATUS_LABEL[status].label}: ${report.counts[status]}`}
            </Badge>
          ))}
        </InlineStack>
        {apply ? (
          <InlineStack gap="200" blockAlign="center">
            <Button
              variant="primary"
              disabled={valid === 0 || apply.disabled}
              loading={apply.applying}
              onClick={apply.onApply}
            >
              {`Import ${valid} valid row${valid === 1 ? "" : "s"}`}
            </Button>
            <Text as="span" tone="subdued">
              Rows with errors are left out; fix them and import the file again.
            </Text>
          </InlineStack>
        ) : null}
        <DataTable
          columnContentTypes={["numeric", "text", "text", "text", "text", "text", "text"]}
          headings={[
            "Line",
            "Shopify variant",
            "SKU",
            "Brilliant variant",
            "Not shipped by Brilliant",
            "Status",
            "Note",
          ]}
          rows={report.rows.map((row) => [
            row.line,
            row.shopifyVariantId,
            row.sku,
            row.brilliantVariantId,
            row.notShippedByBrilliant,
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
  );
}
