import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Collapsible,
  Divider,
  FormLayout,
  InlineGrid,
  InlineStack,
  Link,
  List,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { useEffect, useState } from "react";
import { z } from "zod/v4";
import { authenticate } from "../shopify.server";
import { retryNow, resubmitOrders, skipOrders, type ActionSummary } from "../orders/actions.server";
import {
  getOrderDetail,
  updateShippingAddressAndResubmit,
  type TimelineAttempt,
  type TimelineTransition,
} from "../orders/order-detail.server";
import { nextStepForHold, stateLabel, stateTone } from "../orders/next-step";

const NOT_FOUND_MESSAGE = "This order is not in your shop.";

function notFound(): Response {
  return json({ message: NOT_FOUND_MESSAGE }, { status: 404 });
}

const IdSchema = z.string().min(1).max(64);

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = IdSchema.safeParse(params.id);
  if (!id.success) throw notFound();
  const order = await getOrderDetail(session.shop, id.data);
  if (!order) throw notFound();
  return json({ order });
};

const trimmed = (max: number) => z.string().trim().max(max, `Use at most ${max} characters`);

export const AddressSchema = z.object({
  name: trimmed(100).min(1, "Enter the recipient's name"),
  address1: trimmed(200).min(1, "Enter the street address"),
  address2: trimmed(200).optional(),
  city: trimmed(100).min(1, "Enter the city"),
  provinceCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, "Use the 2-letter state or province code, e.g. ON or TX"),
  zip: trimmed(20).min(1, "Enter the postal code"),
  countryCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, "Use the 2-letter country code, e.g. CA or US"),
  phone: trimmed(40).optional(),
});

const ADDRESS_FIELDS = [
  "name",
  "address1",
  "address2",
  "city",
  "provinceCode",
  "zip",
  "countryCode",
  "phone",
] as const;
type AddressField = (typeof ADDRESS_FIELDS)[number];
type AddressValues = Record<AddressField, string>;

const IntentSchema = z.enum(["retry", "resubmit", "skip", "fixAddress"]);
type Intent = z.infer<typeof IntentSchema>;

export interface OrderActionResult {
  intent: Intent;
  changed: boolean;
  message: string;
}

function fromSummary(intent: Intent, summary: ActionSummary): OrderActionResult {
  const done: Record<Intent, string> = {
    retry: "Retrying now",
    resubmit: "Resubmitted: checked again before it goes to Brilliant",
    skip: "Skipped: it will not be sent to Brilliant",
    fixAddress: "Address saved and resubmitted",
  };
  if (summary.changed.length > 0) return { intent, changed: true, message: done[intent] };
  return { intent, changed: false, message: `Not changed: ${summary.unchanged[0]?.why ?? "nothing to do"}` };
}

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = IdSchema.safeParse(params.id);
  if (!id.success) throw notFound();
  const form = await request.formData();
  const intent = IntentSchema.safeParse(form.get("intent"));
  if (!intent.success) {
    return json({ error: "That action is not available." } as const, { status: 422 });
  }

  let summary: ActionSummary;
  switch (intent.data) {
    case "retry":
      summary = await retryNow(session.shop, [id.data]);
      break;
    case "resubmit":
      summary = await resubmitOrders(session.shop, [id.data]);
      break;
    case "skip":
      summary = await skipOrders(session.shop, [id.data]);
      break;
    case "fixAddress": {
      const values = Object.fromEntries(
        ADDRESS_FIELDS.map((field) => [field, (form.get(field) as string | null) ?? undefined]),
      );
      const parsed = AddressSchema.safeParse(values);
      if (!parsed.success) {
        return json(
          {
            error: "Check the highlighted fields.",
            fieldErrors: z.flattenError(parsed.error).fieldErrors as Partial<Record<AddressField, string[]>>,
          } as const,
          { status: 422 },
        );
      }
      const fixed = await updateShippingAddressAndResubmit(session.shop, id.data, parsed.data);
      if (!fixed.ok) {
        if (fixed.why === "no such order in this shop") throw notFound();
        return json({
          result: { intent: intent.data, changed: false, message: `Not changed: ${fixed.why}` },
        });
      }
      summary = fixed.summary;
      break;
    }
  }
  if (summary.unchanged.some((entry) => entry.why === "no such order in this shop")) throw notFound();
  return json({ result: fromSummary(intent.data, summary) });
};

const RETRY_STATES = ["retrying", "unknown", "waiting"];
const RESUBMIT_STATES = ["held", "skipped"];

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString("en-US", {
    dateStyle: "medium",
    timeStyle: "medium",
    timeZone: "UTC",
  });
}

export default function OrderDetailPage() {
  const { order } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const shopify = useAppBridge();

  const result = fetcher.data && "result" in fetcher.data ? fetcher.data.result : null;
  const error = fetcher.data && "error" in fetcher.data ? fetcher.data.error : null;
  const fieldErrors = fetcher.data && "fieldErrors" in fetcher.data ? (fetcher.data.fieldErrors ?? {}) : {};
  useEffect(() => {
    if (result) shopify.toast.show(result.message, { isError: !result.changed });
  }, [result, shopify]);

  const busy = fetcher.state !== "idle";
  const submitIntent = (intent: Intent) => fetcher.submit({ intent }, { method: "post" });

  const address = order.shippingAddress;
  const [values, setValues] = useState<AddressValues>(() => ({
    name: address?.name ?? [address?.first_name, address?.last_name].filter(Boolean).join(" "),
    address1: address?.address1 ?? "",
    address2: address?.address2 ?? "",
    city: address?.city ?? "",
    provinceCode: address?.province_code ?? "",
    zip: address?.zip ?? "",
    countryCode: address?.country_code ?? "",
    phone: address?.phone ?? "",
  }));
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

  const nextStep = order.state === "held" ? nextStepForHold(order.holdKind, order.id) : null;
  const canFixAddress = order.state === "held" && order.holdKind === "address";
  const newestFirst = [...order.timeline].reverse();

  return (
    <Page>
      <TitleBar title={order.name} />
      <BlockStack gap="400">
        {error && <Banner tone="critical" title={error} />}
        {result && <Banner tone={result.changed ? "success" : "warning"} title={result.message} />}

        <Card>
          <BlockStack gap="300">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h2" variant="headingMd">
                Where it is
              </Text>
              <span data-order-state={order.state}>
                <Badge tone={stateTone(order.state)}>{stateLabel(order.state)}</Badge>
              </span>
            </InlineStack>
            <Text as="p" variant="bodySm" tone="subdued">
              Received {formatTime(order.createdAt)} UTC ·{" "}
              <Link url="/app/orders" removeUnderline>
                All orders
              </Link>
            </Text>
            {order.stateReason && <Text as="p">{order.stateReason}</Text>}
            {nextStep && !canFixAddress && (
              <Text as="p">
                Next step: <Link url={nextStep.url}>{nextStep.label}</Link>
              </Text>
            )}
            {canFixAddress && <Text as="p">Next step: fix the shipping address below, then resubmit.</Text>}
            {order.lastCodeExplanation &&
              (order.timeline.some((entry) => entry.type === "attempt") ? (
                <Text as="p" tone="subdued">
                  Last answer from Brilliant: {order.lastCodeExplanation.code},{" "}
                  {order.lastCodeExplanation.title}. {order.lastCodeExplanation.detail}
                </Text>
              ) : (
                // Held by the checks before sending: the code is the one Brilliant would give.
                <Text as="p" tone="subdued">
                  Checked before sending, so nothing went to Brilliant; it would have answered{" "}
                  {order.lastCodeExplanation.code}, {order.lastCodeExplanation.title}.
                </Text>
              ))}
            <InlineStack gap="200">
              {RETRY_STATES.includes(order.state) && (
                <Button variant="primary" loading={busy} onClick={() => submitIntent("retry")}>
                  Retry now
                </Button>
              )}
              {RESUBMIT_STATES.includes(order.state) && (
                <Button
                  variant={canFixAddress ? undefined : "primary"}
                  loading={busy}
                  onClick={() => submitIntent("resubmit")}
                >
                  Resubmit
                </Button>
              )}
              {order.state === "held" && (
                <Button tone="critical" loading={busy} onClick={() => submitIntent("skip")}>
                  Skip
                </Button>
              )}
              <Button url={`shopify:admin/orders/${order.shopifyOrderId}`} target="_top">
                Open in Shopify
              </Button>
            </InlineStack>
          </BlockStack>
        </Card>

        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              At Brilliant
            </Text>
            <InlineGrid columns={{ xs: 1, sm: 3 }} gap="200">
              <Fact label="Brilliant order" value={order.brilliantOrderId} />
              <Fact label="Status" value={order.brilliantStatus} />
              <Fact label="Shipping status" value={order.brilliantShipStatus} />
            </InlineGrid>
            {order.shopifyFulfillment && (
              <Text as="p" variant="bodySm" tone="subdued">
                {order.shopifyFulfillment}
              </Text>
            )}
            {order.deliveries > 1 && (
              <Text as="p" variant="bodySm" tone="subdued">
                Shopify delivered this order {order.deliveries} times; it was recorded once.
              </Text>
            )}
          </BlockStack>
        </Card>

        {canFixAddress ? (
          <Card>
            <fetcher.Form method="post">
              <input type="hidden" name="intent" value="fixAddress" />
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Fix the shipping address and resubmit
                </Text>
                <Text as="p" tone="subdued">
                  Brilliant needs 2-letter state or province and country codes. Saving changes the address the
                  app sends to Brilliant; the order in Shopify is not changed.
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
            </fetcher.Form>
          </Card>
        ) : (
          address && (
            <Card>
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Shipping address
                </Text>
                <Text as="p">
                  {[
                    address.name,
                    address.address1,
                    address.address2,
                    [address.city, address.province_code ?? address.province, address.zip]
                      .filter(Boolean)
                      .join(" "),
                    address.country_code ?? address.country,
                  ]
                    .filter(Boolean)
                    .join(", ")}
                </Text>
              </BlockStack>
            </Card>
          )
        )}

        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              History (newest first)
            </Text>
            {newestFirst.length === 0 && (
              <Text as="p" tone="subdued">
                Nothing has happened to this order yet.
              </Text>
            )}
            {newestFirst.map((entry, index) => (
              <BlockStack key={entry.id} gap="300">
                {index > 0 && <Divider />}
                {entry.type === "attempt" ? (
                  <AttemptEntry attempt={entry} />
                ) : (
                  <TransitionEntry transition={entry} />
                )}
              </BlockStack>
            ))}
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}

function Fact({ label, value }: { label: string; value: string | null }) {
  return (
    <BlockStack gap="050">
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="span">{value ?? "—"}</Text>
    </BlockStack>
  );
}

function TransitionEntry({ transition }: { transition: TimelineTransition }) {
  return (
    <BlockStack gap="100">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span" variant="bodySm" tone="subdued">
          {formatTime(transition.at)}
        </Text>
        <Text as="span">{transition.fromState ? `${stateLabel(transition.fromState)} → ` : ""}</Text>
        <Badge tone={stateTone(transition.toState)}>{stateLabel(transition.toState)}</Badge>
        <Text as="span" variant="bodySm" tone="subdued">
          by {transition.actor}
        </Text>
      </InlineStack>
      {transition.reason && <Text as="p">{transition.reason}</Text>}
    </BlockStack>
  );
}

function AttemptEntry({ attempt }: { attempt: TimelineAttempt }) {
  const [open, setOpen] = useState(false);
  const what = attempt.kind === "lookup" ? "Looked the order up at Brilliant" : "Sent the order to Brilliant";
  return (
    <BlockStack gap="200">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span" variant="bodySm" tone="subdued">
          {formatTime(attempt.at)}
        </Text>
        <Text as="span" fontWeight="semibold">
          {what} (attempt {attempt.number})
        </Text>
        {attempt.code !== null && (
          <Badge
            tone={
              attempt.code === 1200
                ? "success"
                : attempt.code >= 3000 || attempt.code === 1500
                  ? "attention"
                  : "critical"
            }
          >
            {`Code ${attempt.code}`}
          </Badge>
        )}
        <Text as="span" variant="bodySm" tone="subdued">
          {attempt.outcome}
          {attempt.httpStatus !== null ? `, HTTP ${attempt.httpStatus}` : ""}, {attempt.durationMs} ms
        </Text>
      </InlineStack>
      {attempt.explanation && (
        <Text as="p">
          <Text as="span" fontWeight="semibold">
            {attempt.explanation.title}.
          </Text>{" "}
          {attempt.explanation.detail}
        </Text>
      )}
      {attempt.message && (
        <Text as="p" tone="subdued">
          Brilliant said: “{attempt.message}”
        </Text>
      )}
      {attempt.invalidRecords && (
        <Box
          background="bg-surface-critical"
          borderColor="border-critical"
          borderWidth="025"
          borderRadius="200"
          padding="300"
        >
          <BlockStack gap="100">
            <Text as="p" tone="critical" fontWeight="semibold">
              Brilliant refused {attempt.invalidRecords.length === 1 ? "this record" : "these records"}:
            </Text>
            <List type="bullet">
              {attempt.invalidRecords.map((record, index) => (
                <List.Item key={index}>
                  <code>{typeof record === "string" ? record : JSON.stringify(record)}</code>
                </List.Item>
              ))}
            </List>
          </BlockStack>
        </Box>
      )}
      {(attempt.requestBody || attempt.responseBody) && (
        <BlockStack gap="200">
          <InlineStack>
            <Button variant="plain" disclosure={open ? "up" : "down"} onClick={() => setOpen(!open)}>
              {open ? "Hide request and response" : "Show request and response"}
            </Button>
          </InlineStack>
          <Collapsible id={`attempt-${attempt.id}`} open={open}>
            <BlockStack gap="200">
              <JsonBlock title="Request" body={attempt.requestBody} />
              <JsonBlock title="Response" body={attempt.responseBody} />
            </BlockStack>
          </Collapsible>
        </BlockStack>
      )}
    </BlockStack>
  );
}

function JsonBlock({ title, body }: { title: string; body: string | null }) {
  return (
    <BlockStack gap="100">
      <Text as="h3" variant="headingSm">
        {title}
      </Text>
      <Box background="bg-surface-secondary" padding="200" borderRadius="200" overflowX="scroll">
        <pre style={{ margin: 0, fontSize: 12, whiteSpace: "pre" }}>{body ?? "(none)"}</pre>
      </Box>
    </BlockStack>
  );
}
