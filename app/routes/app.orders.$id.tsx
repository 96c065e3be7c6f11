import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Page } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { useEffect } from "react";
import { authenticate } from "../shopify.server";
import { retryNow, resubmitOrders, skipOrders, type ActionSummary } from "../orders/actions.server";
import { getOrderDetail, updateShippingAddressAndResubmit } from "../orders/order-detail.server";
import {
  OrderIdSchema,
  OrderIntentSchema,
  isLineIntent,
  lineChangeResult,
  notChanged,
  orderActionResult,
  parseAddressForm,
  type OrderIntent,
} from "../orders/order-page-form";
import { parseLineChangeForm, type LineIntent } from "../orders/line-changes";
import { changeOrderLine } from "../orders/line-changes.server";
import { LineItemsCard } from "../components/order-detail/line-items-card";
import { AddressFixCard } from "../components/order-detail/address-fix-card";
import { BrilliantCard } from "../components/order-detail/brilliant-card";
import { OrderHistoryCard } from "../components/order-detail/order-history-card";
import { OrderStatusCard } from "../components/order-detail/order-status-card";
import { ShippingAddressCard } from "../components/order-detail/shipping-address-card";
import { PageTitle } from "../components/page-title";

const NO_SUCH_ORDER = "no such order in this shop";

function notFound(): Response {
  return json({ message: "This order is not in your shop." }, { status: 404 });
}

// The intents that act on the order as it stands; fixAddress rewrites the address first.
const APPLY = { retry: retryNow, resubmit: resubmitOrders, skip: skipOrders };

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = OrderIdSchema.safeParse(params.id);
  if (!id.success) throw notFound();
  const order = await getOrderDetail(session.shop, id.data);
  if (!order) throw notFound();
  return json({ order });
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = OrderIdSchema.safeParse(params.id);
  if (!id.success) throw notFound();
  const form = await request.formData();
  const intent = OrderIntentSchema.safeParse(form.get("intent"));
  if (!intent.success) {
    return json({ error: "That action is not available." } as const, { status: 422 });
  }

  if (isLineIntent(intent.data)) {
    const input = parseLineChangeForm(form);
    const outcome = input.success
      ? await changeOrderLine(session.shop, id.data, input.data)
      : { ok: false as const, why: input.message, field: input.field };
    if (!outcome.ok && outcome.why === NO_SUCH_ORDER) throw notFound();
    if (!outcome.ok && outcome.field) {
      const lineError = { lineItemId: String(form.get("lineItemId") ?? ""), message: outcome.why };
      return json({ error: outcome.why, lineError } as const, { status: 422 });
    }
    return json({
      result: outcome.ok
        ? lineChangeResult(intent.data, outcome.resubmitted)
        : notChanged(intent.data, outcome.why),
    });
  }

  let summary: ActionSummary;
  if (intent.data === "fixAddress") {
    const address = parseAddressForm(form);
    if (!address.success) {
      return json({ error: "Check the highlighted fields.", fieldErrors: address.fieldErrors } as const, {
        status: 422,
      });
    }
    const fixed = await updateShippingAddressAndResubmit(session.shop, id.data, address.data);
    if (!fixed.ok) {
      if (fixed.why === NO_SUCH_ORDER) throw notFound();
      return json({ result: notChanged(intent.data, fixed.why) });
    }
    summary = fixed.summary;
  } else {
    summary = await APPLY[intent.data](session.shop, [id.data]);
  }
  if (summary.unchanged.some((entry) => entry.why === NO_SUCH_ORDER)) throw notFound();
  return json({ result: orderActionResult(intent.data, summary) });
};

export default function OrderDetailPage() {
  const { order } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const shopify = useAppBridge();

  const result = fetcher.data && "result" in fetcher.data ? fetcher.data.result : null;
  const error = fetcher.data && "error" in fetcher.data ? fetcher.data.error : null;
  const fieldErrors = fetcher.data && "fieldErrors" in fetcher.data ? (fetcher.data.fieldErrors ?? {}) : {};
  const lineError = fetcher.data && "lineError" in fetcher.data ? fetcher.data.lineError : null;
  useEffect(() => {
    if (result) shopify.toast.show(result.message, { isError: !result.changed });
  }, [result, shopify]);

  const busy = fetcher.state !== "idle";
  const submitIntent = (intent: OrderIntent) => fetcher.submit({ intent }, { method: "post" });
  const submitLineChange = (intent: LineIntent, lineItemId: string, brilliantVariantId?: string) =>
    fetcher.submit(
      { intent, lineItemId, ...(brilliantVariantId ? { brilliantVariantId } : {}) },
      { method: "post" },
    );
  const canFixAddress = order.state === "held" && order.holdKind === "address";
  const address = order.shippingAddress;

  return (
    <Page>
      <PageTitle title={order.name} heading={`Order ${order.name}`} />
      <BlockStack gap="400">
        {error && <Banner tone="critical" title={error} />}
        {result && <Banner tone={result.changed ? "success" : "warning"} title={result.message} />}
        <OrderStatusCard order={order} canFixAddress={canFixAddress} busy={busy} onIntent={submitIntent} />
        <LineItemsCard
          lines={order.lineItems}
          actions={order.lineActions}
          busy={busy}
          lineError={lineError}
          onChange={submitLineChange}
        />
        <BrilliantCard order={order} />
        {canFixAddress ? (
          <AddressFixCard address={address} Form={fetcher.Form} fieldErrors={fieldErrors} busy={busy} />
        ) : (
          address && <ShippingAddressCard address={address} />
        )}
        <OrderHistoryCard timeline={order.timeline} />
      </BlockStack>
    </Page>
  );
}
export { RouteErrorBoundary as ErrorBoundary } from "../components/route-error";

/** The tab's title: the order's name once it is loaded. */
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.order.name ?? "Order"} · Brilliant Sync` },
];
