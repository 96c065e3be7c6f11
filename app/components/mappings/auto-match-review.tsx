import { Banner, Button, InlineStack, Layout } from "@shopify/polaris";
import { useState } from "react";

import type { AutoMatchReview as Review } from "../../catalog/mapping-page.server";
import { REVIEW_GROUPS, type ReviewGroup } from "../../catalog/mapping-page-options";
import { GROUP_TEXT, ReviewGroupCard } from "./review-group-card";

export interface AutoMatchReviewProps {
  /** Null before a rule is chosen; kept mounted then so that its ticks last across reviews. */
  review: Review | null;
  /** Names the review: a new one starts again from the default ticks. */
  reviewKey: string;
  saving: boolean;
  onSave: (chosen: { accept: Set<string>; groups: Set<ReviewGroup> }) => void;
}

function defaultTicks(review: Review | null): Set<string> {
  const ticked = new Set<string>();
  if (!review) return ticked;
  for (const group of REVIEW_GROUPS) {
    if (GROUP_TEXT[group].ticked) for (const p of review.groups[group]) ticked.add(p.shopifyVariantId);
  }
  return ticked;
}

function withOrWithout<T>(set: Set<T>, item: T, on: boolean): Set<T> {
  const next = new Set(set);
  if (on) next.add(item);
  else next.delete(item);
  return next;
}

/** What a rule proposes, group by group, and the button that saves the ticked proposals. */
export function AutoMatchReview({ review, reviewKey, saving, onSave }: AutoMatchReviewProps) {
  const [ticked, setTicked] = useState<Set<string>>(() => defaultTicks(review));
  const [wholeGroups, setWholeGroups] = useState<Set<ReviewGroup>>(new Set());
  const [shownFor, setShownFor] = useState(reviewKey);
  if (shownFor !== reviewKey) {
    setShownFor(reviewKey);
    setTicked(defaultTicks(review));
    setWholeGroups(new Set());
  }
  if (!review) return null;
  const { counts } = review;
  const chosenCount = ticked.size + [...wholeGroups].reduce((sum, group) => sum + counts[group], 0);

  return (
    <>
      <Layout.Section>
        <Banner tone="info">
          <p>
            {counts.new + counts.replaces_auto + counts.conflicts_manual === 0
              ? "This rule proposes nothing new."
              : `${counts.unchanged} variant${counts.unchanged === 1 ? " is" : "s are"} already mapped as this rule says and not shown.`}
          </p>
        </Banner>
      </Layout.Section>
      {REVIEW_GROUPS.filter((group) => counts[group] > 0).map((group) => (
        <Layout.Section key={group}>
          <ReviewGroupCard
            group={group}
            count={counts[group]}
            proposals={review.groups[group]}
            ticked={ticked}
            onTick={(id, on) => setTicked(withOrWithout(ticked, id, on))}
            all={wholeGroups.has(group)}
            onAll={(on) => setWholeGroups(withOrWithout(wholeGroups, group, on))}
          />
        </Layout.Section>
      ))}
      <Layout.Section>
        <InlineStack align="end">
          <Button
            variant="primary"
            disabled={chosenCount === 0}
            loading={saving}
            onClick={() => onSave({ accept: ticked, groups: wholeGroups })}
          >
            {`Save ${chosenCount} mapping${chosenCount === 1 ? "" : "s"}`}
          </Button>
        </InlineStack>
      </Layout.Section>
    </>
  );
}
