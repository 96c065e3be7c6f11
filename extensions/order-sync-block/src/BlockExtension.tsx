/** @jsxImportSource preact */
// (The pragma repeats this folder's tsconfig for the root `npm run typecheck`,
// which also compiles this file and otherwise uses React's JSX.)
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";

import {
  afterRetry,
  describeStatus,
  loadSyncStatus,
  msg,
  retrySync,
  say,
  type BlockState,
  type Message,
  type SyncStatus,
} from "./sync-status";

// admin.order-details.block.render: the runtime calls this with the global
// `shopify` object (typed by ../shopify.d.ts) already in place.
export default async () => {
  render(<OrderSyncBlock />, document.body);
};

/** Words for a message, in the admin's language. */
function t(message: Message): string {
  return say((key, params) => shopify.i18n.translate(key, params), message);
}

function OrderSyncBlock() {
  const orderGid = shopify.data.selected[0]?.id ?? "";
  const [state, setState] = useState<BlockState>({ view: { kind: "loading" }, notice: null });
  const [retrying, setRetrying] = useState(false);

  useEffect(() => {
    let current = true;
    void loadSyncStatus(fetch, orderGid).then((view) => {
      if (current) setState({ view, notice: null });
    });
    return () => {
      current = false;
    };
  }, [orderGid]);

  const onRetry = async () => {
    setRetrying(true);
    setState((previous) => ({ ...previous, notice: null }));
    const result = await retrySync(fetch, orderGid);
    setRetrying(false);
    setState((previous) => afterRetry(previous.view, result));
  };

  const { view, notice } = state;
  const heading = t(msg("block.heading"));

  if (view.kind === "loading") {
    return (
      <s-admin-block heading={heading}>
        <s-spinner accessibilityLabel={t(msg("block.loading"))} />
      </s-admin-block>
    );
  }
  if (view.kind === "not_found") {
    return (
      <s-admin-block heading={heading}>
        <s-text>{t(msg("block.notFound"))}</s-text>
      </s-admin-block>
    );
  }
  if (view.kind === "error") {
    return (
      <s-admin-block heading={heading}>
        <s-banner tone="critical">{t(view.message)}</s-banner>
      </s-admin-block>
    );
  }

  return (
    <StatusBlock
      heading={heading}
      status={view.status}
      notice={notice}
      retrying={retrying}
      onRetry={() => void onRetry()}
    />
  );
}

function StatusBlock(props: {
  heading: string;
  status: SyncStatus;
  notice: BlockState["notice"];
  retrying: boolean;
  onRetry: () => void;
}) {
  const { heading, status, notice, retrying, onRetry } = props;
  const shown = describeStatus(status);
  return (
    <s-admin-block heading={heading} collapsedSummary={shown.badge}>
      <s-stack direction="block" gap="base">
        <s-stack direction="inline" gap="base" alignItems="center">
          <s-badge tone={shown.tone}>{shown.badge}</s-badge>
          <s-text type="strong">{t(shown.headline)}</s-text>
        </s-stack>
        {shown.detail ? <s-text>{t(shown.detail)}</s-text> : null}
        {shown.codeLine ? <s-text color="subdued">{t(shown.codeLine)}</s-text> : null}
        {notice ? <s-banner tone={notice.tone}>{t(notice.message)}</s-banner> : null}
        <s-stack direction="inline" gap="base" alignItems="center">
          {shown.retryLabel ? (
            <s-button onClick={onRetry} disabled={retrying} loading={retrying}>
              {retrying ? t(msg("retry.inProgress")) : t(shown.retryLabel)}
            </s-button>
          ) : null}
          {shown.nextStep ? <s-link href={shown.nextStep.href}>{shown.nextStep.label}</s-link> : null}
          <s-link href={shown.appHref}>{t(msg("block.openInApp"))}</s-link>
        </s-stack>
      </s-stack>
    </s-admin-block>
  );
}
