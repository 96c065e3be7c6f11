import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Card, InlineStack, Page, Text, useIndexResourceState } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { useCallback, useEffect, useState } from "react";
import { authenticate } from "../shopify.server";
import {
  InvalidCursorError,
  applyBulkOrderAction,
  listOrderCodes,
  listOrders,
  type BulkOrderIntent,
  type OrderListRow,
} from "../orders/order-list.server";
import {
  bulkForm,
  bulkViewForm,
  dateRangeErrors,
  isBulkViewForm,
  listSearch,
  parseBulkForm,
  parseBulkViewForm,
  parseListQuery,
} from "../orders/orders-list-params";
import {
  BulkJobRefusedError,
  bulkActionsForView,
  createBulkJob,
  latestBulkJob,
  type ViewBulkAction,
} from "../orders/bulk-jobs.server";
import { BulkResultBanner, bulkResultMessage } from "../components/orders-list/bulk-result-banner";
import {
  BulkJobBanner,
  bulkJobMessage,
  bulkJobNeedsAttention,
} from "../components/orders-list/bulk-job-banner";
import { useBulkJobProgress } from "../components/orders-list/use-bulk-job-progress";
import { ViewBulkActions } from "../components/orders-list/view-bulk-actions";
import { DateErrorsBanner } from "../components/orders-list/date-errors-banner";
import { OrdersFilters } from "../components/orders-list/orders-filters";
import { StateTabs } from "../components/orders-list/state-tabs";
import { countOrdersByState } from "../orders/order.server";
import { OrdersTable } from "../components/orders-list/orders-table";
import { PageTitle } from "../components/page-title";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = parseListQuery(request.url);
  if (!parsed.success) {
    throw json({ message: "Those filters are not valid." }, { status: 400 });
  }
  const { after, before, ...filters } = parsed.data;
  const dateErrors = dateRangeErrors(filters);
  if (dateErrors) {
    // A date that is not a day: 400, with the page and the reason on the field.
    return json(
      {
        orders: [] as OrderListRow[],
        nextCursor: null,
        previousCursor: null,
        codes: await listOrderCodes(session.shop),
        counts: await countOrdersByState(session.shop),
        filters,
        dateErrors,
        bulkJob: await latestBulkJob(session.shop),
        viewActions: [] as ViewBulkAction[],
      },
      { status: 400 },
    );
  }
  try {
    const [page, codes, counts, bulkJob] = await Promise.all([
      listOrders(session.shop, filters, { after, before }),
      listOrderCodes(session.shop),
      countOrdersByState(session.shop),
      latestBulkJob(session.shop),
    ]);
    // Not counted while a job runs: the page polls then, and offers no second job.
    const jobLive = bulkJob?.status === "queued" || bulkJob?.status === "running";
    const viewActions = jobLive ? [] : await bulkActionsForView(session.shop, filters);
    return json({ ...page, codes, counts, filters, dateErrors: null, bulkJob, viewActions });
  } catch (error) {
    if (error instanceof InvalidCursorError) throw json({ message: error.message }, { status: 400 });
    throw error;
  }
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  if (isBulkViewForm(form)) return startBulkJob(session.shop, form);
  const parsed = parseBulkForm(form);
  if (!parsed.success) {
    return json({ error: parsed.error.issues[0]?.message ?? "Invalid request" } as const, { status: 422 });
  }
  const result = await applyBulkOrderAction(session.shop, parsed.data.intent, parsed.data.orderIds);
  return json({ result } as const);
};

/** "Resubmit all N in this view": a background job over every order the posted filters match. */
async function startBulkJob(shop: string, form: FormData) {
  const parsed = parseBulkViewForm(form);
  const dateErrors = parsed.success ? dateRangeErrors(parsed.data) : null;
  if (!parsed.success || dateErrors) {
    const why = dateErrors?.from ?? dateErrors?.to ?? parsed.error?.issues[0]?.message;
    return json({ error: why ?? "Invalid request" } as const, { status: 422 });
  }
  const { intent, scope: _view, ...filters } = parsed.data;
  try {
    return json({ job: await createBulkJob(shop, intent, filters) } as const);
  } catch (error) {
    if (!(error instanceof BulkJobRefusedError)) throw error;
    const status = error.reason === "already_running" ? 409 : 422;
    return json({ error: error.message } as const, { status });
  }
}

export default function Orders() {
  const { orders, nextCursor, previousCursor, codes, counts, filters, dateErrors, bulkJob, viewActions } =
    useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const fetcher = useFetcher<typeof action>();
  const shopify = useAppBridge();
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } =
    useIndexResourceState(orders);

  const go = useCallback(
    (changes: Record<string, string | undefined>) =>
      navigate(listSearch(searchParams, changes), { replace: true }),
    [navigate, searchParams],
  );

  const [dismissed, setDismissed] = useState<unknown>(null);
  const result = fetcher.data && "result" in fetcher.data ? fetcher.data.result : null;
  const error = fetcher.data && "error" in fetcher.data ? fetcher.data.error : null;
  useEffect(() => {
    if (result) {
      shopify.toast.show(bulkResultMessage(result), { isError: result.changed.length === 0 });
      clearSelection();
    }
    // clearSelection changes identity each render; the result is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result, shopify]);

  const submitBulk = (intent: BulkOrderIntent) =>
    fetcher.submit(bulkForm(intent, selectedResources), { method: "post" });

  // A job over the whole view: its progress while it runs, a toast when it ends, a banner if it needs a look.
  const [dismissedJob, setDismissedJob] = useState<string | null>(null);
  useBulkJobProgress(bulkJob, (job) =>
    shopify.toast.show(bulkJobMessage(job), { isError: job.status === "failed" }),
  );
  const jobLive = bulkJob?.status === "queued" || bulkJob?.status === "running";
  const jobShown =
    bulkJob && bulkJob.id !== dismissedJob && (jobLive || bulkJobNeedsAttention(bulkJob)) ? bulkJob : null;

  return (
    <Page fullWidth>
      <PageTitle title="Orders" />
      <BlockStack gap="400">
        {error && <Banner tone="critical" title={error} />}
        {dateErrors && <DateErrorsBanner dateErrors={dateErrors} />}
        {jobShown && <BulkJobBanner job={jobShown} onDismiss={() => setDismissedJob(jobShown.id)} />}
        {result && result !== dismissed && (
          <BulkResultBanner result={result} onDismiss={() => setDismissed(result)} />
        )}
        <Card padding="0">
          <StateTabs
            counts={counts}
            state={filters.state}
            onSelect={(state) => go({ state, after: undefined, before: undefined })}
          />
          <OrdersFilters
            filters={filters}
            codes={codes}
            dateErrors={dateErrors}
            go={go}
            onClearAll={() => navigate("?", { replace: true })}
          />
          {!jobLive && (
            <ViewBulkActions
              actions={viewActions}
              loading={fetcher.state !== "idle"}
              onStart={(intent) => fetcher.submit(bulkViewForm(intent, filters), { method: "post" })}
            />
          )}
          <OrdersTable
            orders={orders}
            selectedResources={selectedResources}
            allResourcesSelected={allResourcesSelected}
            onSelectionChange={handleSelectionChange}
            loading={navigation.state === "loading" || fetcher.state !== "idle"}
            onBulk={submitBulk}
            pagination={{
              hasNext: Boolean(nextCursor),
              hasPrevious: Boolean(previousCursor),
              onNext: () => nextCursor && navigate(listSearch(searchParams, { after: nextCursor })),
              onPrevious: () =>
                previousCursor && navigate(listSearch(searchParams, { before: previousCursor })),
            }}
          />
        </Card>
        <InlineStack>
          <Text as="p" variant="bodySm" tone="subdued">
            Retry now sends retrying orders without waiting, and looks up those being checked. Resubmit checks
            held or skipped orders again and sends them when nothing holds them any more.
          </Text>
        </InlineStack>
      </BlockStack>
    </Page>
  );
}
export { RouteErrorBoundary as ErrorBoundary } from "../components/route-error";

export const meta: MetaFunction = () => [{ title: "Orders · Brilliant Sync" }];
