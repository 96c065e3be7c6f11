import { BlockStack, ChoiceList, Filters, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { OrderListFilters } from "../../orders/order-list.server";
import type { DateErrors } from "../../orders/orders-list-params";
import { ORDER_STATE_CHOICES, stateLabel } from "../../orders/next-step";
import { explainCode } from "../../orders/code-explanations";

const STATE_CHOICES = ORDER_STATE_CHOICES.map((state) => ({ label: stateLabel(state), value: state }));

const DATE_FIELDS = [
  { key: "from", label: "From" },
  { key: "to", label: "To" },
] as const;

export interface OrdersFiltersProps {
  filters: OrderListFilters;
  codes: number[];
  dateErrors: DateErrors | null;
  /** Changes the URL's filters; undefined or "" removes one. */
  go: (changes: Record<string, string | undefined>) => void;
  onClearAll: () => void;
}

/** A code as the merchant reads it: its number and what it means. */
function codeLabel(code: number): string {
  const { title } = explainCode(code);
  return title === `Code ${code}` ? String(code) : `${code} · ${title}`;
}

/** Search by order name, and filter by state, Brilliant code and the day received. */
export function OrdersFilters({ filters, codes, dateErrors, go, onClearAll }: OrdersFiltersProps) {
  const [query, setQuery] = useState(filters.query ?? "");

  // Search as the merchant types, once they pause.
  useEffect(() => {
    if ((filters.query ?? "") === query) return;
    const timer = setTimeout(() => go({ query }), 400);
    return () => clearTimeout(timer);
  }, [query, filters.query, go]);

  const appliedFilters = [
    filters.state && {
      key: "state",
      label: `State: ${stateLabel(filters.state)}`,
      onRemove: () => go({ state: undefined }),
    },
    filters.code !== undefined && {
      key: "code",
      label: `Brilliant code: ${codeLabel(filters.code)}`,
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
            choices={codes.map((code) => ({ label: codeLabel(code), value: String(code) }))}
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
          {DATE_FIELDS.map(({ key, label }) => (
            <TextField
              key={key}
              label={label}
              type="date"
              autoComplete="off"
              value={filters[key] ?? ""}
              error={dateErrors?.[key]}
              onChange={(value) => go({ [key]: value })}
            />
          ))}
        </BlockStack>
      ),
    },
  ];

  return (
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
          onClearAll();
        }}
      />
    </div>
  );
}
