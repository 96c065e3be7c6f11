import { BlockStack, InlineStack, Text } from "@shopify/polaris";

/**
 * Brilliant's answers per day, stacked by code, as a plain SVG: no chart
 * library. Screen readers get the same numbers as a table; each bar segment
 * carries a <title> for pointer users.
 */
export interface OutcomesChartProps {
  days: { day: string; codes: Record<string, number>; total: number }[];
  codes: string[];
}

const CODE_LABELS: Record<string, string> = {
  "1200": "Accepted",
  "1404": "Not found",
  "1500": "Unexpected error",
  "2501": "Address refused",
  "2502": "Unknown variant",
  "2503": "Not enough stock",
  "2504": "Same variant twice",
  "2505": "No items",
  "2506": "Inactive variant",
  "3501": "Not inserted, retried",
  "3502": "Unexpected issue",
  "3503": "Unexpected issue",
  none: "No answer",
};

export function codeLabel(code: string): string {
  const label = CODE_LABELS[code] ?? "Other answer";
  return code === "none" ? label : `${code} ${label}`;
}

function codeColor(code: string): string {
  if (code === "1200") return "var(--p-color-bg-fill-success)";
  if (code === "none") return "var(--p-color-bg-fill-tertiary-active, #8a8a8a)";
  if (code.startsWith("25")) return "var(--p-color-bg-fill-critical)";
  if (code === "3501") return "var(--p-color-bg-fill-warning)";
  if (code === "1404") return "var(--p-color-bg-fill-info)";
  return "var(--p-color-bg-fill-caution)";
}

const WIDTH = 720;
const HEIGHT = 180;
const AXIS = 24;

export function OutcomesChart({ days, codes }: OutcomesChartProps) {
  const max = Math.max(1, ...days.map((day) => day.total));
  const slot = WIDTH / Math.max(1, days.length);
  const barWidth = Math.max(4, slot * 0.7);
  const total = days.reduce((sum, day) => sum + day.total, 0);
  return (
    <BlockStack gap="300">
      {total === 0 ? (
        <Text as="p" tone="subdued">
          No order was sent to Brilliant in these {days.length} days.
        </Text>
      ) : (
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT + AXIS}`}
          width="100%"
          role="img"
          aria-label={`Brilliant's answers per day for the last ${days.length} days: ${total} in all`}
          style={{ maxHeight: 240 }}
        >
          <line x1={0} x2={WIDTH} y1={HEIGHT} y2={HEIGHT} stroke="var(--p-color-border)" />
          <text x={0} y={12} fontSize={11} fill="var(--p-color-text-secondary)">
            {max}
          </text>
          {days.map((day, index) => {
            let y = HEIGHT;
            const x = index * slot + (slot - barWidth) / 2;
            return (
              <g key={day.day}>
                {codes.map((code) => {
                  const count = day.codes[code] ?? 0;
                  if (count === 0) return null;
                  const height = (count / max) * (HEIGHT - 16);
                  y -= height;
                  return (
                    <rect key={code} x={x} y={y} width={barWidth} height={height} fill={codeColor(code)}>
                      <title>{`${day.day}: ${count} × ${codeLabel(code)}`}</title>
                    </rect>
                  );
                })}
                {(index % Math.ceil(days.length / 10) === 0 || index === days.length - 1) && (
                  <text
                    x={index * slot + slot / 2}
                    y={HEIGHT + 16}
                    fontSize={11}
                    textAnchor="middle"
                    fill="var(--p-color-text-secondary)"
                  >
                    {day.day.slice(5)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      )}
      <InlineStack gap="400" wrap>
        {codes.map((code) => (
          <InlineStack key={code} gap="100" blockAlign="center">
            <span
              aria-hidden
              style={{
                display: "inline-block",
                width: 12,
                height: 12,
                borderRadius: 3,
                background: codeColor(code),
              }}
            />
            <Text as="span" variant="bodySm">
              {codeLabel(code)}
            </Text>
          </InlineStack>
        ))}
      </InlineStack>
      <table className="Polaris-Text--visuallyHidden">
        <caption>Brilliant&apos;s answers per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {codes.map((code) => (
              <th key={code} scope="col">
                {codeLabel(code)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((day) => (
            <tr key={day.day}>
              <th scope="row">{day.day}</th>
              {codes.map((code) => (
                <td key={code}>{day.codes[code] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </BlockStack>
  );
}
