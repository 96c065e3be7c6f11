import { Badge, BlockStack, Box, Button, Collapsible, InlineStack, List, Text } from "@shopify/polaris";
import { useState } from "react";
import type { TimelineAttempt } from "../../orders/order-detail.server";
import { TimelineLine } from "./timeline-line";

/** 1200 is accepted; 1500 and 3xxx are on Brilliant's side and the app handles them; the rest need the merchant. */
function codeTone(code: number): "success" | "attention" | "critical" {
  if (code === 1200) return "success";
  return code >= 3000 || code === 1500 ? "attention" : "critical";
}

/** One call to Brilliant: what was asked, what it answered and why, with the raw bodies on request. */
export function AttemptEntry({ attempt }: { attempt: TimelineAttempt }) {
  const [open, setOpen] = useState(false);
  const what = attempt.kind === "lookup" ? "Looked the order up at Brilliant" : "Sent the order to Brilliant";
  return (
    <BlockStack gap="200">
      <TimelineLine at={attempt.at}>
        <Text as="span" fontWeight="semibold">
          {what} (attempt {attempt.number})
        </Text>
        {attempt.code !== null && <Badge tone={codeTone(attempt.code)}>{`Code ${attempt.code}`}</Badge>}
        <Text as="span" variant="bodySm" tone="subdued">
          {attempt.outcome}
          {attempt.httpStatus !== null ? `, HTTP ${attempt.httpStatus}` : ""}, {attempt.durationMs} ms
        </Text>
      </TimelineLine>
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
      {attempt.invalidRecords && <InvalidRecords records={attempt.invalidRecords} />}
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

function InvalidRecords({ records }: { records: unknown[] }) {
  return (
    <Box
      background="bg-surface-critical"
      borderColor="border-critical"
      borderWidth="025"
      borderRadius="200"
      padding="300"
    >
      <BlockStack gap="100">
        <Text as="p" tone="critical" fontWeight="semibold">
          Brilliant refused {records.length === 1 ? "this record" : "these records"}:
        </Text>
        <List type="bullet">
          {records.map((record, index) => (
            <List.Item key={index}>
              <code>{typeof record === "string" ? record : JSON.stringify(record)}</code>
            </List.Item>
          ))}
        </List>
      </BlockStack>
    </Box>
  );
}

function JsonBlock({ title, body }: { title: string; body: string | null }) {
  return (
    <BlockStack gap="100">
      <Text as="h3" variant="headingSm">
        {title}
      </Text>
      <Box background="bg-surface-secondary" padding="200" borderRadius="200">
        {/* Scrolls sideways itself, and takes focus, so the keyboard can scroll it too. */}
        <pre
          tabIndex={0}
          aria-label={title}
          style={{ margin: 0, fontSize: 12, whiteSpace: "pre", overflowX: "auto" }}
        >
          {body ?? "(none)"}
        </pre>
      </Box>
    </BlockStack>
  );
}
