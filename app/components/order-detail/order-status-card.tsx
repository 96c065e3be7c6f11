import { Badge, BlockStack, Button, Card, InlineStack, Link, Text } from "@shopify/polaris";
import type { CodeExplanation } from "../../orders/code-explanations";
import type { OrderDetail } from "../../orders/order-detail.server";
import type { OrderIntent } from "../../orders/order-page-form";
import { nextStepForHold, stateLabel, stateTone } from "../../orders/next-step";
import { paymentTermsInHistory } from "../../orders/payment-terms";
import { useShopTime } from "../shop-time";
import { ConfirmButton } from "../confirm-button";

const RETRY_STATES = ["retrying", "unknown", "waiting"];
const RESUBMIT_STATES = ["held", "skipped"];

export interface OrderStatusCardProps {
  order: OrderDetail;
  canFixAddress: boolean;
  busy: boolean;
  onIntent: (intent: OrderIntent) => void;
}

/** "Where it is": the order's state, why, what to do next and the buttons that do it. */
export function OrderStatusCard({ order, canFixAddress, busy, onIntent }: OrderStatusCardProps) {
  const formatTime = useShopTime();
  const nextStep =
    order.state === "held" ? nextStepForHold(order.holdKind, order.id, order.mappingPicker) : null;
  const paymentTerms = paymentTermsInHistory(order.timeline);
  // Never sent: a code is only what the checks foresee, and only while they hold it.
  const sent = order.timeline.some((entry) => entry.type === "attempt");
  return (
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
          Received {formatTime(order.createdAt)} · <Link url="/app/orders">All orders</Link>
        </Text>
        {paymentTerms && (
          <Text as="p" fontWeight="semibold">
            Payment terms: {paymentTerms}. Recorded when placed, before payment.
          </Text>
        )}
        {order.stateReason && <Text as="p">{order.stateReason}</Text>}
        {nextStep && !canFixAddress && (
          <Text as="p">
            Next step: <Link url={nextStep.url}>{nextStep.label}</Link>
          </Text>
        )}
        {canFixAddress && <Text as="p">Next step: fix the shipping address below, then resubmit.</Text>}
        {order.resubmitWould && order.resubmitWould.kind !== "send" && !canFixAddress && (
          <Text as="p" tone="subdued">
            Resubmitting now would {order.resubmitWould.kind === "held" ? "hold it again" : "skip it again"}:{" "}
            {order.resubmitWould.reason}
          </Text>
        )}
        {order.lastCodeExplanation && (sent || order.state === "held") && (
          <LastAnswer explanation={order.lastCodeExplanation} sent={sent} />
        )}
        <InlineStack gap="200">
          {RETRY_STATES.includes(order.state) && (
            <Button variant="primary" loading={busy} onClick={() => onIntent("retry")}>
              Retry now
            </Button>
          )}
          {RESUBMIT_STATES.includes(order.state) && (
            <Button
              // Primary only when it would go: one that would be held again is no next step.
              variant={canFixAddress || order.resubmitWould?.kind !== "send" ? undefined : "primary"}
              loading={busy}
              onClick={() => onIntent("resubmit")}
            >
              Resubmit
            </Button>
          )}
          {order.state === "held" && (
            <ConfirmButton
              label="Skip"
              question={`Skip ${order.name}? Brilliant will never get it.`}
              confirmLabel="Skip order"
              loading={busy}
              onConfirm={() => onIntent("skip")}
            />
          )}
          <Button url={`shopify:admin/orders/${order.shopifyOrderId}`} target="_top">
            Open in Shopify
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function LastAnswer({ explanation, sent }: { explanation: CodeExplanation; sent: boolean }) {
  if (sent) {
    return (
      <Text as="p" tone="subdued">
        Last answer from Brilliant: {explanation.code}, {explanation.title}. {explanation.detail}
      </Text>
    );
  }
  // Held by the checks before sending: the code is the one Brilliant would give.
  return (
    <Text as="p" tone="subdued">
      Checked before sending, so nothing went to Brilliant; it would have answered {explanation.code},{" "}
      {explanation.title}.
    </Text>
  );
}
