/**
 * The order page's history in the merchant's words: who made each move, and
 * how the order came, instead of the stored technical note (the stored text
 * stays as written, for support and the tests that read it).
 */
const ACTOR_WORDS: Record<string, string> = {
  webhook: "from Shopify",
  worker: "by Brilliant Sync",
  system: "by Brilliant Sync",
  merchant: "by you",
  reconciliation: "by the reconciliation sweep",
  brilliant: "from Brilliant",
};

export function actorWords(actor: string): string {
  return ACTOR_WORDS[actor] ?? `by ${actor}`;
}

const HOW_IT_CAME: [RegExp, (id: string) => string][] = [
  [/^orders\/paid webhook (.+)$/, (id) => `Paid in Shopify; Shopify told Brilliant Sync (webhook ${id}).`],
  [
    /^orders\/cancelled webhook (.+), before its orders\/paid$/,
    (id) => `Cancelled in Shopify before word of its payment came (webhook ${id}).`,
  ],
  [
    /^found by the reconciliation sweep$/,
    () => "Paid in Shopify, but its webhook never came: found by the reconciliation sweep.",
  ],
];

export function reasonWords(reason: string): string {
  for (const [pattern, words] of HOW_IT_CAME) {
    const match = pattern.exec(reason);
    if (match) return words(match[1] ?? "");
  }
  return reason;
}
