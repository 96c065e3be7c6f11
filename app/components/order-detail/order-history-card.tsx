import { Badge, BlockStack, Divider, Text } from "@shopify/polaris";
import type { TimelineEntry, TimelineTransition } from "../../orders/order-detail.server";
import { stateLabel, stateTone } from "../../orders/next-step";
import { AttemptEntry } from "./attempt-entry";
import { OrderSection } from "./order-section";
import { TimelineLine } from "./timeline-line";
import { actorWords, reasonWords } from "../../orders/history-words";

/** Everything that happened to the order, newest first: state changes and calls to Brilliant. */
export function OrderHistoryCard({ timeline }: { timeline: TimelineEntry[] }) {
  const newestFirst = [...timeline].reverse();
  return (
    <OrderSection title="History (newest first)" gap="300">
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
    </OrderSection>
  );
}

function TransitionEntry({ transition }: { transition: TimelineTransition }) {
  return (
    <BlockStack gap="100">
      <TimelineLine at={transition.at}>
        <Text as="span">{transition.fromState ? `${stateLabel(transition.fromState)} → ` : ""}</Text>
        <Badge tone={stateTone(transition.toState)}>{stateLabel(transition.toState)}</Badge>
        <Text as="span" variant="bodySm" tone="subdued">
          {actorWords(transition.actor)}
        </Text>
      </TimelineLine>
      {transition.reason && <Text as="p">{reasonWords(transition.reason)}</Text>}
    </BlockStack>
  );
}
