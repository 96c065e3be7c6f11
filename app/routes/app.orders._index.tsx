import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  ChoiceList,
  Filters,
  IndexTable,
  InlineStack,
  Link,
  List,
  Page,
  Text,
  TextField,
  useIndexResourceState,
} from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { useCallback, useEffect, useState } from "react";
import { z } from "zod/v4";
import { authenticate } from "../shopify.server";
import {
  InvalidCursorError,
  applyBulkOrderAction,
  listOrderCodes,
  listOrders,
  type BulkOrderResult,
  type OrderListRow,
} from "../orders/order-list.server";
import { ORDER_STATE_CHOICES, orderPath, stateLabel, stateTone } from "../orders/next-step";
import { DayRangeSchema } from "../models/calendar-day";

const ListQuerySchema = z.object({
  state: z.enum(ORDER_STATE_CHOICES).optional(),
  code: z.coerce.number().int().min(0).max(99_999).optional(),
  // Checked as days below (DayRangeSchema), so that a bad date is shown on its field.
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  query: z.string().trim().max(100).optional(),
  after: z.string().max(200).optional(),
  before: z.string().max(200).optional(),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const params = Object.fromEntries(
    [...new URL(request.url).searchParams].filter(([, value]) => value !== ""),
  );
  const parsed = ListQuerySchema.safeParse(params);
  if (!parsed.success) {
    throw json({ message: "Those filters are not valid." }, { status: 400 });
  }
  const { after, before, ...filters } = parsed.data;
  const range = DayRangeSchema.safeParse({ from: filters.from, to: filters.to });
  if (!range.success) {
    // Not a day (2026-13-01, 2026-02-30, 9999-12-31): 400, with the page and the reason on the field.
    const dateErrors: { from?: string; to?: string } = {};
    for (const issue of range.error.issues) {
      const field = issue.path[0] === "to" ? "to" : "from";
      dateErrors[field] ??= issue.message;
    }
    return json(
      {
        orders: [] as OrderListRow[],
        nextCursor: null,
        previousCursor: null,
        codes: await listOrderCodes(session.shop),
        filters,
        dateErrors,
      },
      { status: 400 },
    );
  }
  try {
    const [page, codes] = await Promise.all([
      listOrders(session.shop, filters, { after, before }),
      listOrderCodes(session.shop),
    ]);
    return json({ ...page, codes, filters, dateErrors: null });
  } catch (error) {
    if (error instanceof InvalidCursorError) throw json({ message: error.message }, { status: 400 });
    throw error;
  }
};

const BulkActionSchema = z.object({
  intent: z.enum(["retry", "resubmit"]),
  orderIds: z.array(z.string().min(1).max(64)).min(1, "Select at least one order").max(250),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const parsed = BulkActionSchema.safeParse({
    intent: form.get("intent"),
    orderIds: form.getAll("orderIds"),
  });
  if (!parsed.success) {
    return json({ error: parsed.error.issues[0]?.message ?? "Invalid request" } as const, { status: 422 });
  }
  const result = await applyBulkOrderAction(session.shop, parsed.data.intent, parsed.data.orderIds);
  return json({ result } as const);
};

const STATE_CHOICES = ORDER_STATE_CHOICES.map((state) => ({ label: stateLabel(state), value: state }));

function bulkResultMessage(result: BulkOrderResult): string {
  const verb = result.intent === "retry" ? "retried now" : "resubmitted";
  const changed = `${result.changed.length} ${result.changed.length === 1 ? "order" : "orders"} ${verb}`;
  return result.unchanged.length === 0 ? changed : `${changed}; ${result.unchanged.length} unchanged`;
}

export default function Orders() {
  const { orders, nextCursor, previousCursor, codes, filters, dateErrors } = useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const fetcher = useFetcher<typeof action>();
  const shopify = useAppBridge();
  const [query, setQuery] = useState(filters.query ?? "");

  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } =
    useIndexResourceState(orders);

  const go = useCallback(
    (changes: Record<string, string | undefined>) => {
      const next = new URLSearchParams(searchParams);
      // Any new filter starts again from the newest orders.
      next.delete("after");
      next.delete("before");
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined || value === "") next.delete(key);
        else next.set(key, value);
      }
      navigate(`?${next.toString()}`, { replace: true });
    },
    [navigate, searchParams],
  );

  // Search as the merchant types, once they pause.
  useEffect(() => {
    if ((filters.query ?? "") === query) return;
    const timer = setTimeout(() => go({ query }), 400);
    return () => clearTimeout(timer);
  }, [query, filters.query, go]);

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

  const submitBulk = (intent: "retry" | "resubmit") => {
    const form = new FormData();
    form.set("intent", intent);
    for (const id of selectedResources) form.append("orderIds", id);
    fetcher.submit(form, { method: "post" });
  };

  const appliedFilters = [
    filters.state && {
      key: "state",
      label: `State: ${stateLabel(filters.state)}`,
      onRemove: () => go({ state: undefined }),
    },
    filters.code !== undefined && {
      key: "code",
      label: `Brilliant code: ${filters.code}`,
      onRemove: () => go({ code: undefined }),
    },
    (filters.from || filters.to) && {
      key: "received",
      label: `Received ${filters.from ? `from ${filters.from}` : ""}${filters.to ? ` to ${filters.to}` : ""}`,
      onRemove: () => go({ from: undefined, to: undefined }),
    },
  ].filter((filter): filter is { key: string; label: string; onRemove: () => void } => Boolean(filter));

  const filterControls = [
    {
      key: "state",
      label: "State",
      shortcut: true,
      filter: (
        <ChoiceList
          title="State"
          titleHidden
          choices={STATE_CHOICES}
          selected={filters.state ? [filters.state] : []}
          onChange={([value]) => go({ state: value })}
        />
      ),
    },
    {
      key: "code",
      label: "Brilliant code",
      shortcut: true,
      filter:
        codes.length === 0 ? (
          <Text as="p" tone="subdued">
            No answers from Brilliant yet.
          </Text>
        ) : (
          <ChoiceList
            title="Brilliant code"
            titleHidden
            choices={codes.map((code) => ({ label: String(code), value: String(code) }))}
            selected={filters.code !== undefined ? [String(filters.code)] : []}
            onChange={([value]) => go({ code: value })}
          />
        ),
    },
    {
      key: "received",
      label: "Received",
      shortcut: true,
      filter: (
        <BlockStack gap="200">
          <TextField
            label="From"
            type="date"
            autoComplete="off"
            value={filters.from ?? ""}
            error={dateErrors?.from}
            onChange={(value) => go({ from: value })}
          />
          <TextField
            label="To"
            type="date"
            autoComplete="off"
            value={filters.to ?? ""}
            error={dateErrors?.to}
            onChange={(value) => go({ to: value })}
          />
        </BlockStack>
      ),
    },
  ];

  const rows = orders.map((order, index) => (
    <IndexTable.Row
      id={order.id}
      key={order.id}
      position={index}
      selected={selectedResources.includes(order.id)}
    >
      <IndexTable.Cell>
        <Link url={orderPath(order.id)} removeUnderline dataPrimaryLink>
          <Text as="span" fontWeight="semibold">
            {order.name}
          </Text>
        </Link>
      </IndexTable.Cell>
      <IndexTable.Cell>
        {new Date(order.createdAt).toLocaleString("en-US", {
          dateStyle: "medium",
          timeStyle: "short",
          timeZone: "UTC",
        })}
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Badge tone={stateTone(order.state)}>{stateLabel(order.state)}</Badge>
      </IndexTable.Cell>
      <IndexTable.Cell>{order.code ?? "—"}</IndexTable.Cell>
      <IndexTable.Cell>
        <div style={{ whiteSpace: "normal", maxWidth: 420 }}>
          <BlockStack gap="100">
            <Text as="span" variant="bodySm">
              {order.reason ?? ""}
            </Text>
            {order.nextStep && (
              <Text as="span" variant="bodySm">
                <Link url={order.nextStep.url}>{order.nextStep.label}</Link>
              </Text>
            )}
          </BlockStack>
        </div>
      </IndexTable.Cell>
      <IndexTable.Cell>{order.brilliantOrderId ?? "—"}</IndexTable.Cell>
    </IndexTable.Row>
  ));

  const pageParams = (cursor: { after?: string; before?: string }) => {
    const next = new URLSearchParams(searchParams);
    next.delete("after");
    next.delete("before");
    if (cursor.after) next.set("after", cursor.after);
    if (cursor.before) next.set("before", cursor.before);
    return `?${next.toString()}`;
  };

  return (
    <Page fullWidth>
      <TitleBar title="Orders" />
      <BlockStack gap="400">
        {error && <Banner tone="critical" title={error} />}
        {dateErrors && (
          <Banner
            tone="critical"
            title="Fix the Received filter: no orders are listed until its dates can be used."
          >
            <List type="bullet">
              {dateErrors.from && <List.Item>From: {dateErrors.from}</List.Item>}
              {dateErrors.to && <List.Item>To: {dateErrors.to}</List.Item>}
            </List>
          </Banner>
        )}
        {result && result !== dismissed && (
          <Banner
            tone={
              result.unchanged.length === 0 ? "success" : result.changed.length === 0 ? "warning" : "info"
            }
            title={bulkResultMessage(result)}
            onDismiss={() => setDismissed(result)}
          >
            {result.changed.length > 0 && (
              <p>
                {result.intent === "retry" ? "Sent again now" : "Checked again and sent"}:{" "}
                {result.changed.map((order) => order.name).join(", ")}
              </p>
            )}
            {result.unchanged.length > 0 && (
              <List type="bullet">
                {result.unchanged.map((entry) => (
                  <List.Item key={entry.id}>
                    {entry.name ?? "An unknown order"}: not changed, {entry.why}
                  </List.Item>
                ))}
              </List>
            )}
          </Banner>
        )}
        <Card padding="0">
          <div style={{ padding: "var(--p-space-200)" }}>
            <Filters
              queryValue={query}
              queryPlaceholder="Search by order name, e.g. #1002"
              filters={filterControls}
              appliedFilters={appliedFilters}
              onQueryChange={setQuery}
              onQueryClear={() => {
                setQuery("");
                go({ query: undefined });
              }}
              onClearAll={() => {
                setQuery("");
                navigate("?", { replace: true });
              }}
            />
          </div>
          <IndexTable
            resourceName={{ singular: "order", plural: "orders" }}
            itemCount={orders.length}
            selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
            onSelectionChange={handleSelectionChange}
            loading={navigation.state === "loading" || fetcher.state !== "idle"}
            promotedBulkActions={[
              { content: "Retry now", onAction: () => submitBulk("retry") },
              { content: "Resubmit", onAction: () => submitBulk("resubmit") },
            ]}
            headings={[
              { title: "Order" },
              { title: "Received (UTC)" },
              { title: "State" },
              { title: "Code" },
              { title: "Why, and what next" },
              { title: "Brilliant order" },
            ]}
            emptyState={
              <BlockStack gap="200" inlineAlign="center">
                <Text as="p" variant="headingMd">
                  No orders match
                </Text>
                <Text as="p" tone="subdued">
                  Paid orders appear here as soon as Shopify sends them.
                </Text>
              </BlockStack>
            }
            pagination={{
              hasNext: Boolean(nextCursor),
              hasPrevious: Boolean(previousCursor),
              onNext: () => nextCursor && navigate(pageParams({ after: nextCursor })),
              onPrevious: () => previousCursor && navigate(pageParams({ before: previousCursor })),
            }}
          >
            {rows}
          </IndexTable>
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
