import {
  Badge,
  BlockStack,
  Button,
  Card,
  IndexTable,
  InlineStack,
  Text,
  useBreakpoints,
} from "@shopify/polaris";

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
  const { smDown } = useBreakpoints();
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
        {/* On a phone, a condensed list: a table wider than the screen would scroll in a region no key reaches. */}
        <IndexTable
          resourceName={{ singular: "row", plural: "rows" }}
          itemCount={report.rows.length}
          selectable={false}
          condensed={smDown}
          headings={[
            { title: "Line", alignment: "end" },
            { title: "Shopify variant" },
            { title: "SKU" },
            { title: "Brilliant variant" },
            { title: "Not shipped by Brilliant" },
            { title: "Status" },
            { title: "Note" },
          ]}
        >
          {report.rows.map((row, index) => (
            <IndexTable.Row id={String(row.line)} key={row.line} position={index}>
              {smDown ? (
                // One cell of stacked lines: the condensed list does not wrap cells side by side.
                <IndexTable.Cell>
                  <BlockStack gap="100">
                    <Text as="span" fontWeight="semibold">
                      {`Line ${row.line}: ${STATUS_LABEL[row.status].label}`}
                    </Text>
                    <Text as="span">
                      {`Shopify variant ${row.shopifyVariantId || "—"}${row.sku ? `, SKU ${row.sku}` : ""}`}
                    </Text>
                    <Text as="span">
                      {`Brilliant variant ${row.brilliantVariantId || "—"}${row.notShippedByBrilliant ? `, not shipped by Brilliant: ${row.notShippedByBrilliant}` : ""}`}
                    </Text>
                    {row.note ? (
                      <Text as="span" tone="subdued" breakWord>
                        {row.note}
                      </Text>
                    ) : null}
                  </BlockStack>
                </IndexTable.Cell>
              ) : (
                <>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {row.line}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{row.shopifyVariantId}</IndexTable.Cell>
                  <IndexTable.Cell>{row.sku}</IndexTable.Cell>
                  <IndexTable.Cell>{row.brilliantVariantId}</IndexTable.Cell>
                  <IndexTable.Cell>{row.notShippedByBrilliant}</IndexTable.Cell>
                  <IndexTable.Cell>{STATUS_LABEL[row.status].label}</IndexTable.Cell>
                  <IndexTable.Cell>{row.note ?? ""}</IndexTable.Cell>
                </>
              )}
            </IndexTable.Row>
          ))}
        </IndexTable>
        {report.totalRows > report.rows.length ? (
          <Text as="p" tone="subdued">
            {`Showing ${report.rows.length} of ${report.totalRows} rows, errors first.`}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}
