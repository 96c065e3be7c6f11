import { Button, InlineError, InlineStack, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import type { OrderLine } from "../../orders/order-detail.server";
import type { LineActions, LineIntent } from "../../orders/line-changes";
import { ConfirmButton } from "../confirm-button";

export type SubmitLineChange = (intent: LineIntent, lineItemId: string, brilliantVariantId?: string) => void;

interface LineChangeActionsProps {
  line: OrderLine;
  actions: LineActions;
  busy: boolean;
  /** The server's refusal of the last change of this line, if any. */
  error: string | null;
  onChange: SubmitLineChange;
}

/** What the merchant can do to one line of a held order: send another variant, leave it out, or undo. */
export function LineChangeActions({ line, actions, busy, error, onChange }: LineChangeActionsProps) {
  const offerSubstitute = actions.substitute && !line.notForBrilliant && line.change?.action !== "omit";
  const offerOmit = actions.omit && !line.notForBrilliant && line.change?.action !== "omit";
  const offerUndo = actions.undo && line.change !== null;
  if (!offerSubstitute && !offerOmit && !offerUndo && !error) return null;
  const name = line.variantTitle ? `${line.title} (${line.variantTitle})` : line.title;
  return (
    <InlineStack gap="300" blockAlign="end">
      {offerSubstitute && <SubstitutePicker line={line} busy={busy} onChange={onChange} />}
      {offerOmit && (
        <ConfirmButton
          label="Send without this line"
          question={`Send the order without ${name}? Brilliant will not ship it.`}
          confirmLabel="Leave it out"
          size="slim"
          loading={busy}
          onConfirm={() => onChange("omitLine", line.lineItemId)}
        />
      )}
      {offerUndo && (
        <Button size="slim" loading={busy} onClick={() => onChange("undoLineChange", line.lineItemId)}>
          Undo change
        </Button>
      )}
      {error && <InlineError message={error} fieldID={`line-${line.lineItemId}`} />}
    </InlineStack>
  );
}

function SubstitutePicker({
  line,
  busy,
  onChange,
}: {
  line: OrderLine;
  busy: boolean;
  onChange: SubmitLineChange;
}) {
  const [chosen, setChosen] = useState(line.substitutes[0]?.brilliantVariantId ?? "");
  if (line.substitutes.length === 0) {
    return (
      <Text as="p" variant="bodySm" tone="subdued">
        No active Brilliant variant of the same product, SKU or title has {line.quantity} in stock.
      </Text>
    );
  }
  const options = line.substitutes.map((variant) => ({
    value: variant.brilliantVariantId,
    label: `${variant.name} · ${variant.stock === null ? "stock not tracked" : `${variant.stock} in stock`} · variant ${variant.brilliantVariantId}`,
  }));
  return (
    <InlineStack gap="200" blockAlign="end">
      <Select
        id={`line-${line.lineItemId}`}
        label="Send as another Brilliant variant"
        options={options}
        value={chosen}
        onChange={setChosen}
      />
      <Button
        size="slim"
        loading={busy}
        disabled={!chosen}
        onClick={() => onChange("substituteLine", line.lineItemId, chosen)}
      >
        Send as this variant
      </Button>
    </InlineStack>
  );
}
