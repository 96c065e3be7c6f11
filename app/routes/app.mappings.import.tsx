import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useNavigation, useSubmit } from "@remix-run/react";
import { Layout, Page } from "@shopify/polaris";
import { useState } from "react";

import { applyMappingCsv, previewMappingCsv } from "../catalog/mapping-csv.server";
import { csvReportView, parseMappingImport } from "../catalog/mapping-forms";
import { authenticate } from "../shopify.server";
import { BannerSection } from "../components/mappings/banner-section";
import { CsvReportCard } from "../components/mappings/csv-report-card";
import { CsvUploadCard } from "../components/mappings/csv-upload-card";
import { PageTitle } from "../components/page-title";

/**
 * CSV import: upload, read the report (nothing is written yet), then import
 * the valid rows. The browser keeps the file's text between the two steps.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return json({});
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = await parseMappingImport(await request.formData());
  if (!parsed.ok) return json({ step: "invalid" as const, error: parsed.error }, { status: 422 });
  if (parsed.intent === "preview") {
    const report = await previewMappingCsv(session.shop, parsed.csv);
    return json(
      { step: "preview" as const, report: csvReportView(report) },
      { status: report.fileError ? 422 : 200 },
    );
  }
  const result = await applyMappingCsv(session.shop, parsed.csv);
  return json(
    {
      step: "applied" as const,
      report: csvReportView(result),
      saved: result.saved,
      released: result.released,
    },
    { status: result.fileError ? 422 : 200 },
  );
};

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

export default function ImportMappingsPage() {
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [csv, setCsv] = useState<string | null>(null);
  const busy = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  const report = answer && answer.step !== "invalid" ? answer.report : null;
  const preview = (text: string) => {
    setCsv(text);
    submit({ intent: "preview", csv: text }, { method: "post" });
  };
  const apply = () => csv && submit({ intent: "apply", csv }, { method: "post" });

  return (
    <Page>
      <PageTitle title="Import mappings" back={{ content: "Mappings", url: "/app/mappings" }} />
      <Layout>
        <Layout.Section>
          <CsvUploadCard onText={preview} />
        </Layout.Section>
        {answer?.step === "invalid" ? <BannerSection tone="critical">{answer.error}</BannerSection> : null}
        {report?.fileError ? (
          <BannerSection tone="critical" title="This file cannot be imported">
            {report.fileError}
          </BannerSection>
        ) : null}
        {answer?.step === "applied" && !report?.fileError ? (
          <BannerSection tone="success" title={`Imported ${plural(answer.saved, "mapping")}`}>
            {answer.released > 0
              ? `${plural(answer.released, "held order")} released: they go to Brilliant now.`
              : "No held orders were waiting for these variants."}
          </BannerSection>
        ) : null}
        {report && !report.fileError ? (
          <Layout.Section>
            <CsvReportCard
              report={report}
              apply={
                answer?.step === "preview"
                  ? { onApply: apply, disabled: !csv, applying: busy === "apply" }
                  : null
              }
            />
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
export { RouteErrorBoundary as ErrorBoundary } from "../components/route-error";

export const meta: MetaFunction = () => [{ title: "Import mappings · Brilliant Sync" }];
