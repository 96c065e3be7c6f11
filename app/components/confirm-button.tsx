import { Button, InlineStack, Text } from "@shopify/polaris";
import { useState } from "react";

interface ConfirmButtonProps {
  label: string;
  /** Asked in place of the button before anything happens, e.g. "Skip #1003? Brilliant will never get it." */
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  size?: "slim" | "medium";
  variant?: "plain";
  loading?: boolean;
}

/** A destructive action asked once more in place, so a stray click changes nothing. */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  size,
  variant,
  loading,
}: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button tone="critical" size={size} variant={variant} loading={loading} onClick={() => setAsking(true)}>
        {label}
      </Button>
    );
  }
  return (
    <InlineStack gap="200" blockAlign="center">
      <Text as="span">{question}</Text>
      <Button
        tone="critical"
        variant="primary"
        size={size}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </Button>
      <Button size={size} onClick={() => setAsking(false)}>
        Cancel
      </Button>
    </InlineStack>
  );
}
