/**
 * Brilliant's response codes in the merchant's words: what happened and what
 * the app or the merchant does about it. Based on Brilliant's own table
 * (docs/brilliant-api/response-codes.md). Pure, for the order page.
 */
export interface CodeExplanation {
  code: number;
  /** One short line: what Brilliant said. */
  title: string;
  /** What it means for this order, and what happens next. */
  detail: string;
}

const EXPLANATIONS: Record<number, Omit<CodeExplanation, "code">> = {
  1200: {
    title: "Accepted",
    detail: "Brilliant accepted the order. Nothing more to do: it ships from Brilliant.",
  },
  1404: {
    title: "Not found at Brilliant",
    detail:
      "Brilliant has no order with that id. When the app was checking whether an order got through, this means it did not, so it is safe to send it again.",
  },
  1500: {
    title: "Brilliant had an unexpected error",
    detail:
      "Brilliant may or may not have created the order. The app looks it up before it sends anything again, so the order is never sent twice.",
  },
  2501: {
    title: "Problem with the shipping address",
    detail:
      "Brilliant refused the address, so the order was not submitted. Fix the shipping address (Brilliant needs a 2-letter state or province code and a 2-letter country code), then resubmit.",
  },
  2502: {
    title: "Unknown Brilliant variant",
    detail:
      "One or more products are mapped to a Brilliant variant that does not belong to your Brilliant store, or are not mapped at all. The order was not submitted. Fix the mapping, then resubmit.",
  },
  2503: {
    title: "Not enough stock at Brilliant",
    detail:
      "Brilliant has too little stock of one or more variants. The order was not submitted. Ask Brilliant to restock, or map to a variant in stock, then resubmit.",
  },
  2504: {
    title: "The same variant appeared twice",
    detail:
      "The request listed one Brilliant variant more than once. This is a problem in the app, not in your order; it was not submitted. Resubmit, and contact support if it happens again.",
  },
  2505: {
    title: "Nothing to order",
    detail:
      "The request had no items for Brilliant. The order was not submitted. Check that the order's products are mapped, then resubmit or skip it.",
  },
  2506: {
    title: "Inactive Brilliant variant",
    detail:
      "One or more mapped variants are inactive at Brilliant. The order was not submitted. Map them to active variants (or ask Brilliant to reactivate them), then resubmit.",
  },
  3501: {
    title: "Brilliant could not save the order",
    detail:
      "The order passed Brilliant's checks but Brilliant ran into an internal issue and did not take it. The app tries again automatically; you can also retry now.",
  },
  3502: {
    title: "Temporary problem at Brilliant",
    detail:
      "Brilliant had an unexpected issue and did not take the order. The app tries again automatically; you can also retry now.",
  },
  3503: {
    title: "Brilliant could not handle the request",
    detail:
      "Brilliant could not process the request this time and did not take the order. The app tries again automatically; you can also retry now.",
  },
};

export function explainCode(code: number): CodeExplanation {
  const known = EXPLANATIONS[code];
  if (known) return { code, ...known };
  return {
    code,
    title: `Code ${code}`,
    detail:
      "Brilliant answered with a code the app does not know. The order is kept aside so nothing is lost or sent twice; see Brilliant's message below, and contact support if it is unclear.",
  };
}

export const EXPLAINED_CODES = Object.keys(EXPLANATIONS).map(Number);
